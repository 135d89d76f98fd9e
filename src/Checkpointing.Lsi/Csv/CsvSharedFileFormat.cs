using Checkpointing.SharedFiles;
using CsvHelper;

namespace Checkpointing.Csv;

/// <summary>
/// The CSV format of a shared file (<see cref="SharedFileBatches{TRow}"/>) over a CsvHelper record type: a
/// <c>[CsvRecord]</c> type, or an <c>[LsiRecord]</c> one (written in the LSI dialect). Rows keep their order; an updated
/// row replaces the row of its key in place and new rows are appended, or every row is kept sorted by key with
/// <see cref="SortKeys"/>.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="keySelector">The key of a row, such as its ISBN or package name.</param>
/// <param name="writerOptions">The writer options; <c>CsvWriterOptions.For&lt;T&gt;()</c> by default.</param>
/// <param name="readerOptions">The reader options; <c>CsvReaderOptions.For&lt;T&gt;()</c> by default.</param>
public sealed class CsvSharedFileFormat<T>(Func<T, string> keySelector, CsvWriterOptions? writerOptions = null, CsvReaderOptions? readerOptions = null) : ISharedFileFormat<T>
{
    private readonly Func<T, string> _keySelector = keySelector ?? throw new ArgumentNullException(nameof(keySelector));
    private readonly CsvWriterOptions _writerOptions = (writerOptions ?? CsvWriterOptions.For<T>()) with { HasHeader = true };
    private readonly CsvReaderOptions _readerOptions = (readerOptions ?? CsvReaderOptions.For<T>()) with { HasHeader = true, TrackLineNumbers = true };

    private IReadOnlyList<string>? _header;

    /// <summary>Whether the rows are kept sorted by key (ordinal); otherwise in the order they were first saved.</summary>
    public bool SortKeys { get; init; }

    /// <inheritdoc/>
    public void Write(Stream? previous, IReadOnlyList<SharedFileRow<T>> updates, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var rows = previous is null ? [] : Read(previous, cancellationToken).ToList();
        var index = new Dictionary<string, int>(rows.Count + updates.Count, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            index[rows[i].Key] = i;
        }

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

        if (SortKeys)
        {
            rows.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var writer = CsvWriter.Create(destination, _writerOptions, leaveOpen: true);
        writer.WriteRecords(rows.Select(r => r.Row));
        writer.Flush();
    }

    /// <inheritdoc/>
    public IReadOnlyList<SharedFileRow<T>> Read(Stream file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        if (copy.Length == 0)
        {
            throw new InvalidDataException("the file is empty; it should start with the header of " + typeof(T).Name);
        }

        var rows = new List<SharedFileRow<T>>();
        var malformed = false;
        using var reader = CsvReader.Create(new ReadOnlyMemory<byte>(copy.GetBuffer(), 0, (int)copy.Length), _readerOptions with { OnMalformedRecord = _ => malformed = true });
        var expected = ExpectedHeader();
        if (!reader.Headers.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"line 1: the header does not match {typeof(T).Name}; expected '{string.Join(",", expected)}', found '{string.Join(",", reader.Headers)}'");
        }

        var fieldCount = reader.Headers.Count;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = reader.LineNumber;
            if (malformed)
            {
                throw new InvalidDataException($"line {line}: malformed quoting");
            }

            if (reader.FieldCount != fieldCount)
            {
                throw new InvalidDataException($"line {line}: {reader.FieldCount} fields, the header has {fieldCount}");
            }

            T record;
            string key;
            try
            {
                record = reader.GetRecord<T>();
                key = _keySelector(record);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidDataException($"line {line}: {ex.Message}", ex);
            }

            rows.Add(new SharedFileRow<T>(key, record));
        }

        return rows;
    }

    private IReadOnlyList<string> ExpectedHeader()
    {
        if (_header is { } header)
        {
            return header;
        }

        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, _writerOptions, leaveOpen: true))
        {
            writer.WriteHeader<T>();
        }

        using var reader = CsvReader.Create(stream.ToArray(), _readerOptions);
        return _header = [.. reader.Headers];
    }

    /// <inheritdoc/>
    public long EstimateSize(T row)
    {
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, _writerOptions with { HasHeader = false, WriteByteOrderMark = false }, leaveOpen: true))
        {
            writer.WriteRecord(row);
        }

        return stream.Length;
    }
}
