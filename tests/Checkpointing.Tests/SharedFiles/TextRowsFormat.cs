using System.Text;
using Checkpointing.SharedFiles;

namespace Checkpointing.Tests.SharedFiles;

/// <summary>
/// A small user format for the tests: a header line, then one <c>key&lt;TAB&gt;value</c> line per row, rows kept in
/// the order they were first saved. Counts its writes so tests can see how often the file was rewritten.
/// </summary>
internal sealed class TextRowsFormat : ISharedFileFormat<string>
{
    public const string Header = "key\tvalue";

    public int Writes { get; private set; }

    public void Write(Stream? previous, IReadOnlyList<SharedFileRow<string>> updates, Stream destination, CancellationToken cancellationToken)
    {
        Writes++;
        var rows = previous is null ? [] : Read(previous, cancellationToken).ToList();
        var index = rows.Select((r, i) => (r.Key, i)).ToDictionary(p => p.Key, p => p.i);
        foreach (var update in updates)
        {
            if (index.TryGetValue(update.Key, out var at))
            {
                rows[at] = update;
            }
            else
            {
                index[update.Key] = rows.Count;
                rows.Add(update);
            }
        }

        var text = new StringBuilder(Header).Append('\n');
        foreach (var row in rows)
        {
            text.Append(row.Key).Append('\t').Append(row.Row).Append('\n');
        }

        destination.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public IReadOnlyList<SharedFileRow<string>> Read(Stream file, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(file, Encoding.UTF8, leaveOpen: true);
        var text = reader.ReadToEnd();
        var lines = text.Split('\n');
        if (lines[0] != Header)
        {
            throw new InvalidDataException($"line 1: expected the header '{Header}'");
        }

        if (!text.EndsWith('\n'))
        {
            throw new InvalidDataException($"line {lines.Length}: the last line is cut");
        }

        var rows = new List<SharedFileRow<string>>();
        for (var i = 1; i < lines.Length - 1; i++)
        {
            var tab = lines[i].IndexOf('\t');
            if (tab <= 0)
            {
                throw new InvalidDataException($"line {i + 1}: no key");
            }

            rows.Add(new SharedFileRow<string>(lines[i][..tab], lines[i][(tab + 1)..]));
        }

        return rows;
    }

    public long EstimateSize(string row) => row.Length + 16;

    public static Dictionary<string, string> ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return new TextRowsFormat().Read(stream, CancellationToken.None).ToDictionary(r => r.Key, r => r.Row);
    }
}
