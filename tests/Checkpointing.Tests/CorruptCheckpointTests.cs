using Checkpointing.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Tests;

/// <summary>Behaviour 7: a torn or corrupt checkpoint never crashes the run blindly.</summary>
public sealed class CorruptCheckpointTests
{
    private static StageRunOptions Options(TempDirectory dir, FakeLogger logger, bool strict = false) => new()
    {
        Root = dir.Path, RunId = "b1", Logger = logger, StrictCheckpoint = strict,
    };

    private static string Snapshot(TempDirectory dir) => dir.Combine("b1", "checkpoints", "ocr.json");

    private static string Journal(TempDirectory dir) => dir.Combine("b1", "checkpoints", "ocr.journal");

    private static async Task<TestStage> CompleteSixPages(TempDirectory dir)
    {
        var stage = new TestStage();
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, new FakeLogger()));
        return stage;
    }

    [Fact]
    public async Task A_torn_journal_tail_is_dropped_reported_and_the_items_rechecked_against_outputs()
    {
        using var dir = new TempDirectory();
        await using (var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "b1", StageName = "ocr" }))
        {
            for (var i = 1; i <= 3; i++)
            {
                var key = CheckpointKeys.From(i);
                await checkpoint.SaveOutputAsync(key, StageOutputFile.Serialize(key, new PageText(i, "t"), 0.5m, DateTimeOffset.UtcNow, TestJsonContext.Default.PageText));
                await checkpoint.MarkCompletedAsync(key, 0.5m);
            }

            await checkpoint.FlushAsync();
            // Keep the journal un-compacted: copy it before dispose folds it into the snapshot.
            File.Copy(Journal(dir), dir.Combine("journal.copy"));
        }

        File.Delete(Snapshot(dir));
        var journal = File.ReadAllBytes(dir.Combine("journal.copy"));
        File.WriteAllBytes(Journal(dir), journal[..^9]); // cut the last record short

        var logger = new FakeLogger();
        var stage = new TestStage();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 3), Options(dir, logger));
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("has no end of line (a write cut short)", StringComparison.Ordinal) && m.Message.Contains("kept 2 whole record(s)", StringComparison.Ordinal));
        Assert.Equal(3, result.Skipped); // the third was adopted from its output
        Assert.Equal(0, stage.Calls);
        Assert.Equal(1.5m, result.TotalCostUsd); // its cost came from the output
    }

    [Fact]
    public async Task A_journal_record_with_a_bad_checksum_ends_replay_there()
    {
        using var dir = new TempDirectory();
        await using (var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "b1", StageName = "ocr" }))
        {
            foreach (var key in new[] { "a", "b", "c" })
            {
                await checkpoint.SaveOutputAsync(key, "{}"u8.ToArray());
                await checkpoint.MarkCompletedAsync(key, 1m);
            }

            File.Copy(Journal(dir), dir.Combine("journal.copy"));
        }

        File.Delete(Snapshot(dir));
        var lines = File.ReadAllLines(dir.Combine("journal.copy"));
        lines[1] = lines[1].Replace("\"b\"", "\"x\"", StringComparison.Ordinal);
        File.WriteAllText(Journal(dir), string.Join('\n', lines) + "\n");

        var state = FileCheckpointStore.ReadState(dir.Path, "b1", "ocr")!;
        Assert.Equal(["a"], state.Completed.Keys);
        await using var reopened = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "b1", StageName = "ocr" });
        Assert.Contains(reopened.RecoveryReports, r => r.Contains("line 2 at byte", StringComparison.Ordinal) && r.Contains("fails its checksum", StringComparison.Ordinal));
        Assert.Single(File.ReadAllLines(Journal(dir)));
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("{\"format\":\"checkpointing.stage\",\"version\":1,\"status\":", "not valid checkpoint JSON")]
    [InlineData("\u0000\u0000\u0000garbage", "not valid checkpoint JSON")]
    [InlineData("{\"format\":\"checkpointing.stage\",\"version\":99}", "version 99 is not supported")]
    [InlineData("{\"format\":\"something.else\",\"version\":1}", "format is 'something.else'")]
    public async Task An_unreadable_snapshot_is_reported_with_its_path_and_the_outputs_are_trusted(string content, string problem)
    {
        using var dir = new TempDirectory();
        var stage = await CompleteSixPages(dir);
        File.WriteAllText(Snapshot(dir), content);
        File.Delete(Snapshot(dir) + ".bak");

        var logger = new FakeLogger();
        var calls = stage.Calls;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, logger));
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains(Snapshot(dir), StringComparison.Ordinal) && m.Message.Contains(problem, StringComparison.Ordinal));
        Assert.Equal(6, result.Skipped);
        Assert.Equal(calls, stage.Calls);
        Assert.Equal(0.06m, result.TotalCostUsd); // re-read from the outputs
    }

    [Fact]
    public async Task An_unreadable_snapshot_falls_back_to_its_previous_version_when_there_is_one()
    {
        using var dir = new TempDirectory();
        var stage = await CompleteSixPages(dir);
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, new FakeLogger()));
        Assert.True(File.Exists(Snapshot(dir) + ".bak"));
        File.WriteAllText(Snapshot(dir), "{ hand-edited and broken");

        var logger = new FakeLogger();
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, logger));
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Message.Contains("using its previous version", StringComparison.Ordinal));
        Assert.Equal(6, result.Skipped);
        Assert.True(FileCheckpointStore.ReadState(dir.Path, "b1", "ocr")!.Runs.Count >= 2);
    }

    [Fact]
    public async Task A_strict_run_fails_on_an_unreadable_snapshot_and_keeps_every_file()
    {
        using var dir = new TempDirectory();
        var stage = await CompleteSixPages(dir);
        File.WriteAllText(Snapshot(dir), "garbage");
        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() =>
            StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, new FakeLogger(), strict: true)));
        Assert.Equal(Snapshot(dir), error.Path);
        Assert.Contains("configured strict", error.Message);
        Assert.Equal("garbage", File.ReadAllText(Snapshot(dir)));
        Assert.Equal(6, Directory.GetFiles(dir.Combine("b1", "ocr")).Length);
    }

    [Fact]
    public void A_monitor_reading_an_unreadable_snapshot_gets_a_clear_error()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("b1", "checkpoints"));
        File.WriteAllText(Snapshot(dir), "[1,2");
        var error = Assert.Throws<CheckpointCorruptException>(() => FileCheckpointStore.ReadState(dir.Path, "b1", "ocr"));
        Assert.Contains(Snapshot(dir), error.Message);
        Assert.Null(FileCheckpointStore.ReadState(dir.Path, "b1", "never-ran"));
    }
}
