using System.Text.Json.Serialization;
using Checkpointing.Csv;

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
}

[JsonSerializable(typeof(LsiBook))]
internal sealed partial class LsiJsonContext : JsonSerializerContext
{
}
