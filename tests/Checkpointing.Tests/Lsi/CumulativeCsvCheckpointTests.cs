using System.Text;
using Checkpointing.Csv;
using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Checkpointing.Tests.Lsi;

public sealed class CumulativeCsvCheckpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cumcsv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static readonly Func<LsiBook, string> ByIsbn = b => b.Isbn;

    private static LsiBook Book(int n) => LsiRecordTests.Book(isbn: Isbn(n), title: $"Book {n}");

    /// <summary>A valid ISBN-13 for <paramref name="n"/> (978 prefix, computed check digit).</summary>
    internal static string Isbn(int n)
    {
        var body = "978" + n.ToString("D9");
        var sum = body.Select((c, i) => (c - '0') * (i % 2 == 0 ? 1 : 3)).Sum();
        return body + ((10 - sum % 10) % 10);
    }

    private Task<CumulativeCsvCheckpoint<LsiBook>> Open(CumulativeCsvOptions? options = null, IFileSystem? fs = null) =>
        CumulativeCsvCheckpoint<LsiBook>.OpenOrCreateAsync(fs ?? PhysicalFileSystem.Instance, _directory, "xynapse_traces", ByIsbn, options, CancellationToken.None);

    [Fact]
    public async Task Creates_a_timestamped_file_with_the_header_once_and_one_row_per_book()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 15, 9, 7, 0, TimeSpan.Zero));
        await using (var checkpoint = await Open(new CumulativeCsvOptions { TimeProvider = clock, PipelineId = "run-42" }))
        {
            Assert.Equal(CsvAppendOutcome.Appended, await checkpoint.AppendAsync(Book(1)));
            Assert.Equal(CsvAppendOutcome.Appended, await checkpoint.AppendAsync(Book(2)));

            var info = checkpoint.Info;
            Assert.Equal(Path.Combine(_directory, "cumulative_checkpoint_20250315_0907_xynapse_traces.csv"), info.FilePath);
            Assert.Equal(2, info.BooksProcessed);
            Assert.Equal("xynapse_traces", info.Imprint);
            Assert.Equal("run-42", info.PipelineId);
            Assert.Equal(clock.GetUtcNow(), info.LastUpdated);
        }

        var path = Path.Combine(_directory, "cumulative_checkpoint_20250315_0907_xynapse_traces.csv");
        var text = File.ReadAllText(path, new UTF8Encoding(false));
        Assert.StartsWith("\uFEFFLightning Source Account #,", text);
        Assert.Equal(1, CountOccurrences(text, "Lightning Source Account #"));
        Assert.Equal(3, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var report = CumulativeCsv.Validate(path, ByIsbn);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(2, report.Rows);
    }

    [Fact]
    public async Task Reopening_resumes_the_latest_file_and_never_duplicates_a_book()
    {
        string path;
        await using (var first = await Open())
        {
            await first.AppendAsync(Book(1));
            await first.AppendAsync(Book(2));
            path = first.FilePath;
        }

        await using (var second = await Open())
        {
            Assert.Equal(path, second.FilePath);
            Assert.True(second.Recovery.Resumed);
            Assert.True(second.Contains(Isbn(2)));
            Assert.Equal(CsvAppendOutcome.SkippedDuplicate, await second.AppendAsync(Book(2)));
            Assert.Equal(CsvAppendOutcome.Appended, await second.AppendAsync(Book(3)));
            Assert.Equal([Isbn(1), Isbn(2), Isbn(3)], second.Keys);
        }

        Assert.Equal(3, CumulativeCsv.Validate(path, ByIsbn).Rows);
        Assert.Equal(path, CumulativeCsv.FindLatest(_directory, "xynapse_traces"));
        Assert.Null(CumulativeCsv.FindLatest(_directory, "other_imprint"));
    }

    [Fact]
    public async Task A_re_prepared_book_replaces_its_row_atomically_under_the_replace_policy()
    {
        var options = new CumulativeCsvOptions { Duplicates = DuplicateRowPolicy.Replace };
        await using var checkpoint = await Open(options);
        await checkpoint.AppendAsync(Book(1));
        await checkpoint.AppendAsync(Book(2));
        var changed = Book(1);
        changed.Title = "Second edition";

        Assert.Equal(CsvAppendOutcome.Replaced, await checkpoint.AppendAsync(changed));
        Assert.Equal(CsvAppendOutcome.Appended, await checkpoint.AppendAsync(Book(3)));

        var text = File.ReadAllText(checkpoint.FilePath);
        Assert.Contains("Second edition", text);
        Assert.DoesNotContain(",Book 1,", text);
        Assert.True(text.IndexOf("Second edition", StringComparison.Ordinal) < text.IndexOf("Book 2", StringComparison.Ordinal));
        Assert.Equal(3, CumulativeCsv.Validate(checkpoint.FilePath, ByIsbn).Rows);
        Assert.Empty(Directory.GetFiles(_directory, "*.ckpt.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(-2)]
    [InlineData(-1)]
    public async Task A_torn_tail_is_trimmed_and_reported_on_reopen(int cut)
    {
        string path;
        byte[] whole;
        await using (var checkpoint = await Open())
        {
            await checkpoint.AppendAsync(Book(1));
            path = checkpoint.FilePath;
            whole = File.ReadAllBytes(path);
            await checkpoint.AppendAsync(Book(2));
        }

        // Leave only part of the second row, as a crash in the middle of its write would.
        var full = File.ReadAllBytes(path);
        var rowLength = full.Length - whole.Length;
        var keep = whole.Length + (cut > 0 ? cut : rowLength + cut);
        File.WriteAllBytes(path, full[..keep]);
        var log = new FakeLogger();

        await using (var reopened = await Open(new CumulativeCsvOptions { Logger = log }))
        {
            Assert.Equal(keep - whole.Length, reopened.Recovery.TrimmedBytes);
            Assert.Equal(3, reopened.Recovery.TornLine);
            Assert.Equal([Isbn(1)], reopened.Keys);
            Assert.Contains(log.Collector.GetSnapshot(), m => m.Message.Contains("trimmed a partial row") && m.Message.Contains("line 3"));
            Assert.Equal(whole, File.ReadAllBytes(path));
            Assert.Equal(CsvAppendOutcome.Appended, await reopened.AppendAsync(Book(2)));
        }

        Assert.Equal(full, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_cut_at_every_byte_of_the_last_row_is_trimmed_to_the_rows_before_it()
    {
        string path;
        byte[] whole;
        await using (var checkpoint = await Open())
        {
            await checkpoint.AppendAsync(Book(1));
            path = checkpoint.FilePath;
            whole = File.ReadAllBytes(path);
            var book = Book(2);
            book.Summary = "first line\r\nsecond, \"quoted\" line\nthird";
            await checkpoint.AppendAsync(book);
        }

        var full = File.ReadAllBytes(path);
        for (var keep = whole.Length; keep < full.Length; keep++)
        {
            File.WriteAllBytes(path, full[..keep]);

            await using (var reopened = await Open())
            {
                Assert.True(reopened.Keys.SequenceEqual([Isbn(1)]), $"cut at {keep}: {string.Join(",", reopened.Keys)}");
                Assert.Equal(keep - whole.Length, reopened.Recovery.TrimmedBytes);
                Assert.Equal(whole, File.ReadAllBytes(path));
            }
        }

        File.WriteAllBytes(path, full);
        await using var intact = await Open();
        Assert.Equal([Isbn(1), Isbn(2)], intact.Keys);
        Assert.Equal(0, intact.Recovery.TrimmedBytes);
    }

    [Fact]
    public async Task A_cut_inside_a_multi_line_last_column_is_a_torn_tail_although_the_field_count_matches()
    {
        var dir = Path.Combine(_directory, "short");
        string path;
        byte[] whole;
        await using (var checkpoint = await CumulativeCsvCheckpoint<ShortLsiRow>.OpenOrCreateAsync(dir, "imprint", r => r.Isbn))
        {
            await checkpoint.AppendAsync(new ShortLsiRow { Isbn = Isbn(1), Title = "One" });
            path = checkpoint.FilePath;
            whole = File.ReadAllBytes(path);
            await checkpoint.AppendAsync(new ShortLsiRow { Isbn = Isbn(2), Title = "Two\nlines, \"quoted\"\r\nthree" });
        }

        var full = File.ReadAllBytes(path);
        for (var keep = whole.Length; keep < full.Length; keep++)
        {
            File.WriteAllBytes(path, full[..keep]);
            await using var reopened = await CumulativeCsvCheckpoint<ShortLsiRow>.OpenOrCreateAsync(dir, "imprint", r => r.Isbn);
            Assert.True(reopened.Keys.SequenceEqual([Isbn(1)]), $"cut at {keep}: {string.Join(",", reopened.Keys)}");
            Assert.Equal(whole, File.ReadAllBytes(path));
        }
    }

    [Fact]
    public async Task A_row_cut_inside_a_quoted_line_break_is_a_torn_tail()
    {
        string path;
        byte[] whole;
        await using (var checkpoint = await Open())
        {
            await checkpoint.AppendAsync(Book(1));
            path = checkpoint.FilePath;
            whole = File.ReadAllBytes(path);
            var book = Book(2);
            book.Summary = "first line\nsecond line";
            await checkpoint.AppendAsync(book);
        }

        var full = File.ReadAllBytes(path);
        var cut = Array.IndexOf(full, (byte)'\n', whole.Length) + 1;
        Assert.True(cut < full.Length - 2);
        File.WriteAllBytes(path, full[..cut]);

        var report = CumulativeCsv.Validate(path, ByIsbn);
        Assert.Contains(report.Errors, e => e.Contains("line 3: partial last row"));
        await using var reopened = await Open();
        Assert.Equal([Isbn(1)], reopened.Keys);
        Assert.Equal(whole, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_second_writer_of_the_same_imprint_is_refused()
    {
        await using var first = await Open();

        var error = await Assert.ThrowsAsync<CumulativeCsvLockedException>(() => Open());

        Assert.Contains("xynapse_traces", error.Message);
        await first.DisposeAsync();
        await using var second = await Open();
        Assert.Equal(first.FilePath, second.FilePath);
    }

    [Fact]
    public async Task A_full_disk_logs_a_warning_and_the_pipeline_continues_with_whole_rows_only()
    {
        var fs = new DiskFullFileSystem();
        var log = new FakeLogger();
        await using var checkpoint = await Open(new CumulativeCsvOptions { Logger = log }, fs);
        await checkpoint.AppendAsync(Book(1));

        fs.Full = true;
        Assert.Equal(CsvAppendOutcome.Failed, await checkpoint.AppendAsync(Book(2)));
        Assert.Equal(1, fs.FailedWrites);
        Assert.Contains(log.Collector.GetSnapshot(), m => m.Level == LogLevel.Warning && m.Message.Contains(Isbn(2)) && m.Message.Contains("No space left on device"));
        Assert.Equal(1, CumulativeCsv.Validate(checkpoint.FilePath, ByIsbn).Rows);
        Assert.True(CumulativeCsv.Validate(checkpoint.FilePath, ByIsbn).IsValid);

        fs.Full = false;
        Assert.Equal(CsvAppendOutcome.Appended, await checkpoint.AppendAsync(Book(2)));
        Assert.Equal(2, checkpoint.Info.BooksProcessed);
        Assert.Equal(1, checkpoint.Info.FailedAppends);
        Assert.True(CumulativeCsv.Validate(checkpoint.FilePath, ByIsbn).IsValid);
    }

    [Fact]
    public async Task A_full_disk_throws_when_configured_to_fail()
    {
        var fs = new DiskFullFileSystem();
        await using var checkpoint = await Open(new CumulativeCsvOptions { FailOnIOError = true }, fs);
        fs.Full = true;

        var error = await Assert.ThrowsAsync<CumulativeCsvException>(() => checkpoint.AppendAsync(Book(1)));

        Assert.Contains(Isbn(1), error.Message);
        Assert.Contains("No space left on device", error.Message);
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_opened_is_disabled_with_a_warning()
    {
        var fs = new DiskFullFileSystem { FailOpen = true };
        var log = new FakeLogger();

        await using var checkpoint = await Open(new CumulativeCsvOptions { Logger = log }, fs);

        Assert.True(checkpoint.IsDisabled);
        Assert.Equal(CsvAppendOutcome.Failed, await checkpoint.AppendAsync(Book(1)));
        Assert.Contains(log.Collector.GetSnapshot(), m => m.Level == LogLevel.Warning && m.Message.Contains("continues without it"));
        await Assert.ThrowsAsync<CumulativeCsvException>(() => Open(new CumulativeCsvOptions { FailOnIOError = true }, fs));
    }

    [Fact]
    public async Task Finalize_writes_the_batch_file_atomically_and_compare_finds_missing_extra_and_different_rows()
    {
        await using var checkpoint = await Open();
        for (var i = 1; i <= 3; i++)
        {
            await checkpoint.AppendAsync(Book(i));
        }

        var batch = Path.Combine(_directory, "batch", "xynapse_tranche_1.csv");
        Assert.Equal(3, await checkpoint.FinalizeAsync(batch));
        Assert.Equal(File.ReadAllBytes(checkpoint.FilePath), File.ReadAllBytes(batch));
        Assert.True(CumulativeCsv.Compare(checkpoint.FilePath, batch, ByIsbn).IsIdentical);

        // A batch file written another way: book 1 changed, book 2 missing, book 9 extra.
        var other = Path.Combine(_directory, "batch", "other.csv");
        await using (var stream = File.Create(other))
        await using (var writer = CsvHelper.CsvWriter.Create(stream, CsvHelper.CsvWriterOptions.For<LsiBook>()))
        {
            var changed = Book(1);
            changed.UsPrice = 19.99m;
            writer.WriteRecords([changed, Book(3), Book(9)]);
        }

        var comparison = CumulativeCsv.Compare(checkpoint.FilePath, other, ByIsbn);
        Assert.Equal([Isbn(2)], comparison.MissingFromBatch);
        Assert.Equal([Isbn(9)], comparison.ExtraInBatch);
        Assert.Equal([Isbn(1)], comparison.Different);
        Assert.False(comparison.IsIdentical);
    }

    [Fact]
    public async Task Validate_names_the_line_of_each_bad_row_and_a_wrong_header()
    {
        string path;
        await using (var checkpoint = await Open())
        {
            await checkpoint.AppendAsync(Book(1));
            await checkpoint.AppendAsync(Book(2));
            await checkpoint.AppendAsync(Book(3));
            path = checkpoint.FilePath;
        }

        var text = File.ReadAllText(path);
        var lines = text.Split("\r\n");
        lines[2] = lines[2].Replace(",24.99,", ",$abc,");
        lines[3] = lines[3].Replace(Isbn(3), "9781234567890");
        // Saved again without a byte order mark, as some tools do: still the same header.
        File.WriteAllText(path, string.Join("\r\n", lines));

        var report = CumulativeCsv.Validate(path, ByIsbn);

        Assert.False(report.IsValid);
        Assert.True(report.Errors.Count == 2, string.Join("\n", report.Errors));
        Assert.Contains(report.Errors, e => e.Contains(", line 3:") && e.Contains("$abc"));
        Assert.Contains(report.Errors, e => e.Contains(", line 4:") && e.Contains("check digit"));
        var resumeError = await Assert.ThrowsAsync<CumulativeCsvException>(() => Open());
        Assert.Contains("line 3", resumeError.Message);

        var plain = Path.Combine(_directory, "plain.csv");
        File.WriteAllText(plain, "Isbn,Title,Pages\r\n1,x,2\r\n");
        var wrongHeader = CumulativeCsv.Validate(plain, ByIsbn);
        Assert.False(wrongHeader.HeaderMatches);
        Assert.Contains("line 1: the header does not match LsiBook", wrongHeader.Errors.Single());
    }

    [Fact]
    public async Task Works_for_plain_CsvHelper_record_types()
    {
        var dir = Path.Combine(_directory, "plain");
        string path;
        await using (var checkpoint = await CumulativeCsvCheckpoint<PlainCsvBook>.OpenOrCreateAsync(dir, "imprint", b => b.Isbn))
        {
            await checkpoint.AppendAsync(new PlainCsvBook { Isbn = "1", Title = "One", Pages = 10 });
            await checkpoint.AppendAsync(new PlainCsvBook { Isbn = "1", Title = "One again", Pages = 11 });
            await checkpoint.AppendAsync(new PlainCsvBook { Isbn = "2", Title = "Two", Pages = 20 });
            path = checkpoint.FilePath;
        }

        Assert.Equal("Isbn,Title,Pages\r\n1,One,10\r\n2,Two,20\r\n", File.ReadAllText(path));
    }

    private static int CountOccurrences(string text, string value) =>
        (text.Length - text.Replace(value, "").Length) / value.Length;
}
