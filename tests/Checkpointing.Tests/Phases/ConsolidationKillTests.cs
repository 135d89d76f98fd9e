using System.Diagnostics;
using System.Text.Json;
using Checkpointing.Phases;
using Checkpointing.Tests.Support;
using Xunit.Abstractions;

namespace Checkpointing.Tests.Phases;

/// <summary>
/// The sample (samples/Consolidation) as a real process: SIGKILLed at random moments while it folds books,
/// resumed, and compared with an uninterrupted run. Each book must be folded in exactly once.
/// </summary>
public sealed class ConsolidationKillTests(ITestOutputHelper output) : IDisposable
{
    private const int BookCount = 30;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_phase_killed_at_random_moments_ends_with_the_result_of_an_uninterrupted_run()
    {
        var reference = _temp.Combine("reference");
        var run = await RunAsync(reference);
        Assert.True(run.ExitCode == 0, run.Output);
        var expected = File.ReadAllBytes(ResultPath(reference));

        var seed = Environment.TickCount;
        var random = new Random(seed);
        var resumed = 0;
        // "0": a snapshot after every book; "0.08": throttled, so a kill loses the books folded since the
        // last snapshot, which the next run folds again (once).
        foreach (var saveInterval in new[] { "0", "0.08" })
        {
            var root = _temp.Combine("killed-" + saveInterval);
            var kills = 0;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var process = Start(root, "--save-interval", saveInterval);
                // Kill once the process has folded 2 to 9 books (so its first snapshot exists), plus a random part
                // of a book's latency, so the kill lands in a book's work or in a save whatever the machine's speed.
                var killed = await KillAfterFoldsAsync(process, random.Next(2, 10), TimeSpan.FromMilliseconds(random.Next(0, 100)));
                resumed += process.Output.Contains("Resuming from", StringComparison.Ordinal) ? 1 : 0;
                if (!killed)
                {
                    break;
                }

                kills++;
                CheckSnapshotsOnDisk(root, $"save interval {saveInterval}, after kill {kills} (seed {seed})");
            }

            var final = await RunAsync(root, "--save-interval", saveInterval);
            resumed += final.Output.Contains("Resuming from", StringComparison.Ordinal) ? 1 : 0;
            output.WriteLine($"save interval {saveInterval}: seed {seed}, {kills} kill(s) at random moments, then a run to the end");
            Assert.True(final.ExitCode == 0, final.Output);
            Assert.Equal(expected, File.ReadAllBytes(ResultPath(root)));

            var state = LatestState(root);
            var done = state.GetProperty("done_books").EnumerateArray().Select(b => b.GetString()!).ToList();
            Assert.Equal(Enumerable.Range(1, BookCount).Select(i => $"book_{i:000}"), done.Order(StringComparer.Ordinal));
            foreach (var tally in state.GetProperty("tallies").EnumerateObject())
            {
                var books = tally.Value.EnumerateArray().Select(b => b.GetString()).ToList();
                Assert.True(books.Count == books.Distinct().Count(), $"'{tally.Name}' counts a book twice: {string.Join(", ", books)}");
            }
        }

