using System.Text.Json;
using Checkpointing.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Tests;

/// <summary>The numbered behaviours of the stage checkpoint (issue 2), through <see cref="StageRunner"/>.</summary>
public sealed class StageRunnerTests
{
    private static StageRunOptions Options(TempDirectory dir, FakeLogger? logger = null, bool resume = true, int parallel = 1,
        ItemFailurePolicy failure = ItemFailurePolicy.FailStage, CommitPolicy? commit = null) => new()
    {
        Root = dir.Path,
        RunId = "scan-0042",
        Resume = resume,
        MaxDegreeOfParallelism = parallel,
        ItemFailurePolicy = failure,
        CommitPolicy = commit ?? CommitPolicy.EveryItem,
        Logger = logger,
    };

    private static string OutputPath(TempDirectory dir, int page) => dir.Combine("scan-0042", "ocr", CheckpointKeys.From(page) + ".json");

    private static StageCheckpointDocument State(TempDirectory dir) => FileCheckpointStore.ReadState(dir.Path, "scan-0042", "ocr")!;

    [Fact]
    public async Task A_first_run_processes_everything_and_writes_the_documented_layout()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 20), Options(dir, parallel: 4));

        Assert.Equal((20, 0, 20, 0), (result.Total, result.Skipped, result.Processed, result.Failed));
        Assert.Equal(0.20m, result.RunCostUsd);
        Assert.Equal(StageStatus.Completed, result.Status);
        Assert.True(File.Exists(dir.Combine("scan-0042", "checkpoints", "ocr.json")));
        var output = StageOutputFile.Read(dir.Combine("scan-0042", "ocr"), "000003", TestJsonContext.Default.PageText)!;
        Assert.Equal(new PageText(3, "text of page 3"), output.Output);
        Assert.Equal(0.01m, output.CostUsd);

        using var snapshot = JsonDocument.Parse(File.ReadAllBytes(dir.Combine("scan-0042", "checkpoints", "ocr.json")));
        var root = snapshot.RootElement;
        Assert.Equal("checkpointing.stage", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(0.20m, root.GetProperty("total_cost_usd").GetDecimal());
        Assert.Equal(20, root.GetProperty("completed").EnumerateObject().Count());
        Assert.Equal(1, root.GetProperty("runs").GetArrayLength());
    }

    // 1. Open: exclusive lock per stage.
    [Fact]
    public async Task A_second_open_of_the_same_stage_is_refused_naming_the_holder()
    {
        using var dir = new TempDirectory();
        await using var first = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "ocr" });
        var error = await Assert.ThrowsAsync<CheckpointLockedException>(() =>
            StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "ocr" }));
        Assert.Equal(Environment.ProcessId, error.OwnerProcessId);
        Assert.Equal(Environment.MachineName, error.OwnerHost);
        Assert.NotNull(error.Since);
        Assert.Contains($"process {Environment.ProcessId}", error.Message);

        // Another stage of the same run is independent.
        await using var other = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "fix" });
    }

    [Fact]
    public async Task The_lock_is_released_on_dispose_and_orphaned_temp_files_are_cleaned()
    {
        using var dir = new TempDirectory();
        var options = new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "ocr" };
        await (await StageCheckpoint.OpenAsync(options)).DisposeAsync();
        File.WriteAllText(dir.Combine("r", "ocr", ".000001.json.0123456789ab.ckpt.tmp"), "{\"torn");
        File.WriteAllText(dir.Combine("r", "checkpoints", ".ocr.json.0123456789ab.ckpt.tmp"), "{\"torn");
        await using var again = await StageCheckpoint.OpenAsync(options);
        Assert.Empty(Directory.GetFiles(dir.Combine("r", "ocr")));
        Assert.DoesNotContain(Directory.GetFiles(dir.Combine("r", "checkpoints")), f => f.EndsWith(".ckpt.tmp", StringComparison.Ordinal));
    }

    // 2. Resume.
    [Fact]
    public async Task Resume_skips_completed_items_and_logs_the_saving()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { FailWhen = page => page == 8 };
        await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), Options(dir)));
        Assert.Equal(StageStatus.Failed, State(dir).Status);

        stage.FailWhen = null;
        var logger = new FakeLogger();
        var callsBefore = stage.Calls;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), Options(dir, logger));
        Assert.Equal(7, result.Skipped);
        Assert.Equal(3, result.Processed);
        Assert.Equal(3, stage.Calls - callsBefore);
        Assert.Equal(0.07m, result.EstimatedCostSavedUsd);
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.StartsWith("Resuming: 7 items completed, ~$0.07 saved", StringComparison.Ordinal));
        Assert.Equal(0.10m, result.TotalCostUsd);
    }

    [Fact]
    public async Task A_completed_item_whose_output_is_missing_or_invalid_is_redone_with_the_reason_logged()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 5), Options(dir));
        File.Delete(OutputPath(dir, 2));
        File.WriteAllText(OutputPath(dir, 3), "{\"key\":\"000003\",\"cost_usd\":0.01,\"output\":{\"Page\":3,\"Text\":\"\"}}");
        File.WriteAllText(OutputPath(dir, 4), "{\"key\":\"000004\",\"cost_u");

        var logger = new FakeLogger();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 5), Options(dir, logger));
        Assert.Equal(3, result.Processed);
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("item 000002 was complete but its output file is missing", StringComparison.Ordinal));
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("item 000003 was complete but fails validation: Text is required", StringComparison.Ordinal));
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("item 000004 was complete but is unreadable", StringComparison.Ordinal));
        Assert.Equal("text of page 3", StageOutputFile.Read(dir.Combine("scan-0042", "ocr"), "000003", TestJsonContext.Default.PageText)!.Output.Text);
        Assert.Equal(3, State(dir).Runs[^1].Invalidated);
    }

    [Fact]
    public async Task A_valid_output_saved_but_never_marked_is_adopted_with_its_cost()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { Cost = page => 0.25m };
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 3), Options(dir));

        // Simulate a crash between save and mark: page 4's output exists, the checkpoint does not know it.
        var bytes = StageOutputFile.Serialize("000004", new PageText(4, "text of page 4"), 0.40m, DateTimeOffset.UtcNow, TestJsonContext.Default.PageText);
        File.WriteAllBytes(OutputPath(dir, 4), bytes);

        var calls = stage.Calls;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 5), Options(dir));
        Assert.Equal(1, stage.Calls - calls); // only page 5
        Assert.Equal(4, result.Skipped);
        Assert.Equal(0.75m + 0.40m + 0.25m, result.TotalCostUsd);
        Assert.True(State(dir).Completed["000004"].Adopted);
    }

    // 3. Fresh start.
    [Fact]
    public async Task A_fresh_start_resets_state_reprocesses_everything_and_keeps_the_history()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), Options(dir));
        stage.Cost = _ => 0.02m;
        var logger = new FakeLogger();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), Options(dir, logger, resume: false));

        Assert.Equal((0, 4), (result.Skipped, result.Processed));
        Assert.Equal(0.08m, result.TotalCostUsd);
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("fresh start requested: reset 4 completed item(s) and $0.04", StringComparison.Ordinal));
        var state = State(dir);
        Assert.Equal(2, state.Runs.Count);
        Assert.Equal(0.04m, state.Runs[0].CostUsd);
        Assert.True(state.Runs[1].Reset);
        Assert.Equal(0.12m, state.LifetimeCostUsd);
        Assert.Equal(0.02m, StageOutputFile.Read(dir.Combine("scan-0042", "ocr"), "000001", TestJsonContext.Default.PageText)!.CostUsd);
    }

    [Fact]
    public async Task After_an_interrupted_fresh_start_outputs_of_the_old_runs_are_not_adopted()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), Options(dir));
        stage.FailWhen = page => page == 2;
        await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), Options(dir, resume: false)));

        stage.FailWhen = null;
        var calls = stage.Calls;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 4), Options(dir));
        Assert.Equal(1, result.Skipped); // page 1, redone by the fresh start
        Assert.Equal(3, stage.Calls - calls);
        Assert.Equal(0.04m, result.TotalCostUsd);
    }

    // 4. Save before mark.
    [Fact]
    public async Task Marking_an_item_whose_output_was_not_saved_is_refused()
    {
        using var dir = new TempDirectory();
        await using var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "ocr" });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoint.MarkCompletedAsync("000001", 1m));
        Assert.Contains("save before mark", error.Message);
        Assert.False(checkpoint.IsCompleted("000001"));

        await checkpoint.SaveOutputAsync("000001", "{}"u8.ToArray());
        await checkpoint.MarkCompletedAsync("000001", 1m);
        Assert.True(checkpoint.IsCompleted("000001"));
    }

    [Fact]
    public async Task Parallel_workers_mark_every_item_exactly_once()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 300), Options(dir, parallel: 16));
        Assert.Equal(300, result.Processed);
        var state = State(dir);
        Assert.Equal(300, state.CompletedCount);
        Assert.Equal(3.00m, state.TotalCostUsd);
        Assert.Equal(300, Directory.GetFiles(dir.Combine("scan-0042", "ocr")).Length);
    }

    // 5. Cost accumulates across runs.
    [Fact]
    public async Task Cost_accumulates_across_runs_and_each_run_is_recorded()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { Cost = _ => 8.50m / 5 };
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 5), Options(dir));
        stage.Cost = _ => 1.20m;
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir));
        stage.Cost = _ => 0.50m;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 7), Options(dir));
        Assert.Equal(10.20m, result.TotalCostUsd);
        Assert.Equal([8.50m, 1.20m, 0.50m], State(dir).Runs.Select(r => r.CostUsd));
    }

    // 6. Commit policy.
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task Pending_marks_are_flushed_when_the_stage_completes(int groupSize)
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 25), Options(dir, commit: CommitPolicy.EveryItems(groupSize)));
        Assert.Equal(25, State(dir).CompletedCount);
    }

    [Fact]
    public async Task A_timed_commit_policy_flushes_without_further_marks()
    {
        using var dir = new TempDirectory();
        await using var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions
        {
            Root = dir.Path, RunId = "r", StageName = "ocr", CommitPolicy = CommitPolicy.Every(TimeSpan.FromMilliseconds(50)),
        });
        await checkpoint.SaveOutputAsync("000001", "{}"u8.ToArray());
        await checkpoint.MarkCompletedAsync("000001", 1m);
        var journal = dir.Combine("r", "checkpoints", "ocr.journal");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(File.Exists(journal) && File.ReadAllText(journal).Contains("\"000001\"", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains("\"000001\"", File.ReadAllText(journal));
    }

    [Fact]
    public async Task Marks_are_appended_to_the_journal_not_rewritten_into_the_snapshot()
    {
        using var dir = new TempDirectory();
        await using var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "ocr" });
        for (var i = 1; i <= 50; i++)
        {
            var key = CheckpointKeys.From(i);
            await checkpoint.SaveOutputAsync(key, "{}"u8.ToArray());
            await checkpoint.MarkCompletedAsync(key, 0.01m);
        }

        Assert.False(File.Exists(dir.Combine("r", "checkpoints", "ocr.json")));
        var lines = File.ReadAllLines(dir.Combine("r", "checkpoints", "ocr.journal"));
        Assert.Equal(50, lines.Length);
        Assert.Matches("^[0-9a-f]{8} \\{\"seq\":1,\"type\":\"completed\"", lines[0]);
        Assert.Equal(50, FileCheckpointStore.ReadState(dir.Path, "r", "ocr")!.CompletedCount);
    }

    // 8. Failure.
    [Fact]
    public async Task An_item_failure_marks_the_stage_failed_keeps_completed_items_and_rethrows()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { FailWhen = page => page == 5 };
        var error = await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), Options(dir)));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Contains("OCR service timed out on page 5", error.Message);
        Assert.Equal(4, error.Result.Processed);

        var state = State(dir);
        Assert.Equal(StageStatus.Failed, state.Status);
        Assert.Contains("Item '000005' failed", state.Error);
        Assert.NotNull(state.FailedAt);
        Assert.Equal(4, state.CompletedCount);
        Assert.Contains("000005", state.Failed.Keys);
    }

    [Fact]
    public async Task The_skip_policy_records_failed_items_continues_and_retries_them_next_run()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { FailWhen = page => page % 4 == 0 };
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), Options(dir, failure: ItemFailurePolicy.SkipItem));
        Assert.Equal((8, 2), (result.Processed, result.Failed));
        Assert.Equal(StageStatus.Failed, result.Status);
        Assert.Equal(["000004", "000008"], result.FailedItems.Keys.Order());

        stage.FailWhen = null;
        var retry = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 10), Options(dir, failure: ItemFailurePolicy.SkipItem));
        Assert.Equal((8, 2, 0), (retry.Skipped, retry.Processed, retry.Failed));
        Assert.Equal(StageStatus.Completed, retry.Status);
        Assert.Empty(State(dir).Failed);
    }

    [Fact]
    public async Task Cancellation_stops_cleanly_and_keeps_completed_items()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        var definition = new TestStage().Definition;
        var slow = new StageDefinition<int, PageText>
        {
            StageName = definition.StageName,
            GetKey = definition.GetKey,
            OutputTypeInfo = definition.OutputTypeInfo,
            ProcessAsync = async (page, context, ct) =>
            {
                if (page == 6)
                {
                    await cts.CancelAsync();
                }

                await Task.Delay(page >= 6 ? 5000 : 0, ct);
                return new PageText(page, "t");
            },
        };
        var error = await Assert.ThrowsAsync<StageCanceledException>(() => StageRunner.RunAsync(slow, Enumerable.Range(1, 10), Options(dir), cts.Token));
        Assert.True(error.Result.Cancelled);
        Assert.Equal(5, error.Result.Processed);
        var state = State(dir);
        Assert.Equal(5, state.CompletedCount);
        Assert.Equal(RunStatus.Cancelled, state.Runs[^1].Status);
    }

    // 9. Keys.
    [Fact]
    public async Task A_key_that_escapes_the_output_folder_is_rejected_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var definition = new StageDefinition<string, PageText>
        {
            StageName = "ocr",
            GetKey = item => item,
            OutputTypeInfo = TestJsonContext.Default.PageText,
            ProcessAsync = (item, context, ct) => ValueTask.FromResult(new PageText(1, item)),
        };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StageRunner.RunAsync(definition, ["ok", "../../x"], Options(dir)));
        Assert.Contains("\"../../x\"", error.Message);
        Assert.False(Directory.Exists(dir.Combine("scan-0042")));
    }

    [Fact]
    public async Task A_stage_name_that_is_not_a_file_name_is_rejected()
    {
        using var dir = new TempDirectory();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "../ocr" }));
        Assert.Contains("Stage name \"../ocr\"", error.Message);
    }
}
