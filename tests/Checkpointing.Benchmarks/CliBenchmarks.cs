using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Checkpointing.Cli;
using CsvHelper;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 14: <c>checkpoint status</c> on a root holding a 100,000-item stage (goal: under 0.5 s), against
/// the runtime's own monitor read (<see cref="FileCheckpointStore.ReadState(string, string, string)"/>), and
/// as a real process (startup included, what a user waits for). The stage is a compacted snapshot of
/// 100,000 completed items plus a journal of 1,000 more records, as a running stage has.
/// </summary>
public class CliStatusBenchmarks
{
    private static readonly int Items = BenchData.Smoke ? 1_000 : 100_000;
    private const int JournalRecords = 1_000;

    private string _root = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = Path.Combine(BenchData.Root, "cli-status-" + Items);
        var marker = Path.Combine(_root, "complete.marker");
        if (File.Exists(marker))
        {
            return;
        }

        BenchData.TryDelete(_root);
        var at = DateTimeOffset.UtcNow;
        long sequence;
        await using (var journal = await new FileCheckpointStore(_root).OpenAsync(
            new CheckpointOpenRequest { RunId = "run", StageName = "ocr", OutputDirectory = "ocr", CommitPolicy = CommitPolicy.EveryItems(int.MaxValue) }, default))
        {
            await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = at, Resume = true, Items = Items + JournalRecords }, AppendDurability.Deferred, default);
            for (var i = 0; i < Items; i++)
            {
                await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = at, Key = BenchData.Key(i), CostUsd = 0.0123m }, AppendDurability.Deferred, default);
            }

            await journal.CompactAsync(default);
            sequence = journal.GetState().JournalSequence;
        }

        // The journal a running stage has: records after the snapshot, written in the runtime's line format.
        var buffer = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        for (var i = 0; i < JournalRecords; i++)
        {
            JournalFormat.Append(buffer, scratch, new CheckpointRecord { Sequence = ++sequence, Type = CheckpointRecordType.Completed, At = at, Key = BenchData.Key(Items + i), CostUsd = 0.0123m });
        }

        File.WriteAllBytes(Path.Combine(_root, "run", "checkpoints", "ocr.journal"), buffer.WrittenSpan.ToArray());
        File.WriteAllText(marker, "ok");
    }

    [Benchmark(Baseline = true, Description = "FileCheckpointStore.ReadState (runtime)")]
    public int ReadState() => FileCheckpointStore.ReadState(_root, "run", "ocr")!.CompletedCount;

    [Benchmark(Description = "checkpoint status --json (in process)")]
    public Task<int> StatusJson() => RunAsync("status", _root, "--json");

    [Benchmark(Description = "checkpoint status (table, in process)")]
    public Task<int> StatusTable() => RunAsync("status", _root);

    [Benchmark(Description = "checkpoint status --json (process)")]
    public int StatusProcess() => CliProcess.Run("status", _root, "--json");

    [GlobalCleanup]
    public void Cleanup() => BenchData.RecordPeakWorkingSet("CliStatus");

    private static async Task<int> RunAsync(params string[] args)
    {
        var console = new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, interactive: false);
        var code = await CliApp.RunAsync(args, console);
        // 1 is fine: the stage is "interrupted" (its run holds no lock), which status reports as a problem.
        return code <= 1 ? code : throw new InvalidOperationException($"checkpoint {string.Join(' ', args)} exited with {code}");
    }
}

/// <summary>
/// Issue 14: <c>checkpoint validate</c> of a 100,000-row LSI CSV (107 columns), against the runtime's typed
/// validator <see cref="Csv.CumulativeCsv.Validate{T}"/> of the same file (which knows the record type; the
/// tool does not, and checks the LSI formats column by column).
/// </summary>
public class CliValidateBenchmarks
{
    private static readonly int Rows = BenchData.Smoke ? 1_000 : 100_000;

    private string _file = "";

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(BenchData.Root, "cli-validate-" + Rows);
        _file = Path.Combine(directory, "cumulative_checkpoint_20261130_0900_bench.csv");
        var marker = Path.Combine(directory, "complete.marker");
        if (File.Exists(marker))
        {
            return;
        }

        BenchData.TryDelete(directory);
        Directory.CreateDirectory(directory);
        using (var stream = File.Create(_file))
        using (var writer = CsvWriter.Create(stream, CsvWriterOptions.For<LsiRow107>(), leaveOpen: true))
        {
            writer.WriteHeader<LsiRow107>();
            for (var i = 0; i < Rows; i++)
            {
                writer.WriteRecord(Row(i));
            }
        }

        File.WriteAllText(marker, "ok");
    }

    [Benchmark(Baseline = true, Description = "CumulativeCsv.Validate<LsiRow107> (runtime, typed)")]
    public int RuntimeValidate()
    {
        var report = Csv.CumulativeCsv.Validate<LsiRow107>(_file, r => r.IsbnOrSku!);
        return report.IsValid ? report.Rows : throw new InvalidOperationException(string.Join("; ", report.Errors.Take(3)));
    }

    [Benchmark(Description = "checkpoint validate --json (in process)")]
    public async Task<int> Validate()
    {
        var console = new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, interactive: false);
        var code = await CliApp.RunAsync(["validate", _file, "--json"], console);
        return code == 0 ? code : throw new InvalidOperationException($"validate exited with {code}");
    }

    [GlobalCleanup]
    public void Cleanup() => BenchData.RecordPeakWorkingSet("CliValidate");

    // A typical book row: the columns a pipeline fills, the rest empty; each row its own valid ISBN.
    private static LsiRow107 Row(int i) => new()
    {
        IsbnOrSku = Isbn13(i),
        Title = $"Book {i}, \"volume\" {i % 9}",
        Publisher = "Nimble Books LLC",
        Imprint = "xynapse traces",
        ContributorOne = "A. Author",
        ContributorOneRole = "A",
        Pages = 100 + (i % 400),
        PubDate = new DateOnly(2025, 1, 1).AddDays(i % 365),
        Returnable = "Yes-Destroy",
        LanguageCode = "eng",
        AnnotationSummary = $"<p>Summary of book {i}.</p>",
        UsSuggestedListPrice = 9.99m + (i % 30),
        UsWholesaleDiscount = 40m,
    };

    private static string Isbn13(int n)
    {
        var body = "978" + n.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (body[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return body + ((10 - (sum % 10)) % 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Runs the built tool as a process: <c>dotnet checkpoint.dll ...</c> from its own build folder.</summary>
internal static class CliProcess
{
    private static readonly Lazy<string> Path_ = new(Find);

    public static int Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path_.Value);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode <= 1 ? process.ExitCode : throw new InvalidOperationException($"checkpoint exited with {process.ExitCode}");
    }

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        var path = directory is null ? null : Path.Combine(directory.FullName, "src", "Checkpointing.Cli", "bin", "Release", "net8.0", "checkpoint.dll");
        return path is not null && File.Exists(path) ? path : throw new FileNotFoundException("Build src/Checkpointing.Cli in Release first: " + path);
    }
}
