using System.Text;
using Checkpointing.Tests.Support;
using Microsoft.Extensions.Logging;
using Checkpointing.Store;

namespace Checkpointing.Tests;

/// <summary>
/// Issue 16, items 2 and 3: hand-corrupted snapshots, backups and journals on the real disk. A damaged file
/// is kept for inspection and never becomes the backup; recovery keeps every record that still verifies and
/// the run history it can read, and says so in one line.
/// </summary>
public sealed class DamagedCheckpointTests
{
    private static StageRunOptions Options(TempDirectory dir, ILogger logger) => new() { Root = dir.Path, RunId = "b1", Logger = logger };

    private static string Checkpoints(TempDirectory dir) => dir.Combine("b1", "checkpoints");

    private static string Snapshot(TempDirectory dir) => Path.Combine(Checkpoints(dir), "ocr.json");

    private static string Backup(TempDirectory dir) => Snapshot(dir) + ".bak";

    private static string Journal(TempDirectory dir) => Path.Combine(Checkpoints(dir), "ocr.journal");

    /// <summary>Garbage written over the middle of a file, as a bad sector or a careless editor leaves it.</summary>
    private static byte[] Garble(byte[] content)
    {
        var garbled = content.ToArray();
        "\u0000#garbage{[\"".Select(c => (byte)c).ToArray().CopyTo(garbled, garbled.Length / 2);
        return garbled;
    }

