using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Checkpointing.Cli;
using CsvHelper;
using Checkpointing.Store;

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

    private string _root = "";

    [GlobalSetup]
    public async Task SetupAsync() => _root = await CliStatusRoot.EnsureAsync(Items);

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
/// Issue 14, start-up: <c>checkpoint status --json</c> on the same 100,000-item root as real processes: the built IL run the
/// way 0.1.0 ran (framework-dependent, JIT-compiled, TieredPGO on: <c>dotnet checkpoint.dll</c>; today's code) against this
/// platform's ReadyToRun package as <c>dotnet tool install</c> puts it in place (published here with the same settings:
/// TieredPGO and tiered compilation off), that package with tiered compilation turned back on (its setting before), the
/// opt-in Native AOT build, and each one's bare start (<c>--version</c>: the floor, the runtime starting and the command
/// line parsed). The Native AOT cases publish that build first (minutes); filter them out (<c>--filter '*CliStartup*ReadyToRun*'
/// '*CliStartup*Jit*'</c>) to leave it unbuilt.
/// </summary>
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1, 1)]
public class CliStartupBenchmarks
{
    private static readonly int Items = BenchData.Smoke ? 1_000 : 100_000;

    private string _root = "";
    private string _readyToRun = "";
    private string _nativeAot = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = await CliStatusRoot.EnsureAsync(Items);
        _readyToRun = ReadyToRun.Value;
    }

    // Native AOT takes minutes to compile: only for its own cases (--smoke's filter leaves them out).
    [GlobalSetup(Targets = [nameof(StatusNativeAot), nameof(VersionNativeAot)])]
    public async Task SetupNativeAotAsync()
    {
        _root = await CliStatusRoot.EnsureAsync(Items);
        _nativeAot = NativeAot.Value;
    }

    // Published once per benchmark process (the setup runs for each case).
    private static readonly Lazy<string> ReadyToRun = new(() => CliProcess.Publish(Path.Combine(BenchData.Root, "cli-readytorun")));
    private static readonly Lazy<string> NativeAot = new(() => CliProcess.Publish(Path.Combine(BenchData.Root, "cli-nativeaot"), "-p:CheckpointCliAot=true"));

    [Benchmark(Baseline = true, Description = "status --json, IL + JIT, TieredPGO on (as 0.1.0 ran)")]
    public int StatusJit() => CliProcess.Run(CliProcess.JitCommand, ["status", _root, "--json"], tieredPgo: true);

    [Benchmark(Description = "status --json, ReadyToRun package")]
    public int StatusReadyToRun() => CliProcess.Run([_readyToRun], ["status", _root, "--json"]);

    [Benchmark(Description = "status --json, ReadyToRun package, tiered compilation on")]
    public int StatusReadyToRunTiered() => CliProcess.Run([_readyToRun], ["status", _root, "--json"], tieredCompilation: true);

    [Benchmark(Description = "status --json, Native AOT (opt-in build)")]
    public int StatusNativeAot() => CliProcess.Run([_nativeAot], ["status", _root, "--json"]);

    [Benchmark(Description = "--version, IL + JIT, TieredPGO on (as 0.1.0 ran)")]
    public int VersionJit() => CliProcess.Run(CliProcess.JitCommand, ["--version"], tieredPgo: true);

    [Benchmark(Description = "--version, ReadyToRun package")]
    public int VersionReadyToRun() => CliProcess.Run([_readyToRun], ["--version"]);

    [Benchmark(Description = "--version, Native AOT (opt-in build)")]
    public int VersionNativeAot() => CliProcess.Run([_nativeAot], ["--version"]);
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
        using (var writer = CsvWriter.Create(stream, CsvWriterOptions.For<FullLsiRow>(), leaveOpen: true))
        {
            writer.WriteHeader<FullLsiRow>();
            for (var i = 0; i < Rows; i++)
            {
                writer.WriteRecord(Row(i));
            }
        }

        File.WriteAllText(marker, "ok");
    }

    [Benchmark(Baseline = true, Description = "CumulativeCsv.Validate<FullLsiRow> (runtime, typed)")]
    public int RuntimeValidate()
    {
        var report = Csv.CumulativeCsv.Validate<FullLsiRow>(_file, r => r.IsbnOrSku!);
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
    private static FullLsiRow Row(int i) => new()
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

/// <summary>
/// The root the status benchmarks read: a stage of <c>items</c> completed items as a compacted snapshot plus a journal of
/// 1,000 more records, as a running stage has (made once, kept between runs).
/// </summary>
internal static class CliStatusRoot
{
    private const int JournalRecords = 1_000;

    public static async Task<string> EnsureAsync(int items)
    {
        var root = Path.Combine(BenchData.Root, "cli-status-" + items);
        var marker = Path.Combine(root, "complete.marker");
        if (File.Exists(marker))
        {
            return root;
        }

        BenchData.TryDelete(root);
        var at = DateTimeOffset.UtcNow;
        long sequence;
        await using (var journal = await new FileCheckpointStore(root).OpenAsync(
            new CheckpointOpenRequest { RunId = "run", StageName = "ocr", OutputDirectory = "ocr", CommitPolicy = CommitPolicy.EveryItems(int.MaxValue) }, default))
        {
            await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = at, Resume = true, Items = items + JournalRecords }, AppendDurability.Deferred, default);
            for (var i = 0; i < items; i++)
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
            JournalFormat.Append(buffer, scratch, new CheckpointRecord { Sequence = ++sequence, Type = CheckpointRecordType.Completed, At = at, Key = BenchData.Key(items + i), CostUsd = 0.0123m });
        }

        File.WriteAllBytes(Path.Combine(root, "run", "checkpoints", "ocr.journal"), buffer.WrittenSpan.ToArray());
        File.WriteAllText(marker, "ok");
        return root;
    }
}

