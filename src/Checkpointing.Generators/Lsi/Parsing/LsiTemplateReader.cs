using System.Collections.Generic;
using System.IO;
using System.Threading;
using Checkpointing.Generators.Helpers;
using Checkpointing.Generators.Lsi.Models;
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
    /// Splits the header on commas. LSI headers are plain names; a quoted header would need a CSV parser the
    /// generator cannot load, so it is reported rather than guessed at.
    /// </summary>
    public static LsiTemplate FromHeader(string fileName, string header)
    {
        if (header.Trim().Length == 0)
        {
            return new LsiTemplate(fileName, EquatableArray<string>.Empty, "its first line is empty");
        }

        if (header.IndexOf('"') >= 0)
        {
            return new LsiTemplate(fileName, EquatableArray<string>.Empty, "its header contains quotes");
        }

        var columns = header.Split(',');
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Length == 0)
            {
                return new LsiTemplate(fileName, EquatableArray<string>.Empty, "column " + (i + 1) + " of its header is empty");
            }

            if (!seen.Add(columns[i]))
            {
                return new LsiTemplate(fileName, EquatableArray<string>.Empty, "its header has column '" + columns[i] + "' twice");
            }
        }

        return new LsiTemplate(fileName, new EquatableArray<string>(columns), null);
    }
}
