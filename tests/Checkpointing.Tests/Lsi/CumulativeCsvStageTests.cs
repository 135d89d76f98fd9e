using System.Text.Json.Serialization;
using Checkpointing.Csv;
using Checkpointing.Store;

namespace Checkpointing.Tests.Lsi;

public sealed class CumulativeCsvStageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cumcsv-stage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_stage_appends_each_saved_output_and_a_resumed_run_adds_only_the_missing_books()
    {
        var csvDirectory = Path.Combine(_root, "data");
        var failAt = 4;
        for (var run = 0; run < 2; run++)
        {
            await using var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(csvDirectory, "xynapse_traces", b => b.Isbn);
            var definition = new StageDefinition<int, LsiBook>
            {
                StageName = "lsi",
                GetKey = CheckpointKeys.From,
                OutputTypeInfo = LsiJsonContext.Default.LsiBook,
                ProcessAsync = (n, _, _) => n == failAt
                    ? throw new InvalidOperationException("the first run fails on book 4")
                    : ValueTask.FromResult(LsiRecordTests.Book(CumulativeCsvCheckpointTests.Isbn(n), $"Book {n}")),
                OnOutputSavedAsync = checkpoint.OnOutputSavedAsync,
            };

            try
            {
                await StageRunner.RunAsync(definition, Enumerable.Range(1, 6), new StageRunOptions { Root = Path.Combine(_root, "runs"), RunId = "tranche_1", MaxDegreeOfParallelism = 1 });
            }
            catch (StageFailedException)
            {
                Assert.Equal(0, run);
            }

            if (run == 0)
            {
                Assert.DoesNotContain(CumulativeCsvCheckpointTests.Isbn(4), checkpoint.Keys);
                Assert.Contains(CumulativeCsvCheckpointTests.Isbn(3), checkpoint.Keys);
            }

            failAt = -1;
        }

        var path = CumulativeCsv.FindLatest(csvDirectory, "xynapse_traces")!;
        var report = CumulativeCsv.Validate<LsiBook>(path, b => b.Isbn);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(6, report.Rows);
    }

    [Fact]
    public async Task An_output_saved_but_never_marked_gets_its_row_when_a_resumed_run_adopts_it()
    {
        var csvDirectory = Path.Combine(_root, "data");
        for (var run = 0; run < 2; run++)
        {
            await using var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(csvDirectory, "xynapse_traces", b => b.Isbn);
            var firstRun = run == 0;

            // The first run dies between saving book 3's output and appending its row (the hook throws
            // instead of appending), so book 3 is saved but neither in the CSV nor marked complete.
            var definition = new StageDefinition<int, LsiBook>
            {
                StageName = "lsi",
                GetKey = CheckpointKeys.From,
                OutputTypeInfo = LsiJsonContext.Default.LsiBook,
                ProcessAsync = (n, _, _) => ValueTask.FromResult(LsiRecordTests.Book(CumulativeCsvCheckpointTests.Isbn(n), $"Book {n}")),
                OnOutputSavedAsync = (key, book, ct) => firstRun && key == CheckpointKeys.From(3)
                    ? throw new IOException("the process died here")
                    : checkpoint.OnOutputSavedAsync(key, book, ct),
            };

            var options = new StageRunOptions { Root = Path.Combine(_root, "runs"), RunId = "tranche_1", MaxDegreeOfParallelism = 1 };
            if (firstRun)
            {
                await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(definition, Enumerable.Range(1, 6), options));
                Assert.DoesNotContain(CumulativeCsvCheckpointTests.Isbn(3), checkpoint.Keys);
            }
            else
            {
                // Book 3 is adopted from its saved output rather than redone, and its row is appended first.
                // Books 1, 2 and 3 are done; books whose work finished before the failure stopped the
                // workers were saved by the first run too (how many depends on scheduling).
                var result = await StageRunner.RunAsync(definition, Enumerable.Range(1, 6), options);
                Assert.Equal(6, result.Skipped + result.Processed);
                Assert.InRange(result.Skipped, 3, 6);
                Assert.True(FileCheckpointStore.ReadState(options.Root, "tranche_1", "lsi")!.Completed[CheckpointKeys.From(3)].Adopted);
                Assert.Contains(CumulativeCsvCheckpointTests.Isbn(3), checkpoint.Keys);
            }
        }

        var path = CumulativeCsv.FindLatest(csvDirectory, "xynapse_traces")!;
        var report = CumulativeCsv.Validate<LsiBook>(path, b => b.Isbn);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(6, report.Rows);
    }
}

[JsonSerializable(typeof(LsiBook))]
internal sealed partial class LsiJsonContext : JsonSerializerContext
{
}
