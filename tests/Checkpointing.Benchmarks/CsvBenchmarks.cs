using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using CsvHelper;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 5: writing rows of the 107-column LSI shape with the writer the <c>[LsiRecord]</c> generator
/// registers, against CsvHelper's own <c>[CsvRecord]</c> generated writer for the same members (the
/// baseline). Both write <see cref="Rows"/> rows with the same values to a reused <see cref="MemoryStream"/>;
/// per-row time and allocation come from OperationsPerInvoke. The LSI writer also applies the LSI formats
/// ($ prices, percentages, Yes/No, ISBN clean-up, formula-injection escaping), which is part of its job.
/// </summary>
public class CsvBenchmarks
{
    private const int Rows = 10_000;

    private readonly MemoryStream _stream = new(64 * 1024 * 1024);
    private FullLsiRow[] _lsi = [];
    private CsvRow107[] _csv = [];

    [GlobalSetup]
    public void Setup()
    {
        _lsi = [.. Enumerable.Range(0, Rows).Select(i => Fill(new FullLsiRow(), i))];
        _csv = [.. Enumerable.Range(0, Rows).Select(i => Fill(new CsvRow107(), i))];
        Console.WriteLine($"// Setup: {Rows} rows; LSI bytes {Write(_lsi)}, CsvHelper bytes {Write(_csv)}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "CsvHelper [CsvRecord] row")]
    public long CsvHelperRecord() => Write(_csv);

    [Benchmark(OperationsPerInvoke = Rows, Description = "[LsiRecord] row")]
    public long LsiRecord() => Write(_lsi);

    private long Write<T>(T[] rows)
    {
        _stream.Position = 0;
        _stream.SetLength(0);
        using (var writer = CsvWriter.Create(_stream, CsvWriterOptions.For<T>(), leaveOpen: true))
        {
            writer.WriteRecords(rows);
        }

        return _stream.Length;
    }

    // The same values on both sides, by member type; ISBN columns get a valid ISBN.
    private static T Fill<T>(T row, int i)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? value = type == typeof(string)
                ? (property.Name.Contains("Isbn", StringComparison.Ordinal) ? "9781234567897" : $"{property.Name} {i}, \"quoted\"")
                : type == typeof(decimal) ? 24.99m + (i % 7)
                : type == typeof(int) ? 100 + (i % 500)
                : type == typeof(bool) ? (i % 2 == 0)
                : type == typeof(DateOnly) ? new DateOnly(2025, 3, 15).AddDays(i % 365)
                : null;
            property.SetValue(row, value);
        }

        return row;
    }
}
