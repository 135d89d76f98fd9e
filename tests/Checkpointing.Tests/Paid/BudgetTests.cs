using System.Text.Json;
using System.Text.RegularExpressions;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.Paid;

/// <summary>Cost caps: no new item after the cap, in-flight items saved, a clear stop, a resume with a higher cap.</summary>
public sealed class BudgetTests
{
    [Fact]
    public async Task A_run_budget_stops_parallel_workers_within_the_in_flight_overshoot_and_a_higher_cap_resumes()
    {
        using var dir = new TempDirectory();
        var logger = new FakeLogger();
        var stage = new PaidStage { Delay = TimeSpan.FromMilliseconds(15) };
        const int parallel = 4;
        var error = await Assert.ThrowsAsync<StageBudgetExceededException>(() => StageRunner.RunAsync(
            stage.Definition, Enumerable.Range(1, 40), PaidStage.Options(dir, parallel, budget: 0.10m, logger: logger)));

        var result = error.Result;
        Assert.Equal(0.10m, error.BudgetUsd);
        Assert.Equal(StageStatus.BudgetExceeded, result.Status);

        // Items start only while the run is under its cap, so at most the other workers' items overshoot it.
        Assert.InRange(result.RunCostUsd, 0.10m, 0.10m + (parallel - 1) * 0.01m);
        Assert.InRange(result.Processed, 10, 10 + parallel - 1);
        Assert.Equal(result.Processed, stage.Calls);
        Assert.Equal(0.01m * (40 - result.Processed), result.EstimatedCostToFinishUsd);

        // Every item that was worked on is saved and marked: its work is paid for.
        var state = PaidStage.State(dir);
        Assert.Equal(result.Processed, state.CompletedCount);
        Assert.Equal(result.RunCostUsd, state.TotalCostUsd);
        Assert.Equal(StageStatus.BudgetExceeded, state.Status);
        Assert.Null(state.FailedAt);
        Assert.Equal(result.EstimatedCostToFinishUsd, state.EstimatedCostToFinishUsd);
        using (var snapshot = JsonDocument.Parse(PaidStage.SnapshotText(dir)))
        {
            Assert.Equal("budget_exceeded", snapshot.RootElement.GetProperty("status").GetString());
            Assert.Equal("budget_exceeded", snapshot.RootElement.GetProperty("runs")[0].GetProperty("status").GetString());
            Assert.Equal(result.EstimatedCostToFinishUsd, snapshot.RootElement.GetProperty("estimated_cost_to_finish_usd").GetDecimal());
        }

        var line = Assert.Single(logger.Collector.GetSnapshot(), m => m.Message.Contains("Budget of", StringComparison.Ordinal)).Message;
        Assert.Matches(new Regex($@"Budget of \$0\.10 reached: {result.Processed} of 40 items done, ~\$0\.\d\d more to finish"), line);

        var resumed = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 40), PaidStage.Options(dir, parallel, budget: 1m));
        Assert.Equal(StageStatus.Completed, resumed.Status);
        Assert.Equal((result.Processed, 40 - result.Processed), (resumed.Skipped, resumed.Processed));
        Assert.Equal(0m, resumed.EstimatedCostToFinishUsd);
        Assert.Equal(40, stage.Calls);
        Assert.Equal(0.40m, PaidStage.State(dir).TotalCostUsd);
    }

    [Fact]
    public async Task A_total_budget_counts_earlier_runs_and_stops_before_any_item_when_already_reached()
    {
        using var dir = new TempDirectory();
        var stage = new PaidStage();
        var first = await Assert.ThrowsAsync<StageBudgetExceededException>(() => StageRunner.RunAsync(
            stage.Definition, Enumerable.Range(1, 20), PaidStage.Options(dir, totalBudget: 0.05m)));
        Assert.Equal(5, first.Result.Processed);

        var again = await Assert.ThrowsAsync<StageBudgetExceededException>(() => StageRunner.RunAsync(
            stage.Definition, Enumerable.Range(1, 20), PaidStage.Options(dir, totalBudget: 0.05m)));
        Assert.Equal((5, 0), (again.Result.Skipped, again.Result.Processed));
        Assert.Equal(5, stage.Calls);
        Assert.Equal(0.15m, again.Result.EstimatedCostToFinishUsd);

        var done = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 20), PaidStage.Options(dir, totalBudget: 0.20m));
        Assert.Equal(StageStatus.Completed, done.Status);
        Assert.Equal(0.20m, done.TotalCostUsd);
        Assert.Equal([RunStatus.BudgetExceeded, RunStatus.BudgetExceeded, RunStatus.Completed], PaidStage.State(dir).Runs.Select(r => r.Status));
    }

    [Fact]
    public async Task A_budget_reached_by_the_last_item_completes_the_stage()
    {
        using var dir = new TempDirectory();
        var result = await StageRunner.RunAsync(new PaidStage().Definition, Enumerable.Range(1, 5), PaidStage.Options(dir, budget: 0.05m));
        Assert.Equal(StageStatus.Completed, result.Status);
        Assert.Equal(5, result.Processed);
    }

    [Fact]
    public async Task Progress_reports_the_estimated_cost_to_finish_from_the_cost_per_completed_item()
    {
        using var dir = new TempDirectory();
        var reports = new List<StageProgress>();

        // Each item's work waits for the previous item's report, so each report sees exactly the items before it.
        using var marked = new SemaphoreSlim(1);
        var stage = new PaidStage { Cost = (page, _) => page <= 2 ? 0.02m : 0.04m, BeforeWork = _ => marked.WaitAsync() };
        var progress = new SyncProgress(reports, report => { if (report.LastKey is not null) { marked.Release(); } });
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), PaidStage.Options(dir, progress: progress));

        Assert.Null(reports[0].EstimatedCostToFinishUsd); // nothing completed to estimate from
        Assert.Equal([0.06m, 0.04m, 0.026667m, 0m], reports.Skip(1).Select(r => r.EstimatedCostToFinishUsd!.Value));
    }

    [Fact]
    public async Task A_negative_budget_is_refused_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StageRunner.RunAsync(
            new PaidStage().Definition, [1], PaidStage.Options(dir, budget: -1m)));
        Assert.Equal("CostBudgetUsd", error.ParamName);
        Assert.False(Directory.Exists(dir.Combine("book-7")));
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    internal sealed class SyncProgress(List<StageProgress> reports, Action<StageProgress>? then = null) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }

            then?.Invoke(value);
        }
    }
}
