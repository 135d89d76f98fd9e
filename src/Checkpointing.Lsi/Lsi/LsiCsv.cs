using Checkpointing.IO;
using CsvHelper;

namespace Checkpointing.Lsi;

/// <summary>
/// The byte-level shape of an LSI file that CsvHelper's options do not say: a byte order mark or not, the line
/// break, and whether the last row ends with one. LSI takes either; keeping a file's own shape lets a program read
/// a file and write it back byte for byte (<see cref="LsiCsv.ReadFile{T}(string)"/> detects it).
/// </summary>
public sealed record LsiFileDialect
{
    /// <summary>What <c>[LsiRecord]</c> types write by default: a byte order mark, CRLF, a line break after every row.</summary>
    public static LsiFileDialect Default { get; } = new();

    /// <summary>Whether the file starts with a UTF-8 byte order mark. Defaults to <see langword="true"/>.</summary>
    public bool ByteOrderMark { get; init; } = true;

    /// <summary>The line break after each row: <c>"\r\n"</c> (the default) or <c>"\n"</c>.</summary>
    public string NewLine { get; init; } = "\r\n";

    /// <summary>Whether the last row ends with a line break. Defaults to <see langword="true"/>.</summary>
    public bool FinalLineBreak { get; init; } = true;

    /// <summary>
    /// The dialect of a file's bytes: its byte order mark, the line break that ends its header (a header has no
    /// quoted line breaks), and whether it ends with a line break.
    /// </summary>
    public static LsiFileDialect Detect(ReadOnlySpan<byte> file)
    {
        var bom = file.StartsWith("\uFEFF"u8);
        var content = bom ? file[3..] : file;
        var firstBreak = content.IndexOf((byte)'\n');
        var newLine = firstBreak > 0 && content[firstBreak - 1] == (byte)'\r' ? "\r\n" : "\n";
        return new LsiFileDialect
        {
            ByteOrderMark = bom,
            NewLine = firstBreak < 0 ? "\r\n" : newLine,
            FinalLineBreak = content.IsEmpty || content[^1] == (byte)'\n',
        };
    }

    /// <summary>Applies the byte order mark and line break to CsvHelper writer options.</summary>
    public CsvWriterOptions Apply(CsvWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with { WriteByteOrderMark = ByteOrderMark, NewLine = NewLine };
    }
}

/// <summary>A whole LSI file: its records and its <see cref="LsiFileDialect"/>.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Path">The file.</param>
/// <param name="Records">The rows, in file order.</param>
/// <param name="Dialect">The file's byte-level shape, to write it back the same way.</param>
public sealed record LsiFile<T>(string Path, IReadOnlyList<T> Records, LsiFileDialect Dialect);

/// <summary>Reads and writes whole LSI files of an <see cref="LsiRecordAttribute"/> type.</summary>
public static class LsiCsv
{
    /// <summary>Reads every row of an LSI file and detects its dialect.</summary>
    /// <exception cref="InvalidDataException">A row cannot be read; the message names the file, line, column, member and value.</exception>
    public static LsiFile<T> ReadFile<T>(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Read<T>(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads every row of an LSI file's bytes and detects its dialect.</summary>
    /// <param name="file">The file's bytes.</param>
    /// <param name="path">The file's name, for messages.</param>
    /// <exception cref="InvalidDataException">A row cannot be read; the message names the file, line, column, member and value.</exception>
    public static LsiFile<T> Read<T>(byte[] file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        var records = new List<T>();
        var options = CsvReaderOptions.For<T>() with { TrackLineNumbers = true };
        using var reader = CsvReader.Create(file, options);
        try
        {
            while (reader.Read())
            {
                records.Add(reader.GetRecord<T>());
            }
        }
        catch (Exception e) when (e is CsvFormatException or FormatException or KeyNotFoundException)
        {
            var detail = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? e.Message + " " + inner.Message : e.Message;
            throw new InvalidDataException($"{path}, line {reader.LineNumber}: {detail}", e);
        }

        return new LsiFile<T>(path, records, LsiFileDialect.Detect(file));
    }

    /// <summary>
    /// Writes a whole file (header and rows) in <paramref name="dialect"/>, with the type's writer options
    /// (<c>CsvWriterOptions.For&lt;T&gt;()</c>, the LSI dialect for <c>[LsiRecord]</c> types) for everything else.
    /// </summary>
    public static byte[] Write<T>(IEnumerable<T> records, LsiFileDialect? dialect = null, CsvWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        dialect ??= LsiFileDialect.Default;
        var writerOptions = dialect.Apply(options ?? CsvWriterOptions.For<T>());
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, writerOptions with { HasHeader = true }, leaveOpen: true))
        {
            writer.WriteRecords(records);
        }

        var length = (int)stream.Length;
        var bytes = stream.GetBuffer();
        if (!dialect.FinalLineBreak && length > 0 && bytes[length - 1] == (byte)'\n')
        {
            length -= dialect.NewLine.Length;
        }

        return bytes.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Writes a whole file like <see cref="Write{T}"/>, atomically: a crash leaves the old file or the new one,
    /// never a mix (temp file, fsync, rename, directory fsync).
    /// </summary>
    public static Task WriteFileAsync<T>(string path, IEnumerable<T> records, LsiFileDialect? dialect = null, CsvWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Write(records, dialect, options);
        return AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken: cancellationToken);
    }
}
