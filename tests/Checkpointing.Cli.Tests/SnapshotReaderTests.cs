using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Cli.Tests;

/// <summary>
/// <see cref="SnapshotReader"/> (the tool's <see cref="Utf8JsonReader"/> reader, for start-up time) reads exactly what the
/// runtime's reader reads: the same document for every snapshot the runtime writes, and for hand-edited, torn and
/// corrupt ones the same document or the same error, because what it does not decide itself it leaves to the runtime.
/// </summary>
public sealed class SnapshotReaderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private string Root => _dir["data"];

    [Fact]
    public async Task A_snapshot_with_every_member_the_runtime_writes_is_read_by_the_fast_path_as_the_runtime_reads_it()
    {
        var snapshot = await RichSnapshotAsync();
        var text = Encoding.UTF8.GetString(snapshot);
        // The snapshot really holds what the reader must get right.
        foreach (var member in new[] { "\"adopted\": true", "\"attempts\": 2", "\"redo\": [", "\"redo_reason\"", "\"reset\": true", "\"failed_attempts\"", "\"estimated_cost_to_finish_usd\": 0.", "\"error\": \"budget", "\"failed\": {\n    \"k-" })
        {
            Assert.Contains(member, text);
        }

        var fast = SnapshotReader.TryRead(snapshot);
        Assert.NotNull(fast);
        Assert.Equal(Dump(SnapshotReader.ReadWithRuntime(snapshot)), Dump(fast));
        Assert.Equal(Dump(FileCheckpointStore.ReadState(Root, "r", "ocr")!), Dump(fast));
    }

    [Fact]
    public async Task Snapshots_of_real_stage_runs_are_read_by_the_fast_path_as_the_runtime_reads_them()
    {
        await Pipelines.RunStageAsync(Root, "r2", "work", 30, failAt: 7);
        await Pipelines.RunStageAsync(Root, "r2", "work", 30, failAt: 9);
        await Pipelines.RunStageAsync(Root, "r2", "done", 12);
        foreach (var stage in new[] { "work", "done" })
        {
            var snapshot = File.ReadAllBytes(Path.Combine(Root, "r2", "checkpoints", stage + ".json"));
            var fast = SnapshotReader.TryRead(snapshot);
            Assert.NotNull(fast);
            Assert.Equal(Dump(SnapshotReader.ReadWithRuntime(snapshot)), Dump(fast));
        }
    }

    /// <summary>Hand edits: whether the fast path decides them (null: either way), and the outcome must be the runtime's.</summary>
    public static TheoryData<string, string, string, bool?> Edits => new()
    {
        { "unknown members are skipped", "\\A\\{", "{\n  \"extra\": {\"a\": [1, {\"b\": null}]}, \"more\": \"x\",", true },
        { "a missing member keeps its default", "\n  \"lifetime_cost_usd\": [^\\n]*", "", true },
        { "a missing item member keeps its default", ",\\s*\"adopted\": true", "", true },
        { "whitespace after the document", "\\}\\s*\\z", "}\n\n  \t", true },
        { "an escaped key", "\"k-0001\": \\{", "\"k-000\\u0031\": {", true },
        { "a redo list of null", "\"redo\": \\[[^\\]]*\\]", "\"redo\": null", true },
        { "an exponent in a decimal", "\"total_cost_usd\": [0-9.]+", "\"total_cost_usd\": 1.5e-2", null },
        { "a date with an offset", "\"updated_at\": \"[^\"]+\"", "\"updated_at\": \"2026-11-30T10:00:00+02:00\"", true },
        { "an escaped member name", "\"status\": \"in_progress\"", "\"st\\u0061tus\": \"in_progress\"", false },
        { "a $id member", "\\A\\{", "{\n  \"$$id\": \"1\",", false },
        { "a key starting with $", "\"k-0001\": \\{", "\"$$k\": {", false },
        { "a duplicate member", "\\A\\{", "{\n  \"stage\": \"other\",", false },
        { "a duplicate key", "\"k-0002\": \\{", "\"k-0001\": {", false },
        { "a null status", "\"status\": \"in_progress\"", "\"status\": null", false },
        { "an unknown status", "\"status\": \"in_progress\"", "\"status\": \"paused\"", false },
        { "a null stage name", "\"stage\": \"ocr\"", "\"stage\": null", false },
        { "completed null", "\"completed\": \\{", "\"completed\": null, \"x\": {", false },
        { "a completed item null", "\"k-0001\": \\{[^}]*\\}", "\"k-0001\": null", false },
        { "a number as a string", "\"completed_count\": ([0-9]+)", "\"completed_count\": \"$1\"", false },
        { "a count too large", "\"completed_count\": [0-9]+", "\"completed_count\": 99999999999", false },
        { "a fraction in a count", "\"completed_count\": [0-9]+", "\"completed_count\": 3.5", false },
        { "a date that is not one", "\"updated_at\": \"[^\"]+\"", "\"updated_at\": \"yesterday\"", false },
        { "a bool as a number", "\"adopted\": true", "\"adopted\": 1", false },
        { "another version", "\"version\": 1", "\"version\": 2", false },
        { "another format", "\"format\": \"checkpointing.stage\"", "\"format\": \"checkpointing.phase\"", false },
        { "garbage after the document", "\\}\\s*\\z", "}x", false },
        { "a second document", "\\}\\s*\\z", "}{}", false },
        { "a comment", "\\A\\{", "{ // note\n", false },
        { "a trailing comma", "\\n\\}\\s*\\z", ",\n}", false },
        { "runs not an array", "\"runs\": \\[", "\"runs\": {\"x\": [", false },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task A_hand_edited_snapshot_reads_as_the_runtime_reads_it(string what, string pattern, string replacement, bool? fast)
    {
        var original = Encoding.UTF8.GetString(await RichSnapshotAsync());
        var edited = Regex.Replace(original, pattern, replacement);
        Assert.True(edited != original, $"{what}: the edit '{pattern}' matched nothing");
        var bytes = Encoding.UTF8.GetBytes(edited);

        Assert.Equal(Outcome(() => SnapshotReader.ReadWithRuntime(bytes)), Outcome(() => SnapshotReader.Read(bytes)));
        if (fast is { } decides)
        {
            Assert.True(decides == SnapshotReader.TryRead(bytes) is not null, $"{what}: the fast path {(decides ? "declined" : "decided")} it");
        }
    }

    [Fact]
    public async Task Every_torn_prefix_and_odd_input_reads_as_the_runtime_reads_it()
    {
        var whole = await RichSnapshotAsync();
        for (var length = 0; length < whole.Length; length++)
        {
            var torn = whole.AsSpan(0, length).ToArray();
            var expected = Outcome(() => SnapshotReader.ReadWithRuntime(torn));
            Assert.Equal(expected, Outcome(() => SnapshotReader.Read(torn)));
        }

        foreach (var odd in new[] { "", " ", "null", "[]", "{}", "\"text\"", "{\"format\": \"checkpointing.stage\"}", "\uFEFF{}", "{\"runs\": [null]}", "{\"completed\": {\"a\": {\"cost_usd\": -0.5}}}" })
        {
            var bytes = Encoding.UTF8.GetBytes(odd);
            Assert.Equal(Outcome(() => SnapshotReader.ReadWithRuntime(bytes)), Outcome(() => SnapshotReader.Read(bytes)));
        }

        var garbage = new byte[4096];
        new Random(14).NextBytes(garbage);
        Assert.Equal(Outcome(() => SnapshotReader.ReadWithRuntime(garbage)), Outcome(() => SnapshotReader.Read(garbage)));
    }

    /// <summary>
    /// A snapshot written by the runtime's store holding every member: completed items (adopted, retried), failed
    /// items, runs with redo keys, a reset, failed attempts, an estimate and an error; small, so that every prefix can be tried.
    /// </summary>
    private async Task<byte[]> RichSnapshotAsync()
    {
        var path = Path.Combine(Root, "r", "checkpoints", "ocr.json");
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        await using (var journal = await new FileCheckpointStore(Root).OpenAsync(new CheckpointOpenRequest { RunId = "r", StageName = "ocr", OutputDirectory = "ocr" }, default))
        {
            async Task Add(CheckpointRecord record) => await journal.AppendAsync(record, AppendDurability.Deferred, default);
            await Add(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = at, Resume = true, Items = 6 });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = at.AddSeconds(1), Key = "k-0009", CostUsd = 0.5m });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Reset, At = at.AddSeconds(2) });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.RunEnded, At = at.AddSeconds(3), Status = RunStatus.Cancelled });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = at.AddSeconds(4), Resume = true, Items = 6, RedoKeys = ["k-0009"], RedoReason = "bad \"scan\" é" });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = at.AddSeconds(5), Key = "k-0001", CostUsd = 0.0123m, Adopted = true });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.AttemptFailed, At = at.AddSeconds(6), Key = "k-0002", CostUsd = 0.002m, Error = "timeout", Attempt = 1 });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = at.AddSeconds(7), Key = "k-0002", CostUsd = 0.0150m, Attempt = 2 });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.AttemptFailed, At = at.AddSeconds(8), Key = "k-0003", CostUsd = 0.001m, Error = "OCR said \"no\"\nline 2", Attempt = 1 });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.ItemFailed, At = at.AddSeconds(9), Key = "k-0003", Error = "OCR said \"no\"\nline 2" });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Completed, At = at.AddSeconds(10), Key = "k-0004", CostUsd = 0.01m });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.Invalidated, At = at.AddSeconds(11), Key = "k-0004", Error = "output missing" });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.RunEnded, At = at.AddSeconds(12), Status = RunStatus.BudgetExceeded, Error = "budget of $0.03 reached", Skipped = 1, EstimatedCostToFinishUsd = 0.0547m });
            await Add(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = at.AddSeconds(13), Resume = true, Items = 6 });
            await journal.CompactAsync(default);
        }

        return File.ReadAllBytes(path);
    }

    private static string Outcome(Func<StageCheckpointDocument> read)
    {
        try
        {
            return Dump(read());
        }
        catch (FormatException e)
        {
            return "FormatException: " + e.Message;
        }
    }

    // Every public member, as the reflection serializer sees it (the runtime's converters write the statuses).
    private static string Dump(StageCheckpointDocument document) =>
        JsonSerializer.Serialize(document, DumpOptions);

    private static readonly JsonSerializerOptions DumpOptions = new() { WriteIndented = true, IncludeFields = false };

    public void Dispose() => _dir.Dispose();
}
