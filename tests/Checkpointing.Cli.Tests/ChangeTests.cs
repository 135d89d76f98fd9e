using Checkpointing.Cli.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Cli.Tests;

/// <summary><c>checkpoint redo</c> and <c>reset</c>: confirmation, refusal under the lock, cost history, and what the next run does.</summary>
public sealed class ChangeTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private string Root => _dir["data"];

    [Fact]
    public async Task Redo_asks_first_then_the_next_run_processes_exactly_those_items_and_the_cost_history_is_kept()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 10);
        var before = FileCheckpointStore.ReadState(Root, "r", "ocr")!;

        var declined = await Tool.RunWithInputAsync("n\n", "redo", Root, "--run", "r", "--stage", "ocr", "--keys", "000003,000007");
        Assert.True(declined.ExitCode == 1, declined.ToString());
        Assert.Contains("Redo 2 item(s) of stage 'ocr' in run 'r'?", declined.Error);
        Assert.Contains("Not confirmed. Nothing was changed.", declined.Error);
        Assert.Equal(10, FileCheckpointStore.ReadState(Root, "r", "ocr")!.CompletedCount);

        var noInput = await Tool.RunAsync("redo", Root, "--run", "r", "--stage", "ocr", "--keys", "000003");
        Assert.Equal(1, noInput.ExitCode);
        Assert.Contains("pass --yes", noInput.Error);

        var done = await Tool.RunProcessWithInputAsync("y\n", "redo", Root, "--run", "r", "--stage", "ocr", "--keys", "000003,000007", "--reason", "manual review", "--json");
        Assert.True(done.ExitCode == 0, done.ToString());
        var report = done.Json();
        Shape.AssertSchema(report, "checkpointing.cli.redo", Shape.Change);
        Shape.AssertEach(report.GetProperty("moved_outputs"), Shape.Moved, "moved output");
        Assert.Equal(Pipelines.CostOf(3) + Pipelines.CostOf(7), report.GetProperty("discarded_cost_usd").GetDecimal());
        Assert.Equal(before.TotalCostUsd, report.GetProperty("cost_usd").GetDecimal());
        Assert.False(File.Exists(Path.Combine(Root, "r", "ocr", "000003.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(Root, "r", "ocr"), "000003.json.redo-*.bak"));

        var after = FileCheckpointStore.ReadState(Root, "r", "ocr")!;
        Assert.Equal(8, after.CompletedCount);
        Assert.Equal(before.TotalCostUsd, after.TotalCostUsd);

        var rerun = await Pipelines.RunStageAsync(Root, "r", "ocr", 10);
        Assert.Equal(2, rerun!.Processed);
        Assert.Equal(8, rerun.Skipped);
        var final = FileCheckpointStore.ReadState(Root, "r", "ocr")!;
        Assert.Equal(10, final.CompletedCount);
        Assert.Equal(before.LifetimeCostUsd + Pipelines.CostOf(3) + Pipelines.CostOf(7), final.LifetimeCostUsd);

        var status = (await Tool.RunAsync("status", Root, "--json")).Json().GetProperty("stages")[0];
        Assert.Equal(2, status.GetProperty("last_run").GetProperty("processed").GetInt32());
    }

    [Fact]
    public async Task Redo_rejects_bad_and_unknown_keys_without_changing_anything()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 5, failAt: 4);
        var traversal = await Tool.RunAsync("redo", Root, "--run", "r", "--stage", "ocr", "--keys", "../../x", "--yes");
        Assert.Equal(2, traversal.ExitCode);
        Assert.Contains("Key '../../x' is not a valid item key", traversal.Error);

        var failed = await Tool.RunAsync("redo", Root, "--run", "r", "--stage", "ocr", "--keys", "000001,000004", "--yes");
        Assert.Equal(2, failed.ExitCode);
        Assert.Contains("Item '000004' is not a completed item of stage 'ocr' (it failed: the next run retries it anyway)", failed.Error);
        Assert.Equal(3, FileCheckpointStore.ReadState(Root, "r", "ocr")!.CompletedCount);

        var stage = await Tool.RunAsync("redo", Root, "--run", "r", "--stage", "nope", "--keys", "000001", "--yes");
        Assert.Equal(2, stage.ExitCode);
        Assert.Contains("Stage 'nope' has no checkpoint in run 'r'", stage.Error);
        Assert.Contains("its stages are: ocr", stage.Error);
    }

    [Fact]
    public async Task Redo_and_reset_are_refused_while_another_process_holds_the_stage()
    {
        await Pipelines.RunStageAsync(Root, "r", "work", 5);
        var (worker, output, _) = Tool.Start("dotnet", [Tool.WorkerPath, "stage", "--root", Root, "--run-id", "r", "--items", "3000", "--delay-ms", "5", "--parallel", "1"]);
        using (worker)
        {
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!File.Exists(Path.Combine(Root, "r", "checkpoints", "work.lock.json")) || !Tool.Text(output).Contains("COMPLETED "))
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the worker did not start");
                    await Task.Delay(20);
                }

                var redo = await Tool.RunProcessAsync("redo", Root, "--run", "r", "--stage", "work", "--keys", "000001", "--yes");
                Assert.True(redo.ExitCode == 1, redo.ToString());
                Assert.Contains($"Refused: stage 'work' is running (process {worker.Id} on", redo.Error);
                Assert.Contains("Nothing was changed.", redo.Error);

                var reset = await Tool.RunAsync("reset", Root, "--run", "r", "--stage", "work", "--yes");
                Assert.Equal(1, reset.ExitCode);
                Assert.Contains("Refused", reset.Error);
                Assert.True(FileCheckpointStore.ReadState(Root, "r", "work")!.CompletedCount >= 5);
            }
            finally
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Redo_is_refused_by_the_lock_itself_when_the_holder_file_is_gone()
    {
        await Pipelines.RunStageAsync(Root, "r", "work", 3);

        // A holder that left no info file: only the OS lock says the stage is taken.
        await using var held = await new FileCheckpointStore(Root).OpenAsync(new CheckpointOpenRequest { RunId = "r", StageName = "work", OutputDirectory = "work" }, default);
        File.Delete(Path.Combine(Root, "r", "checkpoints", "work.lock.json"));
        var redo = await Tool.RunProcessAsync("redo", Root, "--run", "r", "--stage", "work", "--keys", "000001", "--yes");
        Assert.True(redo.ExitCode == 1, redo.ToString());
        Assert.Contains("is already running", redo.Error);
        Assert.Contains("Nothing was changed.", redo.Error);
        Assert.True(File.Exists(Path.Combine(Root, "r", "work", "000001.json")));
    }

    [Fact]
    public async Task Reset_says_what_it_discards_keeps_the_lifetime_cost_and_the_next_run_redoes_everything()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 8, failAt: 6);
        var before = FileCheckpointStore.ReadState(Root, "r", "ocr")!;

        var reset = await Tool.RunProcessWithInputAsync("yes\n", "reset", Root, "--run", "r", "--stage", "ocr");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Contains($"This discards 5 completed item(s), {Format.Money(before.TotalCostUsd)} of spent work", reset.Error);
        Assert.Contains($"discarded 5 completed item(s), {Format.Money(before.TotalCostUsd)} of spent work", reset.Out);

        var status = (await Tool.RunAsync("status", Root, "--json")).Json().GetProperty("stages")[0];
        Assert.Equal("reset", status.GetProperty("state").GetString());
        Assert.Equal(0, status.GetProperty("completed").GetInt32());
        Assert.Equal(8, status.GetProperty("remaining").GetInt32());
        Assert.Equal(before.LifetimeCostUsd, status.GetProperty("lifetime_cost_usd").GetDecimal());
        Assert.Equal(0, (await Tool.RunAsync("status", Root)).ExitCode);

        var rerun = await Pipelines.RunStageAsync(Root, "r", "ocr", 8);
        Assert.Equal(8, rerun!.Processed);
        var after = FileCheckpointStore.ReadState(Root, "r", "ocr")!;
        Assert.Equal(before.LifetimeCostUsd + Enumerable.Range(1, 8).Sum(Pipelines.CostOf), after.LifetimeCostUsd);
        Assert.Equal(before.Runs.Count + 1, after.Runs.Count);
    }

    [Fact]
    public async Task Changes_to_an_unreadable_checkpoint_are_refused_and_the_file_is_left_as_it_is()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 4);
        var snapshot = Path.Combine(Root, "r", "checkpoints", "ocr.json");
        File.WriteAllText(snapshot, "{\"format\": \"checkpointing.stage\", \"vers");
        var reset = await Tool.RunAsync("reset", Root, "--run", "r", "--stage", "ocr", "--yes");
        Assert.Equal(1, reset.ExitCode);
        Assert.Contains("is unreadable", reset.Error);
        Assert.Contains("nothing was changed", reset.Error);
        Assert.Equal("{\"format\": \"checkpointing.stage\", \"vers", File.ReadAllText(snapshot));
    }

    public void Dispose() => _dir.Dispose();
}
