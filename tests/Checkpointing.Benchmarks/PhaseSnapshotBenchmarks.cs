using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Checkpointing.Phases;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 12: saving and loading a phase snapshot of 10 KB, 1 MB and 10 MB against the floor, the same
/// bytes written to a file in the same folder with one write and one fsync (the baseline). A save streams
/// the state through SHA-256 into a temp file, fsyncs it, renames it, fsyncs the folder and runs
/// retention (three snapshots kept, so each save also deletes one). A load lists the folder, reads the
/// newest file, checks its checksum and deserializes the state. "Read floor" is File.ReadAllBytes of the
/// same file, and "Read floor + deserialize" reads and deserializes the bare state (no envelope), for scale:
/// they show how much of a load is System.Text.Json itself. Under --smoke only the 10 KB size runs.
/// </summary>
public class PhaseSnapshotBenchmarks
{
    private string _directory = "";
    private PhaseCheckpoint<BenchPhaseState>? _phase;
    private BenchPhaseState _state = new();
    private byte[] _snapshotBytes = [];
    private string _floorPath = "";
    private string _stateOnlyPath = "";
    private long _iteration;

    /// <summary>The state's approximate size in KB.</summary>
    [ParamsSource(nameof(Sizes))]
    public int SizeKb { get; set; }

    public static IEnumerable<int> Sizes => BenchData.Smoke ? [10] : [10, 1024, 10 * 1024];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = BenchData.NewDirectory("phase");
        _state = BenchPhaseState.OfSize(SizeKb * 1024);
        _phase = await PhaseCheckpoint<BenchPhaseState>.OpenAsync(
            new PhaseCheckpointOptions { Root = _directory, Phase = "phase_3", MinSaveInterval = TimeSpan.Zero, MaxSnapshots = 3 },
            BenchPhaseJsonContext.Default.BenchPhaseState);
        await _phase.SaveAsync(++_iteration, _state);
        _snapshotBytes = File.ReadAllBytes(_phase.LastSavedPath!);
        _floorPath = Path.Combine(_phase.Directory, "floor.bin");
        _stateOnlyPath = Path.Combine(_directory, "state-only.json");
        File.WriteAllBytes(_stateOnlyPath, JsonSerializer.SerializeToUtf8Bytes(_state, BenchPhaseJsonContext.Default.BenchPhaseState));
        Console.WriteLine($"// Setup: state of {_state.Entries.Count} entries, snapshot file of {_snapshotBytes.Length / 1024.0:0.0} KB");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        BenchData.RecordPeakWorkingSet($"PhaseSnapshot {SizeKb} KB");
        _phase?.Dispose();
        BenchData.TryDelete(_directory);
    }

    [Benchmark(Baseline = true, Description = "Floor: one write + fsync")]
    public void Floor()
    {
        using var stream = new FileStream(_floorPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(_snapshotBytes);
        stream.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "SaveAsync (forced)")]
    public Task<bool> Save() => _phase!.SaveAsync(++_iteration, _state, force: true);

    [Benchmark(Description = "LoadLatestAsync")]
    public async Task<int> Load() => (await _phase!.LoadLatestAsync())!.State.Entries.Count;

    [Benchmark(Description = "Read floor: File.ReadAllBytes")]
    public int ReadFloor() => File.ReadAllBytes(_phase!.LastSavedPath!).Length;

    [Benchmark(Description = "Read floor + deserialize the state")]
    public int ReadAndDeserializeFloor() =>
        JsonSerializer.Deserialize(File.ReadAllBytes(_stateOnlyPath), BenchPhaseJsonContext.Default.BenchPhaseState)!.Entries.Count;
}

/// <summary>A phase accumulator of many small entries, like recommendations with their sources.</summary>
public sealed class BenchPhaseState
{
    public List<BenchPhaseEntry> Entries { get; set; } = [];

    public decimal CostUsd { get; set; }

    public static BenchPhaseState OfSize(int bytes)
    {
        // Each entry serializes to about 128 bytes.
        var state = new BenchPhaseState { CostUsd = 12.3456m };
        for (var i = 0; i < Math.Max(1, bytes / 128); i++)
        {
            state.Entries.Add(new BenchPhaseEntry($"book_{i:000000}", $"Recommendation {i}: checkpoint long batch jobs and resume by identity", i % 17));
        }

        return state;
    }
}

public sealed record BenchPhaseEntry(string Book, string Text, int Mentions);

[JsonSerializable(typeof(BenchPhaseState))]
internal sealed partial class BenchPhaseJsonContext : JsonSerializerContext;
