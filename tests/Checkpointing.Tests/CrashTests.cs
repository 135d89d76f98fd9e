using System.Globalization;
using Checkpointing.Tests.Support;
using Checkpointing.IO;
using Checkpointing.Store;

namespace Checkpointing.Tests;

/// <summary>
/// A real child process runs a stage of a few hundred items with parallel workers and is killed (SIGKILL)
/// at random moments; after each kill the invariants hold, and the final state equals an uninterrupted run.
/// </summary>
public sealed class CrashTests
{
    // Enough items that the stage cannot finish within the required kills even when a loaded machine
    // lets the worker run ahead of the test reading its output (more items done per kill).
    private const int Items = 1000;

    private static string[] Args(string root) =>
        ["stage", "--root", root, "--run-id", "crash", "--items", Items.ToString(CultureInfo.InvariantCulture), "--parallel", "8", "--delay-ms", "30"];

    [Fact]
    public async Task Killed_twenty_times_at_random_the_stage_resumes_to_the_same_result_as_an_uninterrupted_run()
    {
        using var dir = new TempDirectory();
        var reference = dir.Combine("reference");
        var crashed = dir.Combine("crashed");
        using (var run = WorkerProcess.Start(Args(reference)))
        {
            Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        var seed = Environment.GetEnvironmentVariable("CRASH_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        var confirmed = new HashSet<string>(StringComparer.Ordinal);
        var kills = 0;
        for (var attempt = 0; kills < 24 && attempt < 60; attempt++)
        {
            using var run = WorkerProcess.Start(Args(crashed));
            if (attempt % 3 != 2)
            {
                // Kill after a random number of durable marks: mid-batch, between save and mark, mid-fsync.
                var target = confirmed.Count + random.Next(1, 12);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (confirmed.Count + run.Completed.Count < target && !run.HasExited && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(1);
                }
            }
            else
            {
                // Kill at a random instant, including during start-up, recovery and temp cleanup.
                await Task.Delay(random.Next(0, 200));
            }

            var exitedByItself = run.HasExited;
            run.Kill();
            confirmed.UnionWith(run.Completed);
            if (exitedByItself)
            {
                break;
            }

            kills++;
            AssertInvariants(crashed, confirmed, $"after kill {kills} (seed {seed})");
        }

        Assert.True(kills >= 20, $"only {kills} kills were delivered before the stage completed (seed {seed})");
        using (var final = WorkerProcess.Start(Args(crashed)))
        {
            Assert.Equal(0, await final.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            confirmed.UnionWith(final.Completed);
        }

        AssertInvariants(crashed, confirmed, $"at the end (seed {seed})");
        var expected = FileCheckpointStore.ReadState(reference, "crash", "work")!;
        var actual = FileCheckpointStore.ReadState(crashed, "crash", "work")!;
        Assert.Equal(StageStatus.Completed, actual.Status);
        Assert.Equal(Items, actual.CompletedCount);
        Assert.Equal(expected.TotalCostUsd, actual.TotalCostUsd);
        Assert.Equal(expected.Completed.Keys.Order(), actual.Completed.Keys.Order());
        foreach (var key in expected.Completed.Keys)
        {
            Assert.Equal(expected.Completed[key].CostUsd, actual.Completed[key].CostUsd);
            Assert.Equal(OutputBody(reference, key), OutputBody(crashed, key));
        }

        Assert.Empty(TempFiles(crashed));
    }

    private static void AssertInvariants(string root, HashSet<string> confirmed, string when)
    {
        var state = FileCheckpointStore.ReadState(root, "crash", "work"); // always parses
        var completed = state?.Completed ?? [];
        foreach (var key in confirmed)
        {
            Assert.True(completed.ContainsKey(key), $"{when}: item {key} was confirmed durable but is not complete");
        }

        foreach (var (key, item) in completed)
        {
            var path = Path.Combine(root, "crash", "work", key + ".json");
            Assert.True(File.Exists(path), $"{when}: item {key} is marked complete without an output");
            var body = OutputBody(root, key);
            Assert.Contains($"\"Item\": {int.Parse(key, CultureInfo.InvariantCulture)},", body);
        }

        if (state is not null)
        {
            Assert.Equal(completed.Values.Sum(c => c.CostUsd), state.TotalCostUsd);
        }
    }

    /// <summary>The output file without its <c>saved_at</c> line (the only field that depends on the time).</summary>
    private static string OutputBody(string root, string key) =>
        string.Join('\n', File.ReadAllLines(Path.Combine(root, "crash", "work", key + ".json")).Where(l => !l.Contains("\"saved_at\"", StringComparison.Ordinal)));

    private static IEnumerable<string> TempFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => AtomicFile.IsTempFileName(Path.GetFileName(f)));
}