/// <summary>Runs the tool as a process: the built IL (<c>dotnet checkpoint.dll ...</c>) or a published ReadyToRun build.</summary>
internal static class CliProcess
{
    private static readonly Lazy<string> Path_ = new(Find);

    /// <summary><c>dotnet bin/Release/net10.0/checkpoint.dll</c>.</summary>
    public static string[] JitCommand => ["dotnet", Path_.Value];

    public static int Run(params string[] args) => Run(JitCommand, args);

    public static int Run(string[] command, string[] args, bool tieredPgo = false, bool tieredCompilation = false)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        // The runtimeconfig of this build turns TieredPGO off; the environment turns it back on for the 0.1.0 baseline.
        info.Environment["DOTNET_TieredPGO"] = tieredPgo ? "1" : "0";
        if (tieredCompilation)
        {
            // The platform package's runtimeconfig turns tiered compilation off; this turns it back on.
            info.Environment["DOTNET_TieredCompilation"] = "1";
        }
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode <= 1 ? process.ExitCode : throw new InvalidOperationException($"checkpoint exited with {process.ExitCode}: {error.Result}");
    }

    /// <summary>
    /// Publishes the tool for this platform as its RID package is built (<c>dotnet publish -r RID</c>, ReadyToRun from the
    /// project file, or what <paramref name="properties"/> choose) into <paramref name="directory"/>; returns the executable.
    /// </summary>
    public static string Publish(string directory, params string[] properties)
    {
        var project = Path.Combine(RepositoryRoot(), "src", "Checkpointing.Cli", "Checkpointing.Cli.csproj");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "-o", directory }.Concat(properties))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the tool failed ({process.ExitCode}):\n{output}\n{error.Result}");
        }

        var apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? "checkpoint.exe" : "checkpoint");
        return File.Exists(apphost) ? apphost : throw new FileNotFoundException("The published tool has no apphost: " + apphost);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Generators.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Find()
    {
        var path = Path.Combine(RepositoryRoot(), "src", "Checkpointing.Cli", "bin", "Release", "net10.0", "checkpoint.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Checkpointing.Cli in Release first: " + path);
    }
}
