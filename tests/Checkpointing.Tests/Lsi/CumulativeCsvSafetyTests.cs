using Checkpointing.Csv;
using Checkpointing.IO;
using Checkpointing.Store;
using Microsoft.Extensions.Time.Testing;

namespace Checkpointing.Tests.Lsi;

/// <summary>The cumulative CSV never drops a book silently: failed appends fail items, finalize checks, no truncation.</summary>
public sealed class CumulativeCsvSafetyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cumcsv-safety-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string CsvDirectory => Path.Combine(_root, "runs", "tranche_1");

    private StageRunOptions Options => OptionsWith(parallelism: 2);

    private StageRunOptions OptionsWith(int parallelism) =>
        new() { Root = Path.Combine(_root, "runs"), RunId = "tranche_1", MaxDegreeOfParallelism = parallelism, ItemFailurePolicy = ItemFailurePolicy.SkipItem };

    private CumulativeCsvOptions CsvOptions(bool withStage) => new()
    {
        Duplicates = DuplicateRowPolicy.Replace,
        Stage = withStage ? new CumulativeCsvStage(Options.Root, "tranche_1", "lsi", "lsi", LsiJsonContext.Default.LsiBook) : null,
    };

    private static StageDefinition<int, LsiBook> Definition(Func<string, LsiBook, CancellationToken, ValueTask> onSaved) => new()
    {
        StageName = "lsi",
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = LsiJsonContext.Default.LsiBook,
        ProcessAsync = (n, _, _) => ValueTask.FromResult(LsiRecordTests.Book(CumulativeCsvCheckpointTests.Isbn(n), $"Book {n}")),
        OnOutputSavedAsync = onSaved,
    };

    [Fact]
    public async Task A_full_disk_on_the_append_fails_the_item_and_the_next_run_adds_its_row()
    {
        var fs = new DiskFullFileSystem();
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(fs, CsvDirectory, "xynapse_traces", b => b.Isbn, CsvOptions(withStage: false), CancellationToken.None))
        {
            var definition = Definition(async (key, book, ct) =>
            {
                fs.Full = key == CheckpointKeys.From(3);
                try
                {
                    await checkpoint.OnOutputSavedAsync(key, book, ct);
                }
                finally
                {
                    fs.Full = false;
                }
            });

            // One saver: the disk is full only while book 3's row is written.
            var result = await StageRunner.RunAsync(definition, Enumerable.Range(1, 5), OptionsWith(parallelism: 1));

            Assert.Equal(4, result.Processed);
            Assert.Contains("cumulative checkpoint CSV", result.FailedItems[CheckpointKeys.From(3)]);
            Assert.False(FileCheckpointStore.ReadState(Options.Root, "tranche_1", "lsi")!.Completed.ContainsKey(CheckpointKeys.From(3)));
            Assert.DoesNotContain(CumulativeCsvCheckpointTests.Isbn(3), checkpoint.Keys);
            Assert.Equal(1, checkpoint.Info.FailedAppends);
        }

        // The next run adopts book 3's saved output, appends its row first, and the batch has every book once.
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, CsvOptions(withStage: true)))
        {
            var result = await StageRunner.RunAsync(Definition(checkpoint.OnOutputSavedAsync), Enumerable.Range(1, 5), Options);
            Assert.Equal(5, result.Skipped + result.Processed);

            var batch = Path.Combine(_root, "batch.csv");
            Assert.Equal(5, await checkpoint.FinalizeAsync(batch, StringComparer.Ordinal));
            var comparison = CumulativeCsv.CompareKeys<LsiBook>(Enumerable.Range(1, 5).Select(CumulativeCsvCheckpointTests.Isbn), batch, b => b.Isbn);
            Assert.True(comparison.IsComplete, comparison.ToString());
        }
    }

    [Fact]
    public async Task Finalize_adds_the_row_of_a_completed_item_that_has_none_and_names_those_it_cannot_add()
    {
        // A hook that swallowed failures (the graceful standalone mode) left books 2 and 4 without rows.
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, CsvOptions(withStage: false)))
        {
            var definition = Definition(async (key, book, ct) =>
            {
                if (key != CheckpointKeys.From(2) && key != CheckpointKeys.From(4))
                {
                    await checkpoint.AppendAsync(book, ct);
                }
            });
            await StageRunner.RunAsync(definition, Enumerable.Range(1, 5), Options);
            Assert.Equal(3, checkpoint.Keys.Count);
        }

        var batch = Path.Combine(_root, "batch.csv");
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, CsvOptions(withStage: true)))
        {
            Assert.Equal(5, await checkpoint.FinalizeAsync(batch, StringComparer.Ordinal));
        }

        Assert.True(CumulativeCsv.CompareKeys<LsiBook>(Enumerable.Range(1, 5).Select(CumulativeCsvCheckpointTests.Isbn), batch, b => b.Isbn).IsComplete);

        // Now a completed item's row is missing and its saved output is gone: the finalize fails, naming it.
        var path = CumulativeCsv.FindLatest(CsvDirectory, "xynapse_traces")!;
        var lines = File.ReadAllText(path).Split("\r\n").Where(l => !l.StartsWith(CumulativeCsvCheckpointTests.Isbn(5), StringComparison.Ordinal));
        File.WriteAllText(path, string.Join("\r\n", lines));
        File.Delete(Path.Combine(Options.Root, "tranche_1", "lsi", CheckpointKeys.From(5) + ".json"));
        File.Delete(batch);
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, CsvOptions(withStage: true)))
        {
            var error = await Assert.ThrowsAsync<CumulativeCsvException>(() => checkpoint.FinalizeAsync(batch, StringComparer.Ordinal));
            Assert.Contains($"item '{CheckpointKeys.From(5)}'", error.Message);
            Assert.Contains("stage 'lsi' counts complete", error.Message);
        }

        Assert.False(File.Exists(batch));
    }

    [Fact]
    public async Task A_second_new_file_in_the_same_minute_never_truncates_the_first()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 9, 9, 10, 30, 15, TimeSpan.Zero));
        var options = new CumulativeCsvOptions { TimeProvider = clock, ResumeLatest = false };
        string first;
        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, options))
        {
            await checkpoint.AppendAsync(LsiRecordTests.Book(CumulativeCsvCheckpointTests.Isbn(1)));
            first = checkpoint.FilePath;
        }

        await using (var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn, options))
        {
            Assert.EndsWith("cumulative_checkpoint_20250909_1031_xynapse_traces.csv", checkpoint.FilePath);
            Assert.Empty(checkpoint.Keys);
        }

        Assert.EndsWith("cumulative_checkpoint_20250909_1030_xynapse_traces.csv", first);
        Assert.Equal(1, CumulativeCsv.Validate<LsiBook>(first, b => b.Isbn).Rows);
    }

    [Fact]
    public async Task An_imprint_with_underscores_comes_back_whole_beside_a_shorter_one()
    {
        await using (var traces = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn))
        await using (var plain = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse", b => b.Isbn))
        {
            await traces.AppendAsync(LsiRecordTests.Book(CumulativeCsvCheckpointTests.Isbn(1)));
            Assert.Equal("xynapse_traces", traces.Info.Imprint);
            Assert.EndsWith("_xynapse_traces.csv", traces.Info.FilePath);
            Assert.Equal("xynapse", plain.Info.Imprint);
        }

        Assert.EndsWith("_xynapse_traces.csv", CumulativeCsv.FindLatest(CsvDirectory, "xynapse_traces"));
        Assert.EndsWith("_xynapse.csv", CumulativeCsv.FindLatest(CsvDirectory, "xynapse"));
        await using var reopened = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn);
        Assert.Equal(("xynapse_traces", 1), (reopened.Info.Imprint, reopened.Info.BooksProcessed));
    }

    [Fact]
    public async Task A_book_without_its_key_is_refused_rather_than_written_as_a_row()
    {
        await using var checkpoint = await CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(CsvDirectory, "xynapse_traces", b => b.Isbn);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => checkpoint.AppendAsync(LsiRecordTests.Book(isbn: " ")));

        Assert.Contains("empty key", error.Message);
        Assert.Empty(checkpoint.Keys);
        Assert.Equal(0, CumulativeCsv.Validate<LsiBook>(checkpoint.FilePath, b => b.Isbn).Rows);
    }
}
