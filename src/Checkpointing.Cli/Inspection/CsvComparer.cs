using Checkpointing.Cli.Json;
using Checkpointing.Lsi;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Compares a cumulative checkpoint CSV with a batch CSV by key: rows missing from the batch, extra in it,
/// and rows whose cells differ (cell by cell, over the columns both files have).
/// </summary>
internal static class CsvComparer
{
    private sealed record Table(string Path, IReadOnlyList<string> Headers, Dictionary<string, (int Line, string[] Cells)> Rows, List<string> Order, int KeyIndex);

    public static CompareReport Compare(string cumulativePath, string batchPath, string? keyColumn, CancellationToken cancellationToken)
    {
        var problems = new Findings();
        using var cumulativeFile = CsvFile.Open(cumulativePath);
        using var batchFile = CsvFile.Open(batchPath);
        keyColumn ??= cumulativeFile.Headers.Contains(CsvValidator.LsiKeyColumn) ? CsvValidator.LsiKeyColumn
            : cumulativeFile.Headers.Count > 0 ? cumulativeFile.Headers[0]
            : throw new UsageException($"'{cumulativeFile.Path}' has no header.");
        var cumulative = Load(cumulativeFile, keyColumn, problems, cancellationToken);
        var batch = Load(batchFile, keyColumn, problems, cancellationToken);

        var onlyCumulative = cumulative.Headers.Where(h => !batch.Headers.Contains(h)).ToList();
        var onlyBatch = batch.Headers.Where(h => !cumulative.Headers.Contains(h)).ToList();
        var common = cumulative.Headers
            .Select((name, index) => (name, index, other: IndexOf(batch.Headers, name)))
            .Where(c => c.other >= 0)
            .ToList();

        var missing = new List<RowRef>();
        var different = new List<RowDifference>();
        foreach (var key in cumulative.Order)
        {
            var (line, cells) = cumulative.Rows[key];
            if (!batch.Rows.TryGetValue(key, out var other))
            {
                missing.Add(new RowRef(key, line));
                continue;
            }

            List<CellDifference>? diffs = null;
            foreach (var (name, index, otherIndex) in common)
            {
                if (!string.Equals(cells[index], other.Cells[otherIndex], StringComparison.Ordinal))
                {
                    (diffs ??= []).Add(new CellDifference(name, cells[index], other.Cells[otherIndex]));
                }
            }

            if (diffs is not null)
            {
                different.Add(new RowDifference(key, line, other.Line, diffs));
            }
        }

        var extra = batch.Order.Where(k => !cumulative.Rows.ContainsKey(k)).Select(k => new RowRef(k, batch.Rows[k].Line)).ToList();
        var identical = missing.Count == 0 && extra.Count == 0 && different.Count == 0 && onlyBatch.Count == 0 && onlyCumulative.Count == 0 && problems.Errors == 0;
        return new CompareReport(
            cumulative.Path, batch.Path, keyColumn, identical, cumulative.Rows.Count, batch.Rows.Count,
            onlyCumulative, onlyBatch, missing, extra, different, problems.ToList());
    }

    private static Table Load(CsvFile file, string keyColumn, Findings problems, CancellationToken cancellationToken)
    {
        var headers = file.Headers.ToList();
        var keyIndex = IndexOf(headers, keyColumn);
        if (keyIndex < 0)
        {
            throw new UsageException($"Key column '{keyColumn}' is not in the header of '{file.Path}'; name it with --key.");
        }

        var normalize = keyColumn.Contains("ISBN", StringComparison.OrdinalIgnoreCase);
        var rows = new Dictionary<string, (int, string[])>(StringComparer.Ordinal);
        var order = new List<string>();
        var reader = file.Reader;
        long recordNumber = 1;
        while (reader.Read())
        {
            recordNumber++;
            if ((recordNumber & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var line = (int)reader.LineNumber;
            if (file.MalformedReason(recordNumber) is { } reason)
            {
                problems.Add(Finding.Error(file.Path, $"malformed quoting ({reason}); the row is left out of the comparison", line: line));
                continue;
            }

            if (reader.FieldCount != headers.Count)
            {
                problems.Add(Finding.Error(file.Path, $"the row has {reader.FieldCount} field(s); the header has {headers.Count}; it is left out of the comparison", line: line));
                continue;
            }

            var cells = new string[headers.Count];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = reader.GetString(i);
            }

            var key = cells[keyIndex].Trim();
            if (normalize)
            {
                key = LsiFormats.NormalizeIsbn(key);
            }

            if (key.Length == 0)
            {
                problems.Add(Finding.Error(file.Path, "the row has no key", line: line, column: keyColumn));
            }
            else if (rows.TryGetValue(key, out var first))
            {
                problems.Add(Finding.Error(file.Path, $"key '{key}' is also on line {first.Item1}; only the first row is compared", line: line, key: key, column: keyColumn));
            }
            else
            {
                rows[key] = (line, cells);
                order.Add(key);
            }
        }

        return new Table(file.Path, headers, rows, order, keyIndex);
    }

    private static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
