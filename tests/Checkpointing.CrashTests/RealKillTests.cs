using System.Diagnostics;
using Checkpointing.CrashTests.Support;

namespace Checkpointing.CrashTests;

/// <summary>
/// Layer B: the worker process is killed for real (SIGKILL) at every named failpoint of the runtime and
/// at random moments, resumed after each kill until its stage completes, and compared with an
/// uninterrupted reference run. Process start-up dominates the cost (~0.3 to 1 s per kill on a shared
/// 2-core machine), so the default run delivers about a hundred kills; CRASH_MULTIPLIER scales them.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RealKillTests(ReliabilityReport report, ITestOutputHelper output) : IDisposable
{
    private const int Items = 40;
    private static readonly string[] Failpoints =
    [
        "after-temp-write", "during-temp-cleanup", "after-temp-fsync", "during-recovery",
        "after-rename", "mid-journal-record", "after-journal-fsync", "during-compaction",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("checkpointing-kills-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Killed_at_every_failpoint_and_at_random_the_stage_resumes_to_the_reference()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var reference = Path.Combine(_directory, "reference");
        using (var run = Worker.StartStage(reference, Items, parallel: 4, delayMs: 0))
        {
            Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        var seed = report.BaseSeed;
        var random = new Random(seed);
        var failpointKills = 64 * report.Multiplier;
        var randomKills = 36 * report.Multiplier;
        figures.Seed($"real kills: {Items} items, 4 workers, {failpointKills} failpoint kills then {randomKills} random kills, seed {seed}");
        var perFailpoint = Failpoints.ToDictionary(f => f, _ => 0);

        var stage = 0;
        var root = NewStage(ref stage);
        var confirmed = new HashSet<string>(StringComparer.Ordinal);
        var cycles = 0;
        for (var kills = 0; kills < failpointKills + randomKills; cycles++)
        {
            var byFailpoint = kills < failpointKills;
            var failpoint = byFailpoint ? Failpoints[cycles % Failpoints.Length] : null;
            // Recovery, compaction and temp cleanup are hit about once per process: only the first hit can fire.
            var countdown = failpoint is "during-recovery" or "during-compaction" or "during-temp-cleanup" ? 1 : random.Next(1, 5);
            var label = $"stage {stage}, cycle {cycles}, {(failpoint is null ? "random kill" : $"failpoint {failpoint}:{countdown}")} (seed {seed})";
            using var run = Worker.StartStage(root, Items, parallel: 4, delayMs: byFailpoint ? 0 : 3, failpoint is null ? null : $"{failpoint}:{countdown}");
            bool killed;
            if (byFailpoint)
            {
                var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(2));
                killed = code == 137;
                if (!killed && code != 0)
                {
                    figures.Violated(Violation.UnclearErrors, $"{label}: the worker exited with {code}: {run.StandardError}");
                }

                if (killed)
                {
                    perFailpoint[failpoint!]++;
                }
            }
            else
            {
                // Anywhere: start-up, recovery, temp cleanup, mid-item, mid-fsync, compaction.
                await Task.Delay(random.Next(50, 600));
                killed = run.Kill();
            }

            confirmed.UnionWith(run.Completed);
            var state = RealWorkload.CheckAfterKill(root, confirmed, figures, label);
            if (killed)
            {
                kills++;
                figures.Tested(failpoint is null ? "real kills: at random" : "real kills: at failpoints");
            }

            if (state is { Status: StageStatus.Completed, CompletedCount: Items } && !killed)
            {
                RealWorkload.CompareWithReference(root, reference, Items, figures, label);
                figures.Tested("real stages completed after kills and compared with the reference");
                root = NewStage(ref stage);
                confirmed.Clear();
            }

            if (cycles > 20 * (failpointKills + randomKills))
            {
                figures.Violated(Violation.NoProgress, $"{label}: {cycles} restarts delivered only {kills} kills");
                break;
            }
        }

        // Finish the last stage without kills.
        using (var final = Worker.StartStage(root, Items, parallel: 4, delayMs: 0))
        {
            Assert.Equal(0, await final.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            confirmed.UnionWith(final.Completed);
        }

        RealWorkload.CheckAfterKill(root, confirmed, figures, $"stage {stage} at the end");
        RealWorkload.CompareWithReference(root, reference, Items, figures, $"stage {stage} at the end");
        figures.Tested("real stages completed after kills and compared with the reference");
        figures.Tested("real restarts", cycles);
        foreach (var (name, count) in perFailpoint)
        {
            figures.Tested($"real kills at failpoint {name}", count);
        }

        report.Record("Real kills", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("Real kills"));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
        var never = perFailpoint.Where(p => p.Value == 0).Select(p => p.Key).ToList();
        Assert.True(never.Count == 0, $"these failpoints never killed the worker, so they are untested: {string.Join(", ", never)}");
    }

    [Fact]
    public async Task A_second_process_on_the_same_stage_gets_CheckpointLockedException_naming_the_first()
    {
        var root = Path.Combine(_directory, "locked");
        using var first = Worker.StartStage(root, items: 400, parallel: 1, delayMs: 20);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (first.Completed.IsEmpty && !first.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(first.HasExited, "the first worker ended before the second could try the lock");
        using var second = Worker.StartStage(root, items: 400, parallel: 1, delayMs: 0);
        Assert.Equal(4, await second.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var locked = Assert.Single(second.Lines, l => l.StartsWith("LOCKED ", StringComparison.Ordinal));
        Assert.Contains($"process {first.ProcessId} on ", locked);
        Assert.Contains("work.lock", locked);
        Assert.Empty(second.Completed);
        first.Kill();
        var confirmed = first.Completed.ToHashSet(StringComparer.Ordinal);
        var figures = new Figures();
        RealWorkload.CheckAfterKill(root, confirmed, figures, "after the lock test");
        Assert.True(figures.TotalViolations == 0, string.Join('\n', figures.Examples));
        output.WriteLine(locked);
    }

    private string NewStage(ref int stage) => Path.Combine(_directory, "stage-" + (++stage));
}
