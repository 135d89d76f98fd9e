using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;

namespace Checkpointing.CrashTests;

/// <summary>
/// Layer A, random: a thousand seeded workloads (items, parallel workers, commit policy, an earlier
/// crashed or completed run, a fresh start, an item that fails), each crashed at a random operation
/// under a random model, then recovered and checked. A failing seed is replayed with <c>CRASH_SEED</c>.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RandomWorkloadTests(ReliabilityReport report, ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_random_workloads_recover_from_a_random_crash()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var count = 1000 * report.Multiplier;
        var first = report.BaseSeed;
        figures.Seed($"{count} workloads, seeds {first} to {first + count - 1} (workload i uses seed {first} + i)");
        for (var i = 0; i < count; i++)
        {
            await RunOneAsync(first + i, figures);
        }

        var text = report.Record("Random workloads", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("Random workloads"));
        output.WriteLine($"(full report: {ReliabilityReport.ReportPath})");
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
        _ = text;
    }

    private static async Task RunOneAsync(int seed, Figures figures)
    {
        var random = new Random(seed);
        var items = random.Next(2, 8);
        var parallel = random.Next(1, 4);
        var policy = random.Next(4) == 0 ? CommitPolicy.EveryItems(random.Next(2, 4)) : CommitPolicy.EveryItem;
        int? failing = random.Next(5) == 0 ? random.Next(1, items + 1) : null;
        var history = random.Next(3);
        var resume = true;
        IEnumerable<string> previouslyConfirmed = [];
        CrashFileSystem fs;
        string story;
        switch (history)
        {
            case 1:
            {
                // An earlier run of this stage was itself cut by a crash.
                var earlier = new CrashFileSystem(record: true);
                var outcome = await Workload.RunAsync(earlier, items, parallel: parallel, policy: policy);
                var point = random.Next(earlier.MutationCount + 1);
                var model = (CrashModel)random.Next(3);
                fs = CrashFileSystem.FromState(earlier.CrashAfter(point, model, random), record: true);
                previouslyConfirmed = outcome.ConfirmedAt.Where(p => p.Value <= point).Select(p => p.Key).ToList();
                story = $"after an earlier run crashed at operation {point} ({model})";
                break;
            }

            case 2:
            {
                // An earlier run completed; this one is a fresh start that forgets it on purpose.
                var earlier = new CrashFileSystem();
                await Workload.RunAsync(earlier, items);
                fs = CrashFileSystem.FromState(earlier.CrashNow(CrashModel.ProcessCrash), record: true);
                resume = false;
                story = "a fresh start over a completed run";
                break;
            }

            default:
                fs = new CrashFileSystem(record: true);
                story = "a first run";
                break;
        }

        var run = await Workload.RunAsync(fs, items, resume, parallel, policy, failing is { } f ? item => item == f : null);
        var crashPoint = random.Next(fs.MutationCount + 1);
        var crashModel = (CrashModel)random.Next(3);
        var confirmed = previouslyConfirmed.Concat(run.ConfirmedAt.Where(p => p.Value <= crashPoint).Select(p => p.Key));
        var label = $"seed {seed}: {items} items, {parallel} worker(s), commit {policy}, {story}{(failing is null ? "" : $", item {failing} fails")}, crash at operation {crashPoint} of {fs.MutationCount} ({crashModel})";
        await RecoveryVerifier.VerifyAsync(fs.CrashAfter(crashPoint, crashModel, random), confirmed, items, figures, label);
        figures.Tested("random workloads");
        figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(crashModel)}");
    }
}
