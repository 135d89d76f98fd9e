using System.Text;
using Checkpointing.Lsi;
using CsvHelper;

namespace Checkpointing.Csv;

/// <summary>
/// Splits the bytes of a checkpoint file into its header, whole rows and a torn tail, with CsvHelper doing
/// all CSV parsing. A row is whole when it ends with a line break, is not malformed (an unclosed quote at
/// the end is a write cut inside a quoted field) and has the header's field count.
/// </summary>
internal static class CsvRowScanner
{
    internal sealed record Row(string Key, int Line, ReadOnlyMemory<byte> Bytes);

    internal sealed record Scan(bool HeaderMatches, List<Row> Rows, long CommittedLength, int? TornLine, List<string> Errors);

    public static byte[] HeaderBytes<T>(CsvWriterOptions options)
    {
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, options with { HasHeader = true }, leaveOpen: true))
        {
            writer.WriteHeader<T>();
        }

        return stream.ToArray();
    }

    public static byte[] RowBytes<T>(T record, CsvWriterOptions options)
    {
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, options with { HasHeader = false, WriteByteOrderMark = false }, leaveOpen: true))
        {
            writer.WriteRecord(record);
        }

        return stream.ToArray();
    }

    /// <param name="bytes">The whole file.</param>
    /// <param name="header">The expected header bytes (with the byte order mark when the writer writes one).</param>
    /// <param name="readerOptions">The reader options of the type.</param>
    /// <param name="keySelector">The key of a row.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="validate">Whether <see cref="ILsiRecord"/> rows are validated too.</param>
    /// <param name="finalRowMayLackLineBreak">
    /// Whether a whole last row without a line break counts (batch files: LSI's own end without one); a checkpoint
    /// file's unterminated last row is always a torn write.
    /// </param>
    public static Scan Run<T>(byte[] bytes, byte[] header, CsvReaderOptions readerOptions, Func<T, string> keySelector, string path, bool validate, bool finalRowMayLackLineBreak = false)
    {
        var errors = new List<string>();
        var rows = new List<Row>();
        // A byte order mark is optional on both sides, and so is the CR of the header's line break: a file saved
        // again by another tool may drop or add either.
        var expectedLine = header.AsSpan(Bom(header)).TrimEnd("\r\n"u8);
        var bom = Bom(bytes);
        var content = bytes.AsSpan(bom);
        var headerBreak = content.StartsWith(expectedLine) ? LineBreakAt(content, expectedLine.Length) : 0;
        var cutInHeader = content.Length <= expectedLine.Length
            ? expectedLine.StartsWith(content)
            : content.Length == expectedLine.Length + 1 && content.StartsWith(expectedLine) && content[^1] == (byte)'\r';
        if (headerBreak == 0 && cutInHeader)
        {
            // Cut while the header was written: nothing was committed.
            return new Scan(true, rows, 0, bytes.Length == 0 ? null : 1, errors);
        }

        if (headerBreak == 0)
        {
            var firstLine = Encoding.UTF8.GetString(content[..Math.Min(content.Length, 400)]).Split('\n')[0].TrimEnd('\r');
            errors.Add($"{path}, line 1: the header does not match {typeof(T).Name}; expected '{Encoding.UTF8.GetString(expectedLine)}', found '{firstLine}'");
            return new Scan(false, rows, 0, null, errors);
        }

        var headerLength = bom + expectedLine.Length + headerBreak;
        var lastLineBreak = bytes.AsSpan().LastIndexOf((byte)'\n');
        var wholeLines = finalRowMayLackLineBreak ? bytes.Length : lastLineBreak + 1;
        var malformed = new HashSet<long>();
        var options = readerOptions with
        {
            HasHeader = true,
            TrackLineNumbers = true,
            OnMalformedRecord = record => malformed.Add(record.RecordNumber),
        };

        var starts = new List<(long Offset, int Line, long RecordNumber, bool Whole, T? Record, string? Error)>();
        using (var reader = CsvReader.Create(new ReadOnlyMemory<byte>(bytes, 0, Math.Max(wholeLines, headerLength)), options))
        {
            var fieldCount = reader.Headers.Count;
            long recordNumber = 1;
            while (reader.Read())
            {
                recordNumber++;
                var whole = reader.FieldCount == fieldCount;
                T? record = default;
                string? error = null;
                if (whole)
                {
                    try
                    {
                        record = reader.GetRecord<T>();
                    }
                    catch (Exception ex) when (ex is CsvFormatException or FormatException or OverflowException)
                    {
                        error = ex.InnerException is { } inner ? ex.Message + " " + inner.Message : ex.Message;
                    }
                }
                else
                {
                    error = $"has {reader.FieldCount} fields; the header has {fieldCount}";
                }

                starts.Add((reader.ByteOffset, (int)reader.LineNumber, recordNumber, whole, record, error));
            }
        }

        var committed = (long)Math.Max(wholeLines, headerLength);
        int? tornLine = wholeLines < bytes.Length ? CountLines(bytes, wholeLines) : null;
        if (starts.Count > 0)
        {
            var last = starts[^1];
            if (malformed.Contains(last.RecordNumber) || !last.Whole)
            {
                // A write cut inside a quoted field that held a line break: the row is not whole.
                committed = last.Offset;
                tornLine = last.Line;
                starts.RemoveAt(starts.Count - 1);
            }
        }

        for (var i = 0; i < starts.Count; i++)
        {
            var (offset, line, recordNumber, _, record, error) = starts[i];
            var end = i + 1 < starts.Count ? starts[i + 1].Offset : committed;
            if (malformed.Contains(recordNumber))
            {
                errors.Add($"{path}, line {line}: malformed quoting");
                continue;
            }

            if (error is not null || record is null)
            {
                errors.Add($"{path}, line {line}: {error ?? "the row could not be read"}");
                continue;
            }

            string key;
            try
            {
                key = keySelector(record);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NullReferenceException)
            {
                errors.Add($"{path}, line {line}: the key of the row could not be read: {ex.Message}");
                continue;
            }

            if (validate && record is ILsiRecord lsi)
            {
                foreach (var problem in lsi.Validate().Errors)
                {
                    errors.Add($"{path}, line {line}: {problem}");
                }
            }

            rows.Add(new Row(key, line, new ReadOnlyMemory<byte>(bytes, (int)offset, (int)(end - offset))));
        }

        return new Scan(true, rows, committed, tornLine, errors);
    }

    private static int Bom(ReadOnlySpan<byte> bytes) => bytes.StartsWith("\uFEFF"u8) ? 3 : 0;

    /// <summary>The length of the line break at <paramref name="index"/> (CRLF 2, LF 1), or 0 when there is none.</summary>
    private static int LineBreakAt(ReadOnlySpan<byte> bytes, int index) =>
        bytes[index..].StartsWith("\r\n"u8) ? 2 : bytes[index..].StartsWith("\n"u8) ? 1 : 0;

    private static int CountLines(byte[] bytes, int length)
    {
        var lines = 1;
        foreach (var b in bytes.AsSpan(0, length))
        {
            if (b == (byte)'\n')
            {
                lines++;
            }
        }

        return lines;
    }
}
