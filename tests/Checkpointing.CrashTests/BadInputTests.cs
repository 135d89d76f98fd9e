using System.Text;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Microsoft.Extensions.Logging;
using Checkpointing.Store;

namespace Checkpointing.CrashTests;

/// <summary>
/// Bad files and hostile conditions: each gets a clear message, and no completed work is lost. The runs
/// use the in-memory file system, which also stands in for a read-only directory (the tests run as root,
/// whom chmod does not stop) and a disk that fills up.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BadInputTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const int Items = 5;

    // xunit creates an instance per test: each test owns its tally, so a violation fails the test that
    // found it and no other (a shared static tally failed every later test of the class).
    private readonly Figures _figures = new();
    private static readonly string SnapshotPath = Workload.CheckpointDirectory + "/work.json";
    private static readonly string JournalPath = Workload.CheckpointDirectory + "/work.journal";

    public static TheoryData<string, bool> SnapshotCorruptions => new()
    {
        { "truncated", true }, { "truncated", false },
        { "empty", true }, { "empty", false },
        { "garbage", true }, { "garbage", false },
        { "wrong version", true }, { "wrong version", false },
        { "wrong format", false },
        { "hand-edited into invalid JSON", true }, { "hand-edited into invalid JSON", false },
    };

    [Theory]
    [MemberData(nameof(SnapshotCorruptions))]
    public async Task An_unreadable_snapshot_is_reported_with_its_path_and_nothing_is_lost(string corruption, bool withBackup)
    {
        var fs = await CompletedStageAsync();
        var original = fs.ReadAllBytes(SnapshotPath);
        if (!withBackup)
        {
            fs.Delete(SnapshotPath + ".bak");
        }

        var (bad, problem) = Corrupt(corruption, original);
        fs.Put(SnapshotPath, bad);

        // Strict: the run stops with a message naming the file and the problem, and changes nothing.
        var strict = await Workload.RunAsync(fs, Items, strict: true);
        var error = Assert.IsType<CheckpointCorruptException>(strict.Error);
        Assert.Contains(SnapshotPath, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(bad, fs.ReadAllBytes(SnapshotPath));

        // Default: reported with path and problem, then the previous snapshot or the outputs are trusted.
        var logger = new FakeLogger();
        var outcome = await Workload.RunAsync(fs, Items, logger: logger);
        Assert.Null(outcome.Error);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), m => m.Level == LogLevel.Warning && m.Message.Contains(SnapshotPath, StringComparison.Ordinal));
        Assert.Contains(problem, warning.Message);
        Assert.Contains(withBackup ? "using its previous version" : "starting from what the outputs prove", warning.Message);
        Assert.Equal(0, outcome.Result!.Processed); // every output was kept: nothing is redone
        Check(fs, $"snapshot {corruption}, {(withBackup ? "with" : "without")} .bak");
    }

    [Fact]
    public async Task A_hand_edited_but_valid_snapshot_is_read_as_it_is()
    {
        var fs = await CompletedStageAsync();
        var text = Encoding.UTF8.GetString(fs.ReadAllBytes(SnapshotPath));

        // An editor re-indents the file and someone adds a note: still the same checkpoint.
        var edited = "{\n\t\"note\": \"checked by hand\"," + text.Trim()[1..].Replace("\n  ", "\n\t", StringComparison.Ordinal);
        fs.Put(SnapshotPath, Encoding.UTF8.GetBytes(edited));
        var logger = new FakeLogger();
        var outcome = await Workload.RunAsync(fs, Items, logger: logger);
        Assert.Null(outcome.Error);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), m => m.Level >= LogLevel.Warning);
        Assert.Equal(0, outcome.Result!.Processed);
        Check(fs, "hand-edited valid snapshot");
    }

    [Fact]
    public async Task A_bad_record_in_the_middle_of_the_journal_ends_replay_there_and_is_not_skipped_over()
    {
        var fs = new CrashFileSystem();
        var store = new FileCheckpointStore(Workload.Root, fs, StepClock.Shared);
        var journal = await store.OpenAsync(new CheckpointOpenRequest { RunId = Workload.RunId, StageName = Workload.Stage, OutputDirectory = Workload.Stage }, CancellationToken.None);
        foreach (var item in new[] { 1, 2, 3 })
        {
            await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = StepClock.Shared.GetUtcNow(), Key = Workload.KeyOf(item), CostUsd = Workload.CostOf(item) }, AppendDurability.Immediate, CancellationToken.None);
        }

        // Killed without disposing; then one byte of the middle record rots.
        var crashed = CrashFileSystem.FromState(fs.CrashNow(CrashModel.ProcessCrash));
        var lines = Encoding.UTF8.GetString(crashed.ReadAllBytes(JournalPath)).Split('\n');
        lines[1] = lines[1].Replace("000002", "000009", StringComparison.Ordinal);
        crashed.Put(JournalPath, Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        await using (var checkpoint = await StageCheckpoint.OpenAsync(Workload.CheckpointOptions(), crashed, StepClock.Shared, CancellationToken.None))
        {
            var report = Assert.Single(checkpoint.RecoveryReports);
            Assert.Contains("line 2", report);
            Assert.Contains("fails its checksum", report);
            Assert.True(checkpoint.IsCompleted(Workload.KeyOf(1)));
            Assert.False(checkpoint.IsCompleted(Workload.KeyOf(3)), "a valid record after a bad one was applied: the journal was skipped over, not truncated");
        }

        JournalFormat.ReadValidRecords(crashed.ReadAllBytes(JournalPath), out _, out var problem);
        Assert.Null(problem);
        _figures.Tested("bad input: journal record corrupt mid-file");
        Record();
    }

    [Theory]
    [InlineData("wrong text")]
    [InlineData("another item's output")]
    public async Task An_output_that_is_valid_JSON_but_fails_validation_is_redone_not_accepted(string how)
    {
        var fs = await CompletedStageAsync();
        var path = Workload.OutputDirectory + "/000002.json";
        var bad = how == "wrong text"
            ? Encoding.UTF8.GetString(fs.ReadAllBytes(path)).Replace(Workload.TextOf(2), "item 2: looks fine but is not", StringComparison.Ordinal)
            : Encoding.UTF8.GetString(fs.ReadAllBytes(Workload.OutputDirectory + "/000003.json"));
        fs.Put(path, Encoding.UTF8.GetBytes(bad));

        // Also an output nobody marked, for an item the next run adds: valid JSON, wrong text.
        fs.Put(Workload.OutputDirectory + "/000006.json", StageOutputFile.Serialize("000006", new WorkOutput(6, "item 6: wrong"), 0.5m, StepClock.Shared.GetUtcNow(), CrashJsonContext.Default.WorkOutput));
        var logger = new FakeLogger();
        var outcome = await Workload.RunAsync(fs, Items + 1, logger: logger);
        Assert.Null(outcome.Error);
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Level == LogLevel.Warning && m.Message.Contains("item 000002", StringComparison.Ordinal) && m.Message.Contains(how == "wrong text" ? "fails validation" : "belongs to item", StringComparison.Ordinal));
        Assert.Equal(2, outcome.Result!.Processed);
        Assert.Contains(logger.Collector.GetSnapshot(), m => m.Level == LogLevel.Warning && m.Message.Contains("item 000006", StringComparison.Ordinal) && m.Message.Contains("fails validation", StringComparison.Ordinal));

        // Item 2 was paid for twice: total_cost_usd is what was spent since the reset, so it counts both.
        RecoveryVerifier.CompareWithReference(fs, Items + 1, _figures, $"output with {how}", redoneAfterInvalidation: Workload.CostOf(2));
        _figures.Tested("bad input: output valid JSON but invalid");
        Record();
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData("nul")]
    public async Task Keys_that_try_to_escape_the_root_are_refused_before_anything_is_written(string key)
    {
        var fs = new CrashFileSystem();
        var definition = new StageDefinition<string, WorkOutput>
        {
            StageName = Workload.Stage,
            GetKey = k => k,
            OutputTypeInfo = CrashJsonContext.Default.WorkOutput,
            ProcessAsync = (k, context, ct) => ValueTask.FromResult(new WorkOutput(1, k)),
        };
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            StageRunner.RunAsync(definition, ["ok", key], new StageRunOptions { Root = Workload.Root, RunId = Workload.RunId }, fs, StepClock.Shared, CancellationToken.None));
        Assert.Contains("cannot be used as a file name", error.Message);
        Assert.Contains('"' + key + '"', error.Message);
        Assert.Empty(fs.AllFiles());
        _figures.Tested("bad input: key escaping the root");
        Record();
    }

    [Fact]
    public async Task A_read_only_directory_fails_the_run_clearly_and_the_next_run_resumes()
    {
        // Injected: the tests run as root, and chmod does not stop root.
        var (fs, confirmed) = await HalfDoneStageAsync();
        fs.ReadOnly = true;
        var outcome = await Workload.RunAsync(fs, Items);
        var error = Assert.IsType<UnauthorizedAccessException>(outcome.Error);
        Assert.Contains("is denied", error.Message);
        Assert.Contains(Workload.CheckpointDirectory, error.Message);
        fs.ReadOnly = false;
        await RecoveryVerifier.VerifyAsync(fs.CrashNow(CrashModel.PowerLoss), confirmed, Items, _figures, "read-only directory");
        _figures.Tested("bad input: read-only directory");
        Record();
    }

    [Fact]
    public async Task A_disk_that_fills_up_mid_run_fails_clearly_keeps_completed_items_and_the_next_run_resumes()
    {
        var fs = new CrashFileSystem { Fault = new FaultPlan(FaultOperation.Write, 7, FaultKind.NoSpace, Permanent: true) };
        var outcome = await Workload.RunAsync(fs, Items);
        Assert.NotNull(outcome.Error);
        Assert.Contains(FaultPlan.NoSpaceMessage, outcome.Error!.Message);
        Assert.NotEmpty(outcome.ConfirmedAt);
        fs.Fault = null;
        var state = new FileCheckpointStore(Workload.Root, fs, StepClock.Shared).ReadState(Workload.RunId, Workload.Stage)!;
        Assert.All(outcome.ConfirmedAt.Keys, key => Assert.True(state.Completed.ContainsKey(key), $"item {key} was completed before the disk filled up but is lost"));
        var resumed = await Workload.RunAsync(fs, Items);
        Assert.Null(resumed.Error);
        Assert.True(resumed.Result!.Skipped >= outcome.ConfirmedAt.Count);
        RecoveryVerifier.CompareWithReference(fs, Items, _figures, "disk full");
        _figures.Tested("bad input: disk full mid-run");
        output.WriteLine(outcome.Error.Message);
        Record();
    }

    private static async Task<CrashFileSystem> CompletedStageAsync()
    {
        // Two runs: the second compaction keeps the first snapshot as .bak.
        var fs = new CrashFileSystem();
        Assert.Null((await Workload.RunAsync(fs, Items - 1)).Error);
        Assert.Null((await Workload.RunAsync(fs, Items)).Error);
        Assert.True(fs.FileExists(SnapshotPath + ".bak"));
        return fs;
    }

    private static async Task<(CrashFileSystem Fs, IReadOnlyList<string> Confirmed)> HalfDoneStageAsync()
    {
        var recorded = new CrashFileSystem(record: true);
        var outcome = await Workload.RunAsync(recorded, Items);
        var middle = recorded.MutationCount / 2;
        return (CrashFileSystem.FromState(recorded.CrashAfter(middle, CrashModel.PowerLoss)), outcome.ConfirmedAt.Where(p => p.Value <= middle).Select(p => p.Key).ToList());
    }

    private static (byte[] Bad, string Problem) Corrupt(string corruption, byte[] original)
    {
        var text = Encoding.UTF8.GetString(original);
        return corruption switch
        {
            "truncated" => (original[..(original.Length / 2)], "not valid checkpoint JSON"),
            "empty" => ([], "the file is empty"),
            "garbage" => (Enumerable.Range(0, 300).Select(i => (byte)((i * 73) + 11)).ToArray(), "not valid checkpoint JSON"),
            "wrong version" => (Encoding.UTF8.GetBytes(text.Replace("\"version\": 1", "\"version\": 99", StringComparison.Ordinal)), "version 99 is not supported"),
            "wrong format" => (Encoding.UTF8.GetBytes(text.Replace("checkpointing.stage", "something.else", StringComparison.Ordinal)), "format is 'something.else'"),
            _ => (Encoding.UTF8.GetBytes(text.Replace("\"status\"", "\"status\",", StringComparison.Ordinal)), "not valid checkpoint JSON"),
        };
    }

    private void Check(CrashFileSystem fs, string label)
    {
        RecoveryVerifier.CompareWithReference(fs, Items, _figures, label);
        _figures.Tested("bad input: checkpoint files");
        Record();
    }

    private void Record()
    {
        report.Accumulate("Bad input and hostile conditions", _figures);
        Assert.True(_figures.TotalViolations == 0, string.Join('\n', _figures.Examples));
    }
}
