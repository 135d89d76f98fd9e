using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;

namespace Checkpointing.CrashTests;

/// <summary>
/// Layer A, exhaustive: small workloads are recorded operation by operation, and every prefix of their
/// operations is turned into the state a process crash, a power loss and several adversarial devices
/// would leave; each state is recovered and checked.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ExhaustiveCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    /// <summary>Adversarial variants per crash point (each a different seeded device).</summary>
    private int AdversarialVariants => 12 * report.Multiplier;

    [Fact]
    public Task A_fresh_stage_survives_a_crash_after_every_operation() =>
        EnumerateAsync("fresh stage", () => new CrashFileSystem(record: true), items: 6, resume: true, previouslyConfirmed: []);

    [Fact]
    public async Task A_resume_survives_a_crash_after_every_operation()
    {
        // The starting point: a first run cut by a power loss half-way through.
        var first = new CrashFileSystem(record: true);
        var outcome = await Workload.RunAsync(first, 5);
        var middle = first.MutationCount / 2;
        var start = first.CrashAfter(middle, CrashModel.PowerLoss);
        var confirmed = outcome.ConfirmedAt.Where(p => p.Value <= middle).Select(p => p.Key).ToList();
        await EnumerateAsync("resume after a power loss", () => CrashFileSystem.FromState(start, record: true), items: 5, resume: true, confirmed);
    }

    [Fact]
    public async Task A_journal_compaction_over_an_existing_snapshot_survives_a_crash_after_every_operation()
    {
        // A completed run leaves a snapshot; the next run adds items, and disposing compacts the journal
        // into the snapshot again (keeping the previous one as .bak).
        var first = new CrashFileSystem();
        var outcome = await Workload.RunAsync(first, 3);
        Assert.Null(outcome.Error);
        var start = first.CrashNow(CrashModel.PowerLoss);
        Assert.True(start.Files.ContainsKey(Workload.CheckpointDirectory + "/work.json"), "the first run left no snapshot to compact over");
        await EnumerateAsync("compaction over a snapshot", () => CrashFileSystem.FromState(start, record: true), items: 5, resume: true, outcome.ConfirmedAt.Keys.ToList(), loseSnapshot: true);
    }

    [Fact]
    public async Task A_fresh_start_over_a_completed_stage_survives_a_crash_after_every_operation()
    {
        var first = new CrashFileSystem();
        Assert.Null((await Workload.RunAsync(first, 3)).Error);
        var start = first.CrashNow(CrashModel.PowerLoss);

        // A fresh start forgets the completed items on purpose: only its own marks are confirmed.
        await EnumerateAsync("fresh start (reset) over a completed stage", () => CrashFileSystem.FromState(start, record: true), items: 3, resume: false, previouslyConfirmed: []);
    }

    // loseSnapshot: also recover each state that has a backup after losing the snapshot, so the backup is needed.
    private async Task EnumerateAsync(string title, Func<CrashFileSystem> create, int items, bool resume, IReadOnlyCollection<string> previouslyConfirmed, bool loseSnapshot = false)
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var fs = create();

        // The clock only moves forward: outputs of the runs before this one were saved before this time.
        var before = StepClock.Shared.GetUtcNow();
        var outcome = await Workload.RunAsync(fs, items, resume);
        Assert.Null(outcome.Error);
        Assert.True(resume || outcome.WorkStartedAt is not null, "the fresh start did no work: nothing would check that its reset is durable");
        var points = fs.MutationCount;
        var seed = report.BaseSeed ^ title.Length;
        figures.Seed($"{title}: {items} items, {points} operations, crash points 0..{points}, {AdversarialVariants} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= points; point++)
        {
            var confirmed = previouslyConfirmed.Concat(outcome.ConfirmedAt.Where(p => p.Value <= point).Select(p => p.Key)).ToList();

            // Once a fresh start's work has begun, its reset must survive any crash.
            DateTimeOffset? freshStart = !resume && point >= outcome.WorkStartedAt ? before : null;
            foreach (var model in new[] { CrashModel.ProcessCrash, CrashModel.PowerLoss })
            {
                var state = fs.CrashAfter(point, model);
                await RecoveryVerifier.VerifyAsync(state, confirmed, items, figures, $"{title}, crash after operation {point}, {model}", freshStart);
                figures.Tested($"crash states: {ModelName(model)}");
                if (loseSnapshot && state.Files.ContainsKey(Workload.CheckpointDirectory + "/work.json.bak"))
                {
                    await RecoveryVerifier.VerifyWithLostSnapshotAsync(state, confirmed, items, figures, $"{title}, crash after operation {point}, {model}");
                    figures.Tested("crash states that need the backup (snapshot lost)");
                }
            }

            for (var variant = 0; variant < AdversarialVariants; variant++)
            {
                var random = new Random(HashCode.Combine(seed, point, variant));
                await RecoveryVerifier.VerifyAsync(fs.CrashAfter(point, CrashModel.Adversarial, random), confirmed, items, figures, $"{title}, crash after operation {point}, adversarial device {variant} (seed {seed})", freshStart);
                figures.Tested($"crash states: {ModelName(CrashModel.Adversarial)}");
            }
        }

        Finish(title, figures, stopwatch.Elapsed);
    }

    internal static string ModelName(CrashModel model) => model switch
    {
        CrashModel.ProcessCrash => "process crash",
        CrashModel.PowerLoss => "power loss",
        _ => "adversarial device",
    };

    private void Finish(string title, Figures figures, TimeSpan elapsed)
    {
        var text = report.Record("Exhaustive: " + title, figures, elapsed);
        output.WriteLine(figures.ToMarkdown(title));
        output.WriteLine($"(full report: {ReliabilityReport.ReportPath})");
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
        _ = text;
    }
}
