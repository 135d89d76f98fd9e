using BenchmarkDotNet.Attributes;
using Checkpointing.Store;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 3: open a stage of 100,000 completed items (snapshot plus 100,000 output files) and
/// compute the remaining keys, with and without reading and validating every output. The files are
/// built once and reused by later runs (a marker file says they are whole); the page cache is warm.
/// </summary>
public class ResumeBenchmarks
{
    // 1,000 under --smoke, which only proves the benchmark runs.
    private static readonly int Items = BenchData.Smoke ? 1_000 : 100_000;
    private const string RunId = "run";
    private const string Stage = "ocr";

    private string _root = "";
    private string[] _keys = [];

    [Params(false, true)]
    public bool ValidateOutputs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = Path.Combine(BenchData.Root, "resume-" + Items);
        _keys = Enumerable.Range(0, Items).Select(BenchData.Key).ToArray();
        var marker = Path.Combine(_root, "complete.marker");
        if (File.Exists(marker))
        {
            return;
        }

        BenchData.TryDelete(_root);
        var outputs = Path.Combine(_root, RunId, Stage);
        Directory.CreateDirectory(outputs);
        var savedAt = DateTimeOffset.UtcNow;
        await using (var journal = await new FileCheckpointStore(_root).OpenAsync(
            new CheckpointOpenRequest { RunId = RunId, StageName = Stage, OutputDirectory = Stage, CommitPolicy = CommitPolicy.EveryItems(int.MaxValue) },
            default))
        {
            await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = savedAt, Resume = true }, AppendDurability.Deferred, default);
            foreach (var key in _keys)
            {
                // Plain writes: setup, not measured; the durable path is measured elsewhere.
                var output = new PageOutput(key, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.", 42);
                File.WriteAllBytes(Path.Combine(outputs, key + ".json"), StageOutputFile.Serialize(key, output, 0.0123m, savedAt, BenchJsonContext.Default.PageOutput));
                await journal.AppendAsync(
                    new CheckpointRecord { Type = CheckpointRecordType.Completed, At = savedAt, Key = key, CostUsd = 0.0123m },
                    AppendDurability.Deferred, default);
            }

            await journal.CompactAsync(default);
        }

        File.WriteAllText(marker, "ok");
    }

    [GlobalCleanup]
    public void Cleanup() => BenchData.RecordPeakWorkingSet($"Resume(validate={ValidateOutputs})");

    [Benchmark(Description = "Open + GetRemaining")]
    public async Task<int> OpenAndComputeRemaining()
    {
        await using var checkpoint = await StageCheckpoint.OpenAsync(new StageCheckpointOptions
        {
            Root = _root,
            RunId = RunId,
            StageName = Stage,
            InspectOutput = ValidateOutputs ? Inspect : null,
        });
        var remaining = await checkpoint.GetRemainingAsync(_keys, ValidateOutputs);
        if (remaining.Count != 0)
        {
            throw new InvalidOperationException($"{remaining.Count} items remain; the prefilled stage is not whole.");
        }

        return remaining.Count;
    }

    // What StageRunner checks on resume: the output parses, belongs to its key and carries its cost.
    private static OutputCheck Inspect(string key, byte[] bytes)
    {
        try
        {
            var saved = StageOutputFile.Deserialize(bytes, BenchJsonContext.Default.PageOutput);
            return saved.Key == key ? OutputCheck.Valid(saved.CostUsd, saved.SavedAt) : OutputCheck.Invalid("belongs to another item");
        }
        catch (FormatException e)
        {
            return OutputCheck.Invalid(e.Message);
        }
    }
}
