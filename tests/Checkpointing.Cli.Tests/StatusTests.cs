using System.Diagnostics;
using System.Text.Json;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary><c>checkpoint status</c> on stages written by the runtime in other processes: failed, running, killed.</summary>
public sealed class StatusTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private string Root => _dir["data"];

    [Fact]
    public async Task A_failed_stage_shows_counts_cost_estimate_and_error_and_exits_1()
    {
        await Pipelines.RunStageAsync(Root, "book-7", "work", 40, failAt: 25);
        await Pipelines.RunStageAsync(Root, "book-7", "second", 10);

        var text = await Tool.RunProcessAsync("status", Root);
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("run book-7", text.Out);
        Assert.Matches(@"work\s+│\s+failed\s+│\s+24\s+│\s+1\s+│\s+16\s+│", text.Out);
        Assert.Contains("injected failure at item 25", text.Out);
        Assert.Matches(@"second\s+│\s+completed\s+│\s+10\s+│\s+0\s+│\s+0\s+│", text.Out);

        var json = await Tool.RunProcessAsync("status", Root, "--json");
        Assert.Equal(1, json.ExitCode);
        var root = json.Json();
        Shape.AssertSchema(root, "checkpointing.cli.status", Shape.Status);
        var stages = root.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["second", "work"], stages.Select(s => s.GetProperty("stage").GetString()));
        foreach (var stage in stages)
        {
            Shape.Assert(stage, Shape.Stage, "stage");
            Shape.Assert(stage.GetProperty("last_run"), Shape.Run, "last_run");
            Shape.AssertEach(stage.GetProperty("failed_items"), Shape.FailedItem, "failed item");
        }

        var work = stages[1];
        Assert.Equal("failed", work.GetProperty("state").GetString());
        Assert.Equal(40, work.GetProperty("items").GetInt32());
        Assert.Equal(24, work.GetProperty("completed").GetInt32());
        Assert.Equal(16, work.GetProperty("remaining").GetInt32());
        var cost = Enumerable.Range(1, 24).Sum(Pipelines.CostOf);
        Assert.Equal(cost, work.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(decimal.Round(cost / 24 * 16, 4), work.GetProperty("estimated_cost_to_finish_usd").GetDecimal());
        Assert.Equal("000025", work.GetProperty("failed_items")[0].GetProperty("key").GetString());
        Assert.Contains("injected failure", work.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, work.GetProperty("lock").ValueKind);

        var onlyRun = await Tool.RunAsync("status", Path.Combine(Root, "book-7"), "--json");
        Assert.Equal(2, onlyRun.Json().GetProperty("stages").GetArrayLength());
    }

    [Fact]
    public async Task A_stage_running_in_another_process_is_shown_running_with_its_holder_and_is_not_disturbed_by_a_watch()
    {
        var (worker, workerOut, _) = Tool.Start("dotnet", [Tool.WorkerPath, "stage", "--root", Root, "--run-id", "live", "--items", "300", "--delay-ms", "12", "--parallel", "2"]);
        using var _w = worker;
        await WaitForAsync(() => Tool.Text(workerOut).Contains("COMPLETED "), "the worker's first completed item");

        var (watch, watchOut, watchErr) = Tool.Start("dotnet", [Tool.CliPath, "status", Root, "--watch", "--json", "--interval", "100ms"]);
        using var _s = watch;
        try
        {
            var once = await Tool.RunProcessAsync("status", Root, "--run", "live", "--json");
            var stage = once.Json().GetProperty("stages")[0];
            Assert.True(stage.GetProperty("state").GetString() == "running", once.ToString());
            Assert.True(stage.GetProperty("running").GetBoolean());
            Shape.Assert(stage.GetProperty("lock"), Shape.Lock, "lock");
            Assert.Equal(worker.Id, stage.GetProperty("lock").GetProperty("pid").GetInt32());
            Assert.True(stage.GetProperty("lock").GetProperty("alive").GetBoolean());
            Assert.Equal(300, stage.GetProperty("items").GetInt32());
            Assert.True(stage.GetProperty("remaining").GetInt32() > 0);
            Assert.Equal(0, once.ExitCode);

            await worker.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            Assert.True(worker.ExitCode == 0, Tool.Text(workerOut));
            Assert.Contains("RESULT status=Completed skipped=0 processed=300", Tool.Text(workerOut));

            // The watch sees the end; every document it wrote parses, and progress never goes backwards.
            await WaitForAsync(() => Tool.Text(watchOut).Contains("\"state\":\"completed\""), "the watch to show the completed stage");
            var previous = -1;
            var documents = Tool.Text(watchOut).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(documents.Length >= 2, Tool.Text(watchOut));
            foreach (var line in documents)
            {
                using var document = JsonDocument.Parse(line);
                Shape.AssertSchema(document.RootElement, "checkpointing.cli.status", Shape.Status);
                var completed = document.RootElement.GetProperty("stages")[0].GetProperty("completed").GetInt32();
                Assert.True(completed >= previous, $"completed went from {previous} to {completed}");
                previous = completed;
            }

            Assert.Equal(300, previous);
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }

        Assert.DoesNotContain("error", Tool.Text(watchErr));
    }

    [Fact]
    public async Task A_stage_whose_process_was_killed_is_interrupted_and_names_the_dead_holder()
    {
        var (worker, workerOut, _) = Tool.Start("dotnet", [Tool.WorkerPath, "stage", "--root", Root, "--run-id", "killed", "--items", "2000", "--delay-ms", "5", "--parallel", "2"]);
        using (worker)
        {
            await WaitForAsync(() => Tool.Text(workerOut).Split('\n').Count(l => l.StartsWith("COMPLETED ", StringComparison.Ordinal)) >= 5, "five completed items");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        var result = await Tool.RunAsync("status", Root);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("interrupted", result.Out);
        Assert.Contains("last held by process", result.Out);
        Assert.Contains("no longer running", result.Out);

        var stage = (await Tool.RunAsync("status", Root, "--json")).Json().GetProperty("stages")[0];
        Assert.Equal("interrupted", stage.GetProperty("state").GetString());
        Assert.False(stage.GetProperty("running").GetBoolean());
        Assert.False(stage.GetProperty("lock").GetProperty("alive").GetBoolean());
        Assert.True(stage.GetProperty("completed").GetInt32() >= 5);
    }

    [Fact]
    public async Task An_unreadable_snapshot_is_reported_by_name_and_the_others_still_shown()
    {
        await Pipelines.RunStageAsync(Root, "r", "work", 5);
        await Pipelines.RunStageAsync(Root, "r", "ok", 5);
        var snapshot = Path.Combine(Root, "r", "checkpoints", "work.json");
        var bytes = File.ReadAllBytes(snapshot);
        File.WriteAllBytes(snapshot, bytes[..(bytes.Length / 2)]);

        var result = await Tool.RunAsync("status", Root, "--json");
        Assert.Equal(1, result.ExitCode);
        var stages = result.Json().GetProperty("stages");
        Assert.Equal("completed", stages[0].GetProperty("state").GetString());
        Assert.Equal("unreadable", stages[1].GetProperty("state").GetString());
        Assert.Contains(snapshot, stages[1].GetProperty("problem").GetString());
        Assert.Contains("the next run", stages[1].GetProperty("problem").GetString());
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public void Dispose() => _dir.Dispose();
}
