using System.Text.Json;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.Paid;

/// <summary>Retries through a Polly pipeline: every attempt's cost is kept, exactly once, with the item's record.</summary>
public sealed class RetryCostTests
{
    private static readonly Polly.ResiliencePipeline Retry =
        ItemPipelines.RetryTransient(maxRetryAttempts: 2, baseDelay: TimeSpan.FromMilliseconds(1), isTransient: e => e is TimeoutException);

    [Fact]
    public async Task The_cost_of_failed_attempts_joins_the_run_the_total_and_the_items_record_once()
    {
        using var dir = new TempDirectory();
        var stage = new PaidStage
        {
            Cost = (page, attempt) => page == 3 && attempt < 3 ? 0.002m : 0.01m,
            Fail = (page, attempt) => page == 3 && attempt < 3 ? new TimeoutException($"429 on page {page}, attempt {attempt}") : null,
        };
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir, parallel: 3, pipeline: Retry));

        Assert.Equal(StageStatus.Completed, result.Status);
        Assert.Equal((10, 0, 2), (result.Processed, result.Failed, result.FailedAttempts));
        Assert.Equal(0.104m, result.RunCostUsd);
        Assert.Equal(12, stage.Calls);

        var state = PaidStage.State(dir);
        Assert.Equal(0.104m, state.TotalCostUsd);
        Assert.Equal(0.104m, state.Runs[^1].CostUsd);
        Assert.Equal(2, state.Runs[^1].FailedAttempts);
        Assert.Equal(0.014m, state.Completed["000003"].CostUsd);
        Assert.Equal(3, state.Completed["000003"].Attempts);
        Assert.Null(state.Completed["000004"].Attempts);
        Assert.Empty(state.Failed);

        // The output carries only the cost no record holds yet: the successful attempt's.
        Assert.Equal(0.01m, StageOutputFile.Read(dir.Combine("book-7", "paid"), "000003", TestJsonContext.Default.PageText)!.CostUsd);
    }

    [Fact]
    public async Task An_item_that_fails_every_attempt_shows_attempts_last_error_and_cost_so_far_and_keeps_them_when_it_completes()
    {
        using var dir = new TempDirectory();
        var failing = true;
        var stage = new PaidStage
        {
            Cost = (page, _) => page == 4 && failing ? 0.003m : 0.01m,
            Fail = (page, attempt) => page == 4 && failing ? new TimeoutException($"timeout #{attempt}") : null,
        };
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir, pipeline: Retry, failure: ItemFailurePolicy.SkipItem));

        Assert.Equal((9, 1, 3), (result.Processed, result.Failed, result.FailedAttempts));
        Assert.Equal(0.099m, result.RunCostUsd);
        var failed = PaidStage.State(dir).Failed["000004"];
        Assert.Equal((3, 0.009m), (failed.Attempts, failed.CostUsd));
        Assert.Equal("TimeoutException: timeout #3", failed.Error);
        Assert.Equal(0.099m, PaidStage.State(dir).TotalCostUsd);
        using (var snapshot = JsonDocument.Parse(PaidStage.SnapshotText(dir)))
        {
            var item = snapshot.RootElement.GetProperty("failed").GetProperty("000004");
            Assert.Equal(3, item.GetProperty("attempts").GetInt32());
            Assert.Equal(0.009m, item.GetProperty("cost_usd").GetDecimal());
        }

        failing = false;
        var retry = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir, pipeline: Retry));
        Assert.Equal((9, 1, 0.01m), (retry.Skipped, retry.Processed, retry.RunCostUsd));
        var state = PaidStage.State(dir);
        Assert.Equal(0.109m, state.TotalCostUsd);
        Assert.Equal((0.019m, 4), (state.Completed["000004"].CostUsd, state.Completed["000004"].Attempts));
        Assert.Equal(state.TotalCostUsd, state.Completed.Values.Sum(c => c.CostUsd));
        Assert.Empty(state.Failed);
    }

    [Fact]
    public async Task Without_a_pipeline_a_failed_item_still_keeps_what_it_cost()
    {
        using var dir = new TempDirectory();
        var stage = new PaidStage
        {
            Cost = (page, _) => page == 5 ? 0.002m : 0.01m,
            Fail = (page, _) => page == 5 ? new InvalidOperationException("model refused") : null,
        };
        var error = await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), PaidStage.Options(dir)));
        Assert.Equal(0.042m, error.Result.RunCostUsd);
        var state = PaidStage.State(dir);
        Assert.Equal(0.042m, state.TotalCostUsd);
        Assert.Equal((1, 0.002m), (state.Failed["000005"].Attempts, state.Failed["000005"].CostUsd));
    }

    [Fact]
    public async Task The_default_pipeline_retries_transient_exceptions_only()
    {
        Assert.True(ItemPipelines.IsTransient(new TimeoutException()));
        Assert.True(ItemPipelines.IsTransient(new HttpRequestException("503")));
        Assert.True(ItemPipelines.IsTransient(new TaskCanceledException("timeout", new TimeoutException())));
        Assert.False(ItemPipelines.IsTransient(new OperationCanceledException()));
        Assert.False(ItemPipelines.IsTransient(new InvalidOperationException()));

        using var dir = new TempDirectory();
        var stage = new PaidStage { Fail = (page, attempt) => page == 2 && attempt == 1 ? new HttpRequestException("503 Service Unavailable") : null };
        var pipeline = ItemPipelines.RetryTransient(baseDelay: TimeSpan.FromMilliseconds(1));
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 3), PaidStage.Options(dir, pipeline: pipeline));
        Assert.Equal((3, 1, 0.04m), (result.Processed, result.FailedAttempts, result.RunCostUsd));
    }
}
