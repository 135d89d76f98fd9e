using CsvHelper;
using Checkpointing.Lsi;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Reads a CSV as the runtime's LSI dialect does (CsvHelper, comma separated, header row, UTF-8 with or without
/// a byte order mark), keeping line numbers and every malformed record.
/// </summary>
internal sealed class CsvFile : IDisposable
{
    private readonly Dictionary<long, CsvMalformedReason> _malformed = [];

    private CsvFile(string path, byte[] bytes)
    {
        Path = path;
        Bytes = bytes;
        var options = LsiCsvDialect.CreateReaderOptions() with
        {
            TrackLineNumbers = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = record => _malformed.TryAdd(record.RecordNumber, record.Reason),
        };
        Reader = CsvReader.Create(bytes, options);
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    public CsvReader Reader { get; }

    /// <summary>Whether the file ends with a line break: a file cut by a crash does not.</summary>
    public bool EndsWithLineBreak => Bytes.Length > 0 && Bytes[^1] == (byte)'\n';

    /// <summary>Opens <paramref name="path"/>; a missing file is a usage error, an empty one a finding.</summary>
    public static CsvFile Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new UsageException(Directory.Exists(full) ? $"'{full}' is a folder, not a CSV file." : $"File '{full}' does not exist.");
        }

        return new CsvFile(full, File.ReadAllBytes(full));
    }

    /// <summary>The header's names, or a problem.</summary>
    public IReadOnlyList<string> Headers => Reader.Headers;

    /// <summary>Why the current record is malformed (quoting), or null.</summary>
    public CsvMalformedReason? MalformedReason(long recordNumber) => _malformed.TryGetValue(recordNumber, out var reason) ? reason : null;

    public void Dispose() => Reader.Dispose();

    /// <summary>The columns of a template file: its first line.</summary>
    public static IReadOnlyList<string> ReadTemplate(string path)
    {
        using var template = Open(path);
        if (template.Bytes.Length == 0 || template.Headers.Count == 0)
        {
            throw new UsageException($"Template '{template.Path}' has no header line.");
        }

        return template.Headers.ToList();
    }
}
