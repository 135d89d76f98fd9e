using System.Globalization;
using Checkpointing.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Tests.Paid;

/// <summary>
/// A real worker process is killed (SIGKILL) while every worker waits in a retry after a paid, failed attempt:
/// the next run finds that money in the checkpoint and counts it exactly once in the end.
/// </summary>
public sealed class FailedAttemptKillTests
{
    private const int Items = 8;
    private const decimal Failed = 0.0005m; // StageCommand.FailedAttemptCost

    private static string[] Args(string root, bool hang) =>
        ["stage", "--root", root, "--run-id", "paid", "--items", Items.ToString(CultureInfo.InvariantCulture), "--parallel", "2",
         "--delay-ms", "0", "--retries", "2", "--fail-first-attempt", "true", "--hang-on-retry", hang ? "true" : "false"];

    [Fact]
    public async Task The_cost_of_failed_attempts_survives_a_kill_and_is_counted_once_after_the_resume()
    {
        using var dir = new TempDirectory();
        HashSet<string> hung;
        using (var run = WorkerProcess.Start(Args(dir.Path, hang: true)))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (run.Lines.Count(l => l.StartsWith("RETRYING ", StringComparison.Ordinal)) < 2 && !run.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.False(run.HasExited, "the worker exited instead of hanging in its retries:\n" + string.Join('\n', run.Lines));
            run.Kill();
            hung = run.Lines.Where(l => l.StartsWith("RETRYING ", StringComparison.Ordinal)).Select(l => l["RETRYING ".Length..]).ToHashSet();
        }

        // Both in-flight items failed one paid attempt before the kill: that money is recorded, nothing completed.
        var killed = FileCheckpointStore.ReadState(dir.Path, "paid", "work")!;
        Assert.Equal(2, hung.Count);
        Assert.Empty(killed.Completed);
        Assert.Equal(hung.Order(), killed.Failed.Keys.Order());
        Assert.All(killed.Failed.Values, f => Assert.Equal((1, Failed), (f.Attempts, f.CostUsd)));
        Assert.Equal(2 * Failed, killed.TotalCostUsd);
        Assert.Equal(RunStatus.InProgress, killed.Runs[^1].Status);

        using (var resume = WorkerProcess.Start(Args(dir.Path, hang: false)))
        {
            Assert.Equal(0, await resume.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        // Each item: one failed attempt in the resumed run, plus one in the killed run for the two that hung.
        var state = FileCheckpointStore.ReadState(dir.Path, "paid", "work")!;
        var work = Enumerable.Range(1, Items).Sum(i => 0.001m * ((i % 7) + 1));
        Assert.Equal(StageStatus.Completed, state.Status);
        Assert.Equal(work + ((Items + 2) * Failed), state.TotalCostUsd);
        Assert.Equal(state.TotalCostUsd, state.Completed.Values.Sum(c => c.CostUsd));
        Assert.Empty(state.Failed);
        foreach (var (key, item) in state.Completed)
        {
            var attempts = hung.Contains(key) ? 3 : 2;
            Assert.Equal(attempts, item.Attempts);
            Assert.Equal((0.001m * ((int.Parse(key, CultureInfo.InvariantCulture) % 7) + 1)) + ((attempts - 1) * Failed), item.CostUsd);
        }
    }
}