    [Fact]
    public async Task A_corrupt_snapshot_is_kept_aside_reported_once_and_never_becomes_the_backup()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage();
        foreach (var items in new[] { 2, 4, 6 })
        {
            await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, items), Options(dir, new FakeLogger()));
        }

        var goodBackup = File.ReadAllBytes(Backup(dir));
        var corrupt = Garble(File.ReadAllBytes(Snapshot(dir)));
        File.WriteAllBytes(Snapshot(dir), corrupt);

        // Opening falls back to the backup, keeps the damaged file aside and replaces it at once.
        var logger = new FakeLogger();
        await using (var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "b1", StageName = "ocr", Logger = logger }))
        {
            var kept = Assert.Single(Directory.GetFiles(Checkpoints(dir), "ocr.json.corrupt-*"));
            Assert.Equal(corrupt, File.ReadAllBytes(kept));
            Assert.Equal(goodBackup, File.ReadAllBytes(Backup(dir)));
            Assert.NotEqual(corrupt, File.ReadAllBytes(Snapshot(dir)));
            var report = Assert.Single(logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Warning).Message;
            Assert.Contains($"Checkpoint '{Snapshot(dir)}' is unreadable", report);
            Assert.Contains($"kept a copy as '{kept}'", report);
            Assert.Contains("using its previous version", report);
        }

        // The runs that follow read a good snapshot: nothing to report, and the damage never reaches .bak.
        for (var run = 0; run < 2; run++)
        {
            var next = new FakeLogger();
            var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6), Options(dir, next));
            Assert.Equal(6, result.Skipped);
            Assert.DoesNotContain(next.Collector.GetSnapshot(), e => e.Level >= LogLevel.Warning);
            Assert.NotEqual(corrupt, File.ReadAllBytes(Backup(dir)));
            // The backup is the good snapshot the previous run replaced (the fallback's history has 2 runs).
            Assert.Equal(2 + run, CheckpointJson.DeserializeDocument(File.ReadAllBytes(Backup(dir))).Runs.Count);
        }

        Assert.Single(Directory.GetFiles(Checkpoints(dir), "ocr.json.corrupt-*"));
    }

    [Fact]
    public async Task With_the_snapshot_and_its_backup_unreadable_every_verified_record_and_the_run_history_are_kept_in_one_report()
    {
        using var dir = new TempDirectory();
        var stage = new TestStage { Cost = page => 0.01m * page };
        foreach (var items in new[] { 20, 40, 60 })
        {
            await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, items), Options(dir, new FakeLogger()));
        }

        // A fourth run marks items 61 to 70 and is killed before it folds its journal into the snapshot.
        byte[] snapshot, backup, journal;
        await using (var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions { Root = dir.Path, RunId = "b1", StageName = "ocr" }))
        {
            await checkpoint.BeginRunAsync(resume: true);
            for (var page = 61; page <= 70; page++)
            {
                var key = CheckpointKeys.From(page);
                await checkpoint.SaveOutputAsync(key, StageOutputFile.Serialize(key, new PageText(page, $"text of page {page}"), 0.01m * page, DateTimeOffset.UtcNow, TestJsonContext.Default.PageText));
                await checkpoint.MarkCompletedAsync(key, 0.01m * page);
            }

            await checkpoint.FlushAsync();
            (snapshot, backup, journal) = (File.ReadAllBytes(Snapshot(dir)), File.ReadAllBytes(Backup(dir)), File.ReadAllBytes(Journal(dir)));
        }

        // Then the disk rots: both snapshots garbled in the middle, and the record of item 64 too.
        var badSnapshot = Garble(snapshot);
        var badBackup = Garble(backup);
        var lines = Encoding.UTF8.GetString(journal).Split('\n');
        var damaged = Array.FindIndex(lines, l => l.Contains("\"key\":\"000064\"", StringComparison.Ordinal));
        lines[damaged] = lines[damaged].Replace("0.64", "0.46", StringComparison.Ordinal);
        var badJournal = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        File.WriteAllBytes(Snapshot(dir), badSnapshot);
        File.WriteAllBytes(Backup(dir), badBackup);
        File.WriteAllBytes(Journal(dir), badJournal);

        var logger = new FakeLogger();
        var calls = stage.Calls;
        var result = await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 70), Options(dir, logger));

        // Nothing is redone and nothing is lost: the journal's records past the damaged one still count.
        Assert.Equal(70, result.Skipped);
        Assert.Equal(calls, stage.Calls);
        var state = FileCheckpointStore.ReadState(dir.Path, "b1", "ocr")!;
        Assert.Equal(Enumerable.Range(1, 70).Sum(p => 0.01m * p), state.TotalCostUsd);
        Assert.All(Enumerable.Range(61, 10).Where(p => p != 64), p => Assert.Null(state.Completed[CheckpointKeys.From(p)].Adopted));
        Assert.True(state.Completed["000064"].Adopted);

        // The history: three runs read from the damaged snapshot, the killed one from the journal, this one.
        Assert.Equal([20, 20, 20, 9, 0], state.Runs.Select(r => r.Processed));
        Assert.Equal([1, 2, 3, 4, 5], state.Runs.Select(r => r.Run));
        Assert.Equal(RunStatus.Interrupted, state.Runs[3].Status);
        Assert.Equal(61, state.Runs[4].Adopted);

        // Every damaged file is kept as it was.
        Assert.Equal(badSnapshot, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Checkpoints(dir), "ocr.json.corrupt-*"))));
        Assert.Equal(badBackup, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Checkpoints(dir), "ocr.json.bak.corrupt-*"))));
        Assert.Equal(badJournal, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Checkpoints(dir), "ocr.journal.corrupt-*"))));

        // One report for the damage, one line for the adoptions; each item only at Debug.
        var report = Assert.Single(logger.Collector.GetSnapshot(), e => e.Level >= LogLevel.Warning).Message;
        Assert.Contains($"Checkpoint '{Snapshot(dir)}' and its previous version are both unreadable", report);
        Assert.Contains("ocr.json.corrupt-", report);
        Assert.Contains("ocr.json.bak.corrupt-", report);
        Assert.Contains("read a run history of 3 run(s)", report);
        Assert.Contains("1 damaged line(s) skipped, 10 record(s) that verify kept", report);
        Assert.Contains("ocr.journal.corrupt-", report);
        Assert.Contains(logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Information && e.Message.Contains("adopted 61 valid output(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Level >= LogLevel.Information && e.Message.Contains("item 0000", StringComparison.Ordinal));
        Assert.Equal(61, logger.Collector.GetSnapshot().Count(e => e.Level == LogLevel.Debug && e.Message.Contains("counted as complete", StringComparison.Ordinal)));
        Assert.True(logger.Collector.GetSnapshot().Count(e => e.Level >= LogLevel.Information) <= 5, string.Join('\n', logger.Collector.GetSnapshot().Select(r => r.Message)));
    }
}
