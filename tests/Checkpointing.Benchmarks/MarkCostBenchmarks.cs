using BenchmarkDotNet.Attributes;
using Checkpointing.IO;
using Checkpointing.Store;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 1: the cost of one durable mark as the number of completed items grows.
/// <list type="bullet">
/// <item><c>Floor</c>: one small append (the size of a journal record) + fsync, same directory, same disk.</item>
/// <item><c>Journal</c>: ours, a mark under <see cref="CommitPolicy.EveryItem"/> (append + fsync of the journal).</item>
/// <item><c>SeedRewrite</c>: the seeds' design, the whole JSON state rewritten atomically after every mark
/// (temp file, write, fsync, rename, fsync of the directory).</item>
/// <item><c>Compaction</c>: one fold of the journal into the snapshot, which ours pays once every
/// max(4 MiB, 2 x snapshot) bytes of journal; docs/benchmarks.md gives its amortized share per mark.</item>
/// </list>
/// Marks cycle over the prefilled keys, so the completed count stays at <see cref="Completed"/> while measuring.
/// </summary>
public class MarkCostBenchmarks
{
    private const string RunId = "run";
    private const string Stage = "ocr";

    private string _root = "";
    private string[] _keys = [];
    private int _next;
    private ICheckpointJournal _journal = null!;
    private StageCheckpointDocument _seedState = null!;
    private string _seedPath = "";
    private FileStream _floor = null!;
    private byte[] _floorRecord = [];

    [Params(100, 10_000, 100_000)]
    public int Completed { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = BenchData.NewDirectory("mark-" + Completed);
        _keys = Enumerable.Range(0, Completed).Select(BenchData.Key).ToArray();
        var store = new FileCheckpointStore(_root);

        // Prefill without an fsync per mark, then fold everything into the snapshot.
        await using (var prefill = await store.OpenAsync(Request(CommitPolicy.EveryItems(int.MaxValue)), default))
        {
            await prefill.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = DateTimeOffset.UtcNow, Resume = true }, AppendDurability.Deferred, default);
            foreach (var key in _keys)
            {
                await prefill.AppendAsync(MarkRecord(key), AppendDurability.Deferred, default);
            }

            await prefill.CompactAsync(default);
        }

        _journal = await store.OpenAsync(Request(CommitPolicy.EveryItem), default);
        _seedState = _journal.GetState();

        var seedDirectory = Path.Combine(_root, "seed");
        Directory.CreateDirectory(seedDirectory);
        _seedPath = Path.Combine(seedDirectory, Stage + ".json");
        AtomicFile.WriteAllBytes(PhysicalFileSystem.Instance, _seedPath, CheckpointJson.SerializeDocument(_seedState), null);

        // The floor writes what one of our journal lines weighs, in the journal's own folder.
        var line = new System.Buffers.ArrayBufferWriter<byte>();
        JournalFormat.Append(line, new System.Buffers.ArrayBufferWriter<byte>(), MarkRecord(_keys[^1]) with { Sequence = Completed + 2 });
        _floorRecord = line.WrittenSpan.ToArray();
        _floor = new FileStream(Path.Combine(store.GetCheckpointDirectory(RunId), "floor.bin"), new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        });
        _floor.Write(_floorRecord);
        _floor.Flush(flushToDisk: true);

        // For the amortized cost of compaction: it runs once per max(4 MiB, 2 x snapshot) bytes of journal.
        var snapshot = new FileInfo(store.GetSnapshotPath(RunId, Stage)).Length;
        Console.WriteLine($"// Setup: {Completed} completed, snapshot {snapshot} bytes, journal record {_floorRecord.Length} bytes, "
            + $"one compaction per {Math.Max(4L << 20, 2 * snapshot) / _floorRecord.Length} marks");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _journal.DisposeAsync();
        await _floor.DisposeAsync();
        BenchData.TryDelete(_root);
    }

    [Benchmark(Baseline = true, Description = "Floor: write + fsync")]
    public void Floor()
    {
        _floor.Write(_floorRecord);
        _floor.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "Ours: journal mark")]
    public ValueTask Journal() =>
        // What StageCheckpoint.MarkCompletedAsync appends; EveryItem makes it durable before returning.
        _journal.AppendAsync(MarkRecord(NextKey()), AppendDurability.Policy, default);

    [Benchmark(Description = "Seeds: rewrite JSON")]
    public void SeedRewrite()
    {
        _seedState.Apply(MarkRecord(NextKey()));
        AtomicFile.WriteAllBytes(PhysicalFileSystem.Instance, _seedPath, CheckpointJson.SerializeDocument(_seedState), null);
    }

    [Benchmark(Description = "Ours: one compaction")]
    public ValueTask Compaction() => _journal.CompactAsync(default);

    private string NextKey() => _keys[_next++ % _keys.Length];

    private static CheckpointRecord MarkRecord(string key) =>
        new() { Type = CheckpointRecordType.Completed, At = DateTimeOffset.UtcNow, Key = key, CostUsd = 0.0123m };

    private static CheckpointOpenRequest Request(CommitPolicy policy) => new()
    {
        RunId = RunId,
        StageName = Stage,
        OutputDirectory = Stage,
        CommitPolicy = policy,
    };
}
