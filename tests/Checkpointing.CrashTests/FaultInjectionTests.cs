using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;

namespace Checkpointing.CrashTests;

/// <summary>
/// Layer A, I/O errors: ENOSPC or EIO at the Nth write, fsync or rename of a run, once or for good. The
/// run either completes or fails with an error that names the fault; then, on the file system as the
/// failure left it and on what a power loss right after it leaves, nothing confirmed is lost and the
/// next run completes to the reference. A fsync retried after a failure is a violation by itself.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FaultInjectionTests(ReliabilityReport report, ITestOutputHelper output)
{
    [Fact]
    public Task Every_write_fsync_and_rename_of_a_fresh_run_can_fail() =>
        InjectEverywhereAsync("fresh run", items => new CrashFileSystem(), [], 4 * report.Multiplier);

    [Fact]
    public async Task Every_write_fsync_and_rename_of_a_resumed_run_can_fail()
    {
        var items = 4 * report.Multiplier;
        var first = new CrashFileSystem(record: true);
        var outcome = await Workload.RunAsync(first, items);
        var middle = first.MutationCount / 2;
        var start = first.CrashAfter(middle, CrashModel.PowerLoss);
        var confirmed = outcome.ConfirmedAt.Where(p => p.Value <= middle).Select(p => p.Key).ToList();
        await InjectEverywhereAsync("resumed run", _ => CrashFileSystem.FromState(start), confirmed, items);
    }

    private async Task InjectEverywhereAsync(string title, Func<int, CrashFileSystem> create, IReadOnlyCollection<string> previouslyConfirmed, int items)
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var clean = create(items);
        Assert.Null((await Workload.RunAsync(clean, items)).Error);
        var (writes, fsyncs, renames) = clean.OperationCounts;
        figures.Seed($"{title}: {items} items; a clean run does {writes} writes, {fsyncs} fsyncs, {renames} renames; each one fails in turn with ENOSPC and EIO, once and for good, under both item failure policies (deterministic)");
        foreach (var (operation, count) in new[] { (FaultOperation.Write, writes), (FaultOperation.Fsync, fsyncs), (FaultOperation.Rename, renames) })
        {
            for (var nth = 1; nth <= count; nth++)
            {
                foreach (var kind in new[] { FaultKind.NoSpace, FaultKind.IoError })
                {
                    foreach (var permanent in new[] { false, true })
                    {
                        foreach (var policy in new[] { ItemFailurePolicy.FailStage, ItemFailurePolicy.SkipItem })
                        {
                            await InjectAsync(create(items), new FaultPlan(operation, nth, kind, permanent), policy, previouslyConfirmed, items, figures, title);
                        }
                    }
                }
            }
        }

        var text = report.Record("Fault injection: " + title, figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown(title));
        output.WriteLine($"(full report: {ReliabilityReport.ReportPath})");
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
        _ = text;
    }

    private static async Task InjectAsync(CrashFileSystem fs, FaultPlan plan, ItemFailurePolicy policy, IReadOnlyCollection<string> previouslyConfirmed, int items, Figures figures, string title)
    {
        var label = $"{title}, {plan}, {policy}";
        fs.Fault = plan;
        var outcome = await Workload.RunAsync(fs, items, failurePolicy: policy);
        fs.Fault = null;
        if (fs.FaultsFired == 0)
        {
            return;
        }

        figures.Tested($"faults injected: {(plan.Kind == FaultKind.NoSpace ? "ENOSPC" : "EIO")} at {plan.Operation.ToString().ToLowerInvariant()}");
        var expected = plan.Kind == FaultKind.NoSpace ? FaultPlan.NoSpaceMessage : FaultPlan.IoErrorMessage;
        if (outcome.Error is { } error)
        {
            figures.Tested("runs failed by a fault");
            if (!error.Message.Contains(expected, StringComparison.Ordinal))
            {
                figures.Violated(Violation.UnclearErrors, $"{label}: the run failed with \"{error.GetType().Name}: {error.Message}\", which does not say \"{expected}\"");
            }
        }

        else if (outcome.Result is { Failed: > 0 } result)
        {
            // SkipItem: the run goes on; each failed item must carry the fault's message.
            figures.Tested("runs that skipped items failed by a fault");
            foreach (var (key, message) in result.FailedItems.Where(p => !p.Value.Contains(expected, StringComparison.Ordinal)))
            {
                figures.Violated(Violation.UnclearErrors, $"{label}: item {key} failed with \"{message}\", which does not say \"{expected}\"");
            }
        }

        if (fs.FsyncsOverStaleData > 0)
        {
            figures.Violated(Violation.FsyncRetriedOnStaleData, $"{label}: {fs.FsyncsOverStaleData} fsync(s) succeeded over data an earlier failed fsync had dropped");
        }

        var confirmed = previouslyConfirmed.Concat(outcome.ConfirmedAt.Keys).ToList();
        await RecoveryVerifier.VerifyAsync(fs.CrashNow(CrashModel.ProcessCrash), confirmed, items, figures, label + ", then restarted");
        await RecoveryVerifier.VerifyAsync(fs.CrashNow(CrashModel.PowerLoss), confirmed, items, figures, label + ", then a power loss");
        figures.Tested("crash states: after a fault", 2);
    }
}
