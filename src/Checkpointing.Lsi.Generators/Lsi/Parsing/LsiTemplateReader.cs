using System.Collections.Generic;
using System.IO;
using System.Threading;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Model;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Lsi.Parsing;

/// <summary>Reads the header line of an LSI template additional file.</summary>
internal static class LsiTemplateReader
{
    public static LsiTemplate Read(AdditionalText file, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(file.Path);
        var text = file.GetText(cancellationToken);
        if (text is null)
        {
            return new LsiTemplate(fileName, EquatableArray<string>.Empty, "the file could not be read");
        }

        var header = text.Lines.Count == 0 ? "" : text.Lines[0].ToString();
        if (header.Length > 0 && header[0] == '\uFEFF')
        {
            header = header.Substring(1);
        }

        return FromHeader(fileName, header);
    }

    /// <summary>
    /// Splits the header into column names. LSI's own header quotes every name (<c>"ISBN or SKU","Title",...</c>) and
    /// spreadsheets write them bare; both are read, with <c>""</c> inside quotes as one quote. A name cannot hold a
    /// line break, since only the first line is read.
    /// </summary>
    public static LsiTemplate FromHeader(string fileName, string header)
    {
        if (header.Trim().Length == 0)
        {
            return new LsiTemplate(fileName, EquatableArray<string>.Empty, "its first line is empty");
        }

        var columns = new List<string>();
        var i = 0;
        while (true)
        {
            string name;
            if (i < header.Length && header[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= header.Length)
                    {
                        return new LsiTemplate(fileName, EquatableArray<string>.Empty, "column " + (columns.Count + 1) + " of its header has an unclosed quote");
                    }

                    if (header[i] == '"')
                    {
                        if (i + 1 < header.Length && header[i + 1] == '"')
                        {
                            builder.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    builder.Append(header[i++]);
                }

                if (i < header.Length && header[i] != ',')
                {
                    return new LsiTemplate(fileName, EquatableArray<string>.Empty, "column " + (columns.Count + 1) + " of its header has text after its closing quote");
                }

                name = builder.ToString();
            }
            else
            {
                var end = header.IndexOf(',', i);
                name = end < 0 ? header.Substring(i) : header.Substring(i, end - i);
                if (name.IndexOf('"') >= 0)
                {
                    return new LsiTemplate(fileName, EquatableArray<string>.Empty, "column " + (columns.Count + 1) + " of its header has a quote inside an unquoted name");
                }

                i = end < 0 ? header.Length : end;
            }

            columns.Add(name);
            if (i >= header.Length)
            {
                break;
            }

            i++; // the comma
        }

        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Length == 0)
            {
                return new LsiTemplate(fileName, EquatableArray<string>.Empty, "column " + (c + 1) + " of its header is empty");
            }

            if (!seen.Add(columns[c]))
            {
                return new LsiTemplate(fileName, EquatableArray<string>.Empty, "its header has column '" + columns[c] + "' twice");
            }
        }

        return new LsiTemplate(fileName, new EquatableArray<string>(columns.ToArray()), null);
    }
}
