using System.Text.Json;
using Checkpointing.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Tests.Paid;

/// <summary>Redo of chosen complete items, and run statuses that say what happened.</summary>
public sealed class RedoAndStatusTests
{
    [Fact]
    public async Task Redo_keys_are_processed_again_their_outputs_replaced_their_cost_added_and_the_history_says_why()
    {
        using var dir = new TempDirectory();
        var stage = new PaidStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir));

        stage.Version = "v2";
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10),
            PaidStage.Options(dir, redo: ["000007", "000003"], reason: "manual review: garbled pages"));

        Assert.Equal((8, 2), (result.Skipped, result.Processed));
        Assert.Equal(["000003", "000007"], result.RedoneKeys);
        Assert.Equal(12, stage.Calls);
        var outputs = dir.Combine("book-7", "paid");
        Assert.Equal("v2 text of page 3", StageOutputFile.Read(outputs, "000003", TestJsonContext.Default.PageText)!.Output.Text);
        Assert.Equal("v1 text of page 4", StageOutputFile.Read(outputs, "000004", TestJsonContext.Default.PageText)!.Output.Text);
        Assert.Empty(Directory.GetFiles(outputs, ".*"));

        var state = PaidStage.State(dir);
        Assert.Equal(0.12m, state.TotalCostUsd);
        Assert.Equal(10, state.CompletedCount);
        Assert.Equal(["000003", "000007"], state.Runs[^1].Redo!);
        Assert.Equal("manual review: garbled pages", state.Runs[^1].RedoReason);
        Assert.Null(state.Runs[0].Redo);
        using var snapshot = JsonDocument.Parse(PaidStage.SnapshotText(dir));
        var run = snapshot.RootElement.GetProperty("runs")[1];
        Assert.Equal("manual review: garbled pages", run.GetProperty("redo_reason").GetString());
        Assert.Equal(2, run.GetProperty("redo").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_redo_key_is_a_clear_error_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var stage = new PaidStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10),
            PaidStage.Options(dir, redo: ["000003", "12"])));
        Assert.Equal("RedoKeys", error.ParamName);
        Assert.Contains("stage 'paid'", error.Message);
        Assert.Contains("'12'", error.Message);
        Assert.DoesNotContain("'000003'", error.Message);
        Assert.Contains("e.g. '000001'", error.Message);
        Assert.Equal(10, stage.Calls);
        Assert.Single(PaidStage.State(dir).Runs);
    }

    [Fact]
    public async Task A_cancelled_run_is_cancelled_not_failed_and_keeps_its_items()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        var stage = new PaidStage { Delay = TimeSpan.FromMilliseconds(5) };
        var progress = new CancelAfter(3, cts);
        var error = await Assert.ThrowsAsync<StageCanceledException>(() => StageRunner.RunAsync(
            stage.Definition, Enumerable.Range(1, 50), PaidStage.Options(dir, parallel: 2, progress: progress), cts.Token));

        Assert.Equal(StageStatus.Cancelled, error.Result.Status);
        var state = PaidStage.State(dir);
        Assert.Equal(StageStatus.Cancelled, state.Status);
        Assert.Equal(RunStatus.Cancelled, state.Runs[^1].Status);
        Assert.Null(state.Error);
        Assert.Null(state.FailedAt);
        Assert.Equal(error.Result.Processed, state.CompletedCount);
        using var snapshot = JsonDocument.Parse(PaidStage.SnapshotText(dir));
        Assert.Equal("cancelled", snapshot.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_completion_after_a_failure_clears_the_stale_failed_at_and_error()
    {
        using var dir = new TempDirectory();
        var failing = true;
        var stage = new PaidStage { Fail = (page, _) => failing && page == 2 ? new InvalidOperationException("boom") : null };
        await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), PaidStage.Options(dir)));
        var failed = PaidStage.State(dir);
        Assert.Equal(StageStatus.Failed, failed.Status);
        Assert.NotNull(failed.FailedAt);
        Assert.Contains("boom", failed.Error);

        failing = false;
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), PaidStage.Options(dir));
        var state = PaidStage.State(dir);
        Assert.Equal(StageStatus.Completed, state.Status);
        Assert.Null(state.FailedAt);
        Assert.Null(state.Error);
        Assert.Contains("boom", state.Runs[0].Error);
        using var snapshot = JsonDocument.Parse(PaidStage.SnapshotText(dir));
        Assert.Equal(JsonValueKind.Null, snapshot.RootElement.GetProperty("failed_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, snapshot.RootElement.GetProperty("error").ValueKind);
        Assert.Equal(["failed", "completed"], snapshot.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
    }

    [Fact]
    public void Statuses_are_written_and_read_as_their_snake_case_names()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            Assert.Equal(status, StatusNames.ParseRun(StatusNames.Of(status)));
        }

        foreach (var status in Enum.GetValues<StageStatus>())
        {
            Assert.Equal(status, StatusNames.ParseStage(StatusNames.Of(status)));
        }

        Assert.Equal("budget_exceeded", StatusNames.Of(RunStatus.BudgetExceeded));
        Assert.Equal("interrupted", StatusNames.Of(RunStatus.Interrupted));
        Assert.Throws<FormatException>(() => StatusNames.ParseStage("Completed"));
    }

    private sealed class CancelAfter(int items, CancellationTokenSource cts) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            if (value.Processed >= items)
            {
                cts.Cancel();
            }
        }
    }
}
