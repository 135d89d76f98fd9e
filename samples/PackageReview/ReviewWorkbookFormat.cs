using System.Security.Cryptography;
using Checkpointing.SharedFiles;
using MiniExcelLibs;

namespace PackageReview;

/// <summary>
/// The review workbook, laid out like the IHACPA one: two title rows, the header on row 3, one package per row from
/// row 4, 23 columns (A to W), rows in package-number order. A user format for <see cref="SharedFileBatches{TRow}"/>
/// over MiniExcel.
/// </summary>
/// <remarks>
/// Parsing the sheet is most of a save's cost (a 50,000-row workbook: about 4 s of CPU to read, 1.6 s to write), and a
/// save parses twice: <see cref="Write"/> reads the previous file, then the runtime reads the new one back to validate
/// it. The previous file of a save is the file the runtime read back after the last save, so the format keeps the rows
/// of the last file it read with that file's SHA-256, and <see cref="Write"/> takes them instead of parsing again when
/// the previous file's bytes hash the same. Any other previous file (a new instance, a file from disk) is parsed.
/// </remarks>
public sealed class ReviewWorkbookFormat : ISharedFileFormat<ReviewRow>
{
    /// <summary>The sheet.</summary>
    public const string SheetName = "Sheet1";

    /// <summary>The row of the header (1-based, as in Excel).</summary>
    public const int HeaderRow = 3;

    /// <summary>The first data row (1-based).</summary>
    public const int DataStartRow = 4;

    /// <summary>The 23 columns.</summary>
    public static readonly IReadOnlyList<string> Header =
    [
        "#", "Package Name", "Current Version", "Latest Version", "PyPI Link", "Date Published", "Latest Release Date",
        "Requires", "Development Status", "GitHub URL", "License", "Author", "Summary", "NIST NVD", "MITRE CVE", "SNYK",
        "Exploit DB", "GitHub Advisory", "Vulnerability Count", "Highest Severity", "Recommendation", "Review Cost (USD)",
        "Notes",
    ];

    private static readonly string[] Columns = Enumerable.Range(0, 23).Select(i => ((char)('A' + i)).ToString()).ToArray();

    private readonly Lock _lastReadGate = new();
    private (byte[] Sha256, IReadOnlyList<SharedFileRow<ReviewRow>> Rows)? _lastRead;

    /// <summary>Saves whose previous file was the last one read, so not parsed again (for tests and benchmarks).</summary>
    public int PreviousRowsReused { get; private set; }

    /// <inheritdoc/>
    public void Write(Stream? previous, IReadOnlyList<SharedFileRow<ReviewRow>> updates, Stream destination, CancellationToken cancellationToken)
    {
        var rows = previous is null ? new Dictionary<string, ReviewRow>(StringComparer.Ordinal) : Previous(previous, cancellationToken).ToDictionary(r => r.Key, r => r.Row, StringComparer.Ordinal);
        foreach (var update in updates)
        {
            rows[update.Key] = update.Row;
        }

        var sheet = new List<Dictionary<string, object?>>(rows.Count + 3)
        {
            Line(["IHACPA Python Package Review"]),
            Line([$"{rows.Count} packages reviewed; saved in batches by Checkpointing"]),
            Line(Header),
        };
        foreach (var row in rows.Values.OrderBy(r => int.Parse(r.Cells[0], System.Globalization.CultureInfo.InvariantCulture)).ThenBy(r => r.Package, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            sheet.Add(Line(row.Cells));
        }

        MiniExcel.SaveAs(destination, sheet, printHeader: false, sheetName: SheetName);
    }

    /// <inheritdoc/>
    public IReadOnlyList<SharedFileRow<ReviewRow>> Read(Stream file, CancellationToken cancellationToken)
    {
        var bytes = Bytes(file);
        var rows = Parse(bytes, cancellationToken);
        lock (_lastReadGate)
        {
            _lastRead = (SHA256.HashData(bytes), rows);
        }

        return rows;
    }

    private IReadOnlyList<SharedFileRow<ReviewRow>> Previous(Stream previous, CancellationToken cancellationToken)
    {
        var bytes = Bytes(previous);
        var sha = SHA256.HashData(bytes);
        lock (_lastReadGate)
        {
            if (_lastRead is { } last && last.Sha256.AsSpan().SequenceEqual(sha))
            {
                PreviousRowsReused++;
                return last.Rows;
            }
        }

        return Parse(bytes, cancellationToken);
    }

    private static byte[] Bytes(Stream stream)
    {
        if (stream is MemoryStream memory)
        {
            return memory.ToArray();
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static IReadOnlyList<SharedFileRow<ReviewRow>> Parse(byte[] bytes, CancellationToken cancellationToken)
    {
        using var file = new MemoryStream(bytes, writable: false);
        var lines = MiniExcel.Query(file, useHeaderRow: false, sheetName: SheetName).Cast<IDictionary<string, object?>>().ToList();
        if (lines.Count < HeaderRow)
        {
            throw new InvalidDataException($"{SheetName} has {lines.Count} rows; the header belongs on row {HeaderRow}");
        }

        var header = Cells(lines[HeaderRow - 1]);
        for (var c = 0; c < Header.Count; c++)
        {
            if (header[c] != Header[c])
            {
                throw new InvalidDataException($"{SheetName}!{Columns[c]}{HeaderRow}: expected the header '{Header[c]}', found '{header[c]}'");
            }
        }

        var rows = new List<SharedFileRow<ReviewRow>>(lines.Count);
        for (var i = DataStartRow - 1; i < lines.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cells = Cells(lines[i]);
            if (cells.All(string.IsNullOrEmpty))
            {
                continue;
            }

            if (!int.TryParse(cells[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidDataException($"{SheetName}!A{i + 1}: '{cells[0]}' is not a package number");
            }

            if (string.IsNullOrWhiteSpace(cells[1]))
            {
                throw new InvalidDataException($"{SheetName}!B{i + 1}: the package name is empty");
            }

            rows.Add(new SharedFileRow<ReviewRow>(cells[1], new ReviewRow(cells)));
        }

        return rows;
    }

    /// <inheritdoc/>
    public long EstimateSize(ReviewRow row) => row.Cells.Sum(c => c.Length + 24L);

    private static Dictionary<string, object?> Line(IReadOnlyList<string> cells)
    {
        var line = new Dictionary<string, object?>(Columns.Length);
        for (var c = 0; c < Columns.Length; c++)
        {
            line[Columns[c]] = c < cells.Count ? cells[c] : "";
        }

        return line;
    }

    private static string[] Cells(IDictionary<string, object?> line)
    {
        var cells = new string[Columns.Length];
        for (var c = 0; c < Columns.Length; c++)
        {
            cells[c] = line.TryGetValue(Columns[c], out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
        }

        return cells;
    }
}
