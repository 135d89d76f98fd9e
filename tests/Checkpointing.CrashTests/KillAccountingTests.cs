using System.Diagnostics;
using System.Globalization;
using Checkpointing.CrashTests.Support;
using Microsoft.Extensions.Logging;
using Checkpointing.Store;

namespace Checkpointing.CrashTests;

/// <summary>
/// Issue 16, items 4 to 6, with real SIGKILLs of the worker process: what a kill leaves in the run history,
/// what the cost of a run means after an adoption, and how much finished (paid) work a kill can lose.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KillAccountingTests(ReliabilityReport report, ITestOutputHelper output) : IDisposable
{
    private const int Parallel = 4;
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpointing-accounting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_killed_run_is_closed_as_interrupted_at_its_last_record_when_the_stage_is_next_opened()
    {
        var root = Path.Combine(_directory, "interrupted");
        using (var killed = Worker.StartStage(root, items: 400, parallel: 2, delayMs: 10))
        {
            await killed.WaitUntilAsync(w => w.Completed.Count >= 5, TimeSpan.FromSeconds(60), "5 items completed");
            Assert.True(killed.Kill(), "the worker ended before it could be killed");
        }

        var dead = FileCheckpointStore.ReadState(root, RealWorkload.RunId, RealWorkload.Stage)!;
        Assert.Equal(RunStatus.InProgress, Assert.Single(dead.Runs).Status);
        var lastRecordAt = dead.UpdatedAt!.Value;

        using (var resumed = Worker.StartStage(root, items: 40, parallel: Parallel, delayMs: 0))
        {
            Assert.Equal(0, await resumed.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        var state = FileCheckpointStore.ReadState(root, RealWorkload.RunId, RealWorkload.Stage)!;
        Assert.Equal(2, state.Runs.Count);
        var first = state.Runs[0];
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.Equal(lastRecordAt, first.EndedAt);
        Assert.True(first.StartedAt <= first.EndedAt && first.EndedAt <= state.Runs[1].StartedAt, $"run 1 ended at {first.EndedAt:O}, outside {first.StartedAt:O} .. {state.Runs[1].StartedAt:O}");
        Assert.Equal(RunStatus.Completed, state.Runs[1].Status);
        Assert.Equal(StageStatus.Completed, state.Status);
        output.WriteLine($"run 1: {first.Status}, {first.StartedAt:O} .. {first.EndedAt:O}, {first.Processed} processed");
    }

    [Fact]
    public async Task A_runs_cost_is_what_it_paid_and_outputs_adopted_from_a_killed_run_are_counted_beside_it()
    {
        var root = Path.Combine(_directory, "cost");
        const int Items = 30;

        // Killed after its 6th output is renamed into place and before that item is marked: adopted next run.
        using (var killed = Worker.StartStage(root, Items, parallel: 1, delayMs: 0, failpoint: "after-rename:6"))
        {
            Assert.Equal(137, await killed.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        var before = FileCheckpointStore.ReadState(root, RealWorkload.RunId, RealWorkload.Stage)!;
        var logger = new FakeLogger();
        var result = await StageRunner.RunAsync(RealDefinition(), Enumerable.Range(1, Items), new StageRunOptions
        {
            Root = root, RunId = RealWorkload.RunId, MaxDegreeOfParallelism = Parallel, Logger = logger,
        });

        var state = FileCheckpointStore.ReadState(root, RealWorkload.RunId, RealWorkload.Stage)!;
        var adopted = state.Completed.Where(c => c.Value.Adopted == true).Select(c => c.Key).ToList();
        Assert.NotEmpty(adopted);
        var adoptedCost = adopted.Sum(k => RealWorkload.CostOf(int.Parse(k, CultureInfo.InvariantCulture)));
        var paidBefore = before.Completed.Values.Sum(c => c.CostUsd);
        var run = state.Runs[^1];

        // cost_usd is what this run paid for, adopted_cost_usd what it found already paid.
        Assert.Equal(result.RunCostUsd, run.CostUsd);
        Assert.Equal(adoptedCost, run.AdoptedCostUsd);
        Assert.Equal(adoptedCost, result.AdoptedCostUsd);
        Assert.Equal(Enumerable.Range(1, Items).Sum(RealWorkload.CostOf) - paidBefore - adoptedCost, run.CostUsd);
        Assert.Equal(state.TotalCostUsd, state.Runs.Sum(r => r.CostUsd + r.AdoptedCostUsd));
        Assert.Equal(paidBefore, state.Runs[0].CostUsd);

        var summary = Assert.Single(logger.Collector.GetSnapshot(), m => m.Message.StartsWith($"Stage {RealWorkload.Stage} completed:", StringComparison.Ordinal)).Message;
        Assert.Contains($"${Usd(result.RunCostUsd)} paid this run, ${Usd(adoptedCost)} adopted from an interrupted run, ${Usd(state.TotalCostUsd)} in total", summary);
        output.WriteLine(summary);
    }

    [Fact]
    public async Task A_kill_loses_at_most_twice_the_parallelism_in_finished_but_unsaved_work()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var random = new Random(report.BaseSeed);
        var kills = 4 * report.Multiplier;
        figures.Seed($"lost finished work: 4,000 items of 0 ms (saving is the bottleneck), {Parallel} workers, {kills} random kills, seed {report.BaseSeed}");
        var losses = new List<int>();
        for (var kill = 0; kill < kills; kill++)
        {
            var root = Path.Combine(_directory, "lost-" + kill);
            // Far more items than a kill lets it finish: on a quick machine 400 were all done before the test, reading
            // the worker's output behind it, saw the completions it waited for, and that kill tested nothing.
            using var run = Worker.StartStage(root, items: 4000, parallel: Parallel, delayMs: 0, failpoint: null, "--report-worked", "true");
            var after = random.Next(10, 60);
            await run.WaitUntilAsync(w => w.Completed.Count >= after, TimeSpan.FromSeconds(60), $"{after} items completed");
            Assert.True(run.Kill(), $"kill {kill}: the worker finished all its items before it could be killed");

            // Finished work survives a kill only as a saved output (marked, or adopted by the next run).
            var worked = run.Lines.Where(l => l.StartsWith("WORKED ", StringComparison.Ordinal)).Select(l => l["WORKED ".Length..]).ToList();
            var lost = worked.Count(key => !IsValidOutput(root, key));
            losses.Add(lost);
            figures.Tested("real kills counting lost finished work");
            if (lost > 2 * Parallel)
            {
                figures.Violated("kills that lost more than 2 x the parallelism in finished work", $"kill {kill} after {after} completions lost {lost} finished item(s)");
            }
        }

        Assert.NotEmpty(losses);
        figures.Tested($"finished items lost per kill, at most ({Parallel} workers)", losses.Max());
        figures.Tested($"finished items lost per kill, in all ({losses.Count} kills)", losses.Sum());
        report.Record("Lost finished work per kill", figures, stopwatch.Elapsed);
        output.WriteLine($"finished items lost per kill: {string.Join(", ", losses)} (bound {2 * Parallel})");
        Assert.True(losses.Max() <= 2 * Parallel, $"a kill lost {losses.Max()} finished item(s), more than 2 x {Parallel}: {string.Join(", ", losses)}");
    }

    private static StageDefinition<int, WorkOutput> RealDefinition() => new()
    {
        StageName = RealWorkload.Stage,
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = CrashJsonContext.Default.WorkOutput,
        Validate = o => o.Text == RealWorkload.TextOf(o.Item) ? [] : ["wrong text"],
        ProcessAsync = (item, context, ct) =>
        {
            context.AddCost(RealWorkload.CostOf(item));
            return ValueTask.FromResult(new WorkOutput(item, RealWorkload.TextOf(item)));
        },
    };

    private static bool IsValidOutput(string root, string key)
    {
        var path = RealWorkload.OutputPath(root, key);
        try
        {
            var saved = StageOutputFile.Deserialize(File.ReadAllBytes(path), CrashJsonContext.Default.WorkOutput);
            return saved.Key == key && saved.Output.Text == RealWorkload.TextOf(saved.Output.Item);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return false;
        }
    }

    private static string Usd(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