        Assert.True(resumed >= 1, $"no run resumed from a snapshot: every kill landed before the first save (seed {seed})");
    }

    [Fact]
    public async Task A_failed_phase_resumes_then_a_rerun_prints_the_cached_result_until_a_book_is_added()
    {
        var root = _temp.Combine("data");
        var failed = await RunAsync(root, "--books", "6", "--fail-at", "4", "--save-interval", "60");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("3 of 6 books are saved", failed.Output, StringComparison.Ordinal);

        var resumed = await RunAsync(root, "--books", "6", "--save-interval", "60");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("Resuming from", resumed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FOLDED book_003", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("FOLDED book_004", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("Result: " + ResultPath(root), resumed.Output, StringComparison.Ordinal);

        var cached = await RunAsync(root, "--books", "6");
        Assert.Contains("Cached result from", cached.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FOLDED", cached.Output, StringComparison.Ordinal);
        Assert.Contains("Result: " + ResultPath(root), cached.Output, StringComparison.Ordinal);

        // A new book changes the input fingerprint: the completed snapshot is not used, and the log says why.
        var grown = await RunAsync(root, "--books", "7");
        Assert.True(grown.ExitCode == 0, grown.Output);
        Assert.DoesNotContain("Cached result", grown.Output, StringComparison.Ordinal);
        Assert.Contains("other inputs", grown.Output, StringComparison.Ordinal);
        Assert.Contains("FOLDED book_007", grown.Output, StringComparison.Ordinal);
        Assert.Contains("\"books\": 7", File.ReadAllText(ResultPath(root)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_process_on_the_same_phase_is_refused_naming_the_first()
    {
        var root = _temp.Combine("data");
        var first = Start(root, "--books", "40", "--latency", "1");
        try
        {
            await first.WaitForOutputAsync("FOLDED", TimeSpan.FromSeconds(60));
            var second = await RunAsync(root, "--books", "40");
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains("is already open", second.Output, StringComparison.Ordinal);
            Assert.Contains($"process {first.Id}", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            first.Kill();
        }
    }

    private static string ResultPath(string root) => Path.Combine(root, "results", "recommendations.json");

    /// <summary>A kill can cut a save, but never leaves a snapshot under its final name that is not whole.</summary>
    private static void CheckSnapshotsOnDisk(string root, string when)
    {
        var folder = Path.Combine(root, "checkpoints", "phase_3");
        foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder, "checkpoint_*.json") : [])
        {
            var info = PhaseSnapshotFile.Inspect(file);
            Assert.True(info.IsValid, $"{when}: {info.FileName}: {info.Problem}");
        }
    }

    private static JsonElement LatestState(string root)
    {
        var latest = Directory.GetFiles(Path.Combine(root, "checkpoints", "phase_3"), "checkpoint_*.json")
            .Select(PhaseSnapshotFile.Inspect)
            .Where(i => i.IsValid)
            .MaxBy(i => i.Sequence)!;
        Assert.True(latest.IsComplete);
        using var document = JsonDocument.Parse(File.ReadAllBytes(latest.Path));
        return document.RootElement.GetProperty("state").Clone();
    }

    private static async Task<bool> KillAfterFoldsAsync(SampleProcess process, int folds, TimeSpan extra)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!process.HasExited && CountFolds(process.Output) < folds)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"the sample folded fewer than {folds} books in a minute:\n{process.Output}");
            await Task.Delay(5);
        }

        var exited = await process.WaitForExitAsync(extra);
        if (exited)
        {
            Assert.True(process.ExitCode == 0, process.Output);
            return false;
        }

        process.Kill();
        return true;
    }

    private static int CountFolds(string output)
    {
        var count = 0;
        for (var i = output.IndexOf("FOLDED", StringComparison.Ordinal); i >= 0; i = output.IndexOf("FOLDED", i + 6, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static SampleProcess Start(string root, params string[] args)
    {
        var defaults = new[] { ("--books", BookCount.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("--latency", "0.1") };
        return SampleProcess.Start(["--root", root, .. args, .. defaults.Where(d => !args.Contains(d.Item1)).SelectMany(d => new[] { d.Item1, d.Item2 })]);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string root, params string[] args)
    {
        var process = Start(root, args);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(120)), "the sample did not finish in 2 minutes:\n" + process.Output);
        return (process.ExitCode, process.Output);
    }

    /// <summary>samples/Consolidation run as a child process.</summary>
    private sealed class SampleProcess
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private SampleProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public int ExitCode => _process.ExitCode;

        public bool HasExited => _process.HasExited;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static SampleProcess Start(string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(SamplePath);
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["Logging__Console__FormatterName"] = "simple";
            return new SampleProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the sample"));
        }

        public async Task<bool> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                _process.WaitForExit(); // drains the redirected output
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(stopwatch.Elapsed < timeout && !_process.HasExited, $"the sample never printed '{text}':\n{Output}");
                await Task.Delay(20);
            }
        }

        /// <summary>SIGKILL: no finally blocks, no flush, no dispose run in the child.</summary>
        public void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            _process.WaitForExit();
        }

        private static string SamplePath
        {
            get
            {
                // tests/Checkpointing.Tests/bin/<Configuration>/net10.0/ -> samples/Consolidation/bin/<Configuration>/net10.0/
                var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
                var framework = Path.GetFileName(baseDirectory);
                var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
                var repository = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", ".."));
                var path = Path.Combine(repository, "samples", "Consolidation", "bin", configuration, framework, "Consolidation.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"The Consolidation sample is not built: {path}");
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
