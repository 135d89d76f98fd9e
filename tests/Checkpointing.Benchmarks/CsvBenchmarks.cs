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

    /// <summary>
    /// CsvHelper's writer with the formula-injection escaping the LSI writer turns on (<c>CsvInjection.Escape</c>):
    /// splits CsvHelper's own cost of that escaping from the LSI writer's formats.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Rows, Description = "CsvHelper [CsvRecord] row, injection escaped")]
    public long CsvHelperRecordEscaped() => Write(_csv, CsvWriterOptions.For<CsvRow107>() with { Injection = CsvInjection.Escape });

    [Benchmark(OperationsPerInvoke = Rows, Description = "[LsiRecord] row")]
    public long LsiRecord() => Write(_lsi);

    /// <summary>The LSI writer with the escaping off (as <c>[LsiRecord(EscapeInjection = false)]</c> registers it): its formats alone against the baseline.</summary>
    [Benchmark(OperationsPerInvoke = Rows, Description = "[LsiRecord] row, injection not escaped")]
    public long LsiRecordUnescaped() => Write(_lsi, CsvWriterOptions.For<FullLsiRow>() with { Injection = CsvInjection.None });

    /// <summary>
    /// <c>--csv-paired</c>: the four cases in interleaved rounds outside BenchmarkDotNet (each round runs them all, in
    /// an order rotated every round, each on a collected heap), so a load change on the machine hits every case alike;
    /// prints the median time per row of each and its ratio to the baseline's median. BenchmarkDotNet runs the cases
    /// minutes apart, and on this machine its ratios moved by 0.2-0.5 between runs.
    /// </summary>
    public static void PrintPaired(int rounds)
    {
        var bench = new CsvBenchmarks();
        bench.Setup();
        (string Name, Func<long> Run)[] cases =
        [
            ("CsvHelper [CsvRecord] row (baseline)", bench.CsvHelperRecord),
            ("CsvHelper [CsvRecord] row, injection escaped", bench.CsvHelperRecordEscaped),
            ("[LsiRecord] row", bench.LsiRecord),
            ("[LsiRecord] row, injection not escaped", bench.LsiRecordUnescaped),
        ];
        var samples = cases.Select(_ => new List<double>()).ToArray();
        for (var round = -3; round < rounds; round++)
        {
            // Three warm-up rounds take the JIT's tiering out of the measured ones.
            for (var k = 0; k < cases.Length; k++)
            {
                var i = (k + Math.Max(round, 0)) % cases.Length;
                Samples.Collect();
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                cases[i].Run();
                var perRow = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / Rows;
                if (round >= 0)
                {
                    samples[i].Add(perRow);
                }
            }
        }

        var medians = samples.Select(s => Samples.Percentile(s, 0.5)).ToArray();
        for (var i = 0; i < cases.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases[i].Name}: median {medians[i]:0.000} us per row (p10 {Samples.Percentile(samples[i], 0.1):0.000}, p90 {Samples.Percentile(samples[i], 0.9):0.000}), {medians[i] / medians[0]:0.00}x the baseline, {medians[i] / medians[1]:0.00}x CsvHelper escaped"));
        }
    }

    private long Write<T>(T[] rows, CsvWriterOptions? options = null)
    {
        _stream.Position = 0;
        _stream.SetLength(0);
        using (var writer = CsvWriter.Create(_stream, options ?? CsvWriterOptions.For<T>(), leaveOpen: true))
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
