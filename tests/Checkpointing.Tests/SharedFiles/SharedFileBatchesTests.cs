using System.Security.Cryptography;
using System.Text.Json;
using Checkpointing.IO;
using Checkpointing.SharedFiles;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.SharedFiles;

public sealed class SharedFileBatchesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SharedFileOptions Options(SharedFileBatchPolicy? policy = null, SharedFileStart? start = null, bool force = false) => new()
    {
        Root = _temp.Path,
        RunId = "run",
        Name = "review",
        FileName = "review.tsv",
        Policy = policy ?? SharedFileBatchPolicy.Items(5),
        Start = start ?? SharedFileStart.Resume,
        Force = force,
        SaveRetryDelay = TimeSpan.FromMilliseconds(1),
    };

    private string FilePath => _temp.Combine("run", "review.tsv");

    private string CheckpointPath => _temp.Combine("run", "checkpoints", "review.batches.json");

    private static string[] Keys(int count) => Enumerable.Range(1, count).Select(i => $"pkg-{i:D3}").ToArray();

    private static string Value(string key) => "reviewed " + key;

    private Task<SharedFileRunResult> RunAsync(int count, SharedFileOptions options, Func<string, string>? process = null, CancellationToken ct = default, IFileSystem? fs = null) =>
        SharedFileRunner.RunAsync(fs ?? PhysicalFileSystem.Instance, Keys(count), k => k,
            (key, context, _) =>
            {
                context.AddCost(0.01m);
                return ValueTask.FromResult(process is null ? Value(key) : process(key));
            },
            new TextRowsFormat(), options, ct);

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    [Fact]
    public async Task Fixed_batches_save_every_n_items_and_the_rest_on_completion()
    {
        var result = await RunAsync(12, Options(SharedFileBatchPolicy.Items(5)));

        Assert.Equal(SharedFileRunStatus.Completed, result.Status);
        Assert.Equal(12, result.Processed);
        Assert.Equal(3, result.BatchesSaved);
        Assert.Equal(0.12m, result.CostUsd);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal([5, 5, 2], checkpoint.Batches.Select(b => b.Items));
        Assert.Equal([SharedFileBatchReason.Items, SharedFileBatchReason.Items, SharedFileBatchReason.Completion], checkpoint.Batches.Select(b => b.Reason));
        Assert.Equal(3, checkpoint.Batch);
        Assert.Equal(Sha(FilePath), checkpoint.Sha256);
        Assert.Equal(new FileInfo(FilePath).Length, checkpoint.FileLength);
        Assert.Equal(Keys(12).Order(), checkpoint.Completed.Keys.Order());
        Assert.Equal(1, checkpoint.Completed["pkg-001"]);
        Assert.Equal(3, checkpoint.Completed["pkg-012"]);
        Assert.Equal(Keys(12).ToDictionary(k => k, Value), TextRowsFormat.ReadFile(FilePath));
        Assert.Equal(SharedFileRunStatus.Completed, checkpoint.Status);
    }

    [Fact]
    public async Task Items_count_as_completed_only_when_their_batch_is_saved()
    {
        await using var batches = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options(SharedFileBatchPolicy.Items(5)));
        foreach (var key in Keys(4))
        {
            await batches.AddAsync(key, Value(key));
        }

        Assert.False(File.Exists(FilePath));
        Assert.Empty(SharedFileCheckpoint.Read(CheckpointPath).Completed);
        Assert.False(batches.IsCompleted("pkg-001"));
        Assert.Equal(4, batches.PendingRows);

        await batches.AddAsync("pkg-005", Value("pkg-005"));

        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(5, checkpoint.Completed.Count);
        Assert.Equal(Sha(FilePath), checkpoint.Sha256);
        Assert.True(batches.IsCompleted("pkg-001"));
    }

    [Fact]
    public async Task A_time_policy_saves_a_row_that_waited_even_when_no_other_row_comes()
    {
        await using var batches = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options(SharedFileBatchPolicy.Every(TimeSpan.FromMilliseconds(100))));
        await batches.AddAsync("pkg-001", "x");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (SharedFileCheckpoint.Read(CheckpointPath).Batch == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(1, checkpoint.Batch);
        Assert.Equal(SharedFileBatchReason.Time, checkpoint.Batches[0].Reason);
        Assert.Equal("x", TextRowsFormat.ReadFile(FilePath)["pkg-001"]);
    }

    [Fact]
    public async Task Combined_policies_save_on_whichever_comes_first()
    {
        var policy = SharedFileBatchPolicy.Items(3).Or(SharedFileBatchPolicy.Adaptive(100)).Or(SharedFileBatchPolicy.Every(TimeSpan.FromHours(1)));
        Assert.Equal(3, policy.MaxItems);
        Assert.Equal(100, policy.MaxBufferedBytes);
        Assert.Equal(TimeSpan.FromHours(1), policy.MaxInterval);

        await using var batches = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options(policy));
        await batches.AddAsync("a", "small");
        await batches.AddAsync("b", "small");
        await batches.AddAsync("c", "small");                 // 3 items: saved on the item limit
        await batches.AddAsync("d", new string('x', 120));    // over the byte budget alone: saved on memory
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal([SharedFileBatchReason.Items, SharedFileBatchReason.Memory], checkpoint.Batches.Select(b => b.Reason));
        Assert.Equal([3, 1], checkpoint.Batches.Select(b => b.Items));
    }

    [Fact]
    public async Task The_adaptive_policy_shrinks_the_batch_past_the_budget_and_grows_it_back()
    {
        await using var batches = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options(SharedFileBatchPolicy.Adaptive(1000, maxItems: 16)));
        Assert.Equal(16, batches.CurrentBatchLimit);
        for (var i = 0; i < 5; i++)
        {
            await batches.AddAsync($"big-{i}", new string('b', 184));   // 200 bytes each: the budget holds 5
        }

        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(SharedFileBatchReason.Memory, checkpoint.Batches[0].Reason);
        Assert.Equal(5, checkpoint.Batches[0].Items);
        Assert.Equal(2, batches.CurrentBatchLimit);
        await batches.AddAsync("big-5", new string('b', 184));
        await batches.AddAsync("big-6", new string('b', 184));           // 2 items, 400 bytes: under half the budget
        Assert.Equal(4, batches.CurrentBatchLimit);
        for (var i = 0; i < 40; i++)
        {
            await batches.AddAsync($"small-{i}", "s");
        }

        Assert.Equal(16, batches.CurrentBatchLimit);
    }

    [Fact]
    public async Task Cancellation_saves_the_pending_rows_and_the_next_run_does_only_the_rest()
    {
        using var cts = new CancellationTokenSource();
        var processed = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(20, Options(SharedFileBatchPolicy.Items(100)), key =>
        {
            if (Interlocked.Increment(ref processed) == 7)
            {
                cts.Cancel();
            }

            return Value(key);
        }, cts.Token));

        var afterCancel = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(SharedFileRunStatus.Cancelled, afterCancel.Status);
        Assert.InRange(afterCancel.Completed.Count, 6, 7);
        Assert.Equal(SharedFileBatchReason.Cancellation, afterCancel.Batches.Single().Reason);
        Assert.Equal(afterCancel.Sha256, Sha(FilePath));

        var seen = new List<string>();
        var result = await RunAsync(20, Options(), key => { seen.Add(key); return Value(key); });
        Assert.Equal(20 - afterCancel.Completed.Count, result.Processed);
        Assert.Empty(seen.Intersect(afterCancel.Completed.Keys));
        Assert.Equal(Keys(20).ToDictionary(k => k, Value), TextRowsFormat.ReadFile(FilePath));
    }

    [Fact]
    public async Task Failed_items_stay_pending_and_are_retried_on_the_next_run()
    {
        var first = await RunAsync(10, Options(), key => key is "pkg-003" or "pkg-008" ? throw new HttpRequestException("503 from PyPI") : Value(key));

        Assert.Equal(SharedFileRunStatus.Failed, first.Status);
        Assert.Equal(2, first.Failed);
        Assert.Equal(8, first.Processed);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(["pkg-003", "pkg-008"], checkpoint.Failed.Keys.Order());
        Assert.Equal("503 from PyPI", checkpoint.Failed["pkg-003"].Error);
        Assert.Contains("2 item(s) failed", checkpoint.Error);

        var seen = new List<string>();
        var second = await RunAsync(10, Options(), key => { seen.Add(key); return Value(key); });
        Assert.Equal(["pkg-003", "pkg-008"], seen.Order());
        Assert.Equal(SharedFileRunStatus.Completed, second.Status);
        Assert.Empty(SharedFileCheckpoint.Read(CheckpointPath).Failed);
        Assert.Equal(10, TextRowsFormat.ReadFile(FilePath).Count);
    }

    [Fact]
    public async Task StopOnItemFailure_stops_at_the_first_failure_after_saving_what_was_done()
    {
        var options = Options(SharedFileBatchPolicy.Items(100)) with { StopOnItemFailure = true };
        var result = await RunAsync(10, options, key => key == "pkg-004" ? throw new InvalidOperationException("boom") : Value(key));

        Assert.Equal(SharedFileRunStatus.Failed, result.Status);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(["pkg-001", "pkg-002", "pkg-003"], checkpoint.Completed.Keys.Order());
        Assert.Contains("boom", checkpoint.Error);
    }

    [Fact]
    public async Task Fresh_sets_the_old_file_aside_and_processes_every_item_again()
    {
        await RunAsync(6, Options());
        var old = File.ReadAllBytes(FilePath);

        var result = await RunAsync(6, Options(start: SharedFileStart.Fresh), key => "again " + key);

        Assert.Equal(6, result.Processed);
        var aside = Directory.GetFiles(_temp.Combine("run"), "review.tsv.*.old").Single();
        Assert.Equal(old, File.ReadAllBytes(aside));
        Assert.All(TextRowsFormat.ReadFile(FilePath).Values, v => Assert.StartsWith("again ", v));
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.NotNull(checkpoint.ResetAt);
        Assert.Equal(2, checkpoint.Batch);           // batch numbers restart after a fresh start
        Assert.Equal(2, checkpoint.Runs.Count);      // the run history is kept
        Assert.Equal("fresh", checkpoint.Runs[1].Start);
    }

    [Fact]
    public async Task From_item_n_is_one_based_and_redoes_items_n_to_the_end()
    {
        await RunAsync(10, Options());
        var seen = new List<string>();

        var result = await RunAsync(10, Options(start: SharedFileStart.FromItem(5)), key => { seen.Add(key); return "redone " + key; });

        Assert.Equal(Keys(10)[4..], seen.Order());
        Assert.Equal(6, result.Processed);
        Assert.Equal(4, result.Skipped);
        var rows = TextRowsFormat.ReadFile(FilePath);
        Assert.Equal(Value("pkg-004"), rows["pkg-004"]);
        Assert.Equal("redone pkg-005", rows["pkg-005"]);
        Assert.Equal(10, rows.Count);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Empty(checkpoint.Redo);
        Assert.Equal(10, checkpoint.Completed.Count);

        var tooFar = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunAsync(10, Options(start: SharedFileStart.FromItem(11))));
        Assert.Contains("Cannot start from item 11: there are 10 items (item numbers are 1-based)", tooFar.Message);
    }

    [Fact]
    public async Task From_item_n_is_remembered_when_the_run_dies_before_redoing_everything()
    {
        await RunAsync(10, Options());
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(10, Options(SharedFileBatchPolicy.Items(100), SharedFileStart.FromItem(3)), key =>
        {
            cts.Cancel();
            return "redone " + key;
        }, cts.Token));

        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(10, checkpoint.Rows);
        Assert.NotEmpty(checkpoint.Redo);
        var seen = new List<string>();
        await RunAsync(10, Options(), key => { seen.Add(key); return "redone " + key; });
        Assert.Equal(checkpoint.Redo.Order(), seen.Order());
        Assert.All(TextRowsFormat.ReadFile(FilePath).Where(p => string.CompareOrdinal(p.Key, "pkg-003") >= 0), p => Assert.Equal("redone " + p.Key, p.Value));
    }

    [Fact]
    public async Task From_batch_n_is_one_based_and_redoes_that_batch_and_later_ones()
    {
        await RunAsync(9, Options(SharedFileBatchPolicy.Items(3)));
        var seen = new List<string>();

        var result = await RunAsync(9, Options(SharedFileBatchPolicy.Items(3), SharedFileStart.FromBatch(2)), key => { seen.Add(key); return "redone " + key; });

        Assert.Equal(Keys(9)[3..], seen.Order());
        Assert.Equal(6, result.Processed);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(5, checkpoint.Batch);   // numbers are never reused
        Assert.Equal(4, checkpoint.Completed["pkg-004"]);

        var tooFar = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunAsync(9, Options(start: SharedFileStart.FromBatch(7))));
        Assert.Contains("Cannot start from batch 7: the last saved batch", tooFar.Message);
    }

    [Theory]
    [InlineData("resume")]
    [InlineData("fresh")]
    [InlineData("item:12")]
    [InlineData("batch:3")]
    public void Starts_parse_and_print_one_based_numbers(string text) =>
        Assert.Equal(text, SharedFileStart.Parse(text).ToString());

    [Theory]
    [InlineData("item:0")]
    [InlineData("batch:-1")]
    [InlineData("from:3")]
    public void Bad_starts_are_refused(string text) =>
        Assert.Contains("1-based", Assert.Throws<FormatException>(() => SharedFileStart.Parse(text)).Message);

    [Fact]
    public async Task A_hand_edited_file_is_refused_with_what_differs_unless_forced()
    {
        await RunAsync(10, Options());
        var lines = File.ReadAllLines(FilePath).ToList();
        lines.RemoveAll(l => l.StartsWith("pkg-004\t", StringComparison.Ordinal) || l.StartsWith("pkg-007\t", StringComparison.Ordinal));
        lines.Add("my-package\thand made");
        File.WriteAllText(FilePath, string.Join('\n', lines) + "\n");
        var edited = File.ReadAllBytes(FilePath);

        var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(10, Options()));

        Assert.Equal(9, error.RowsInFile);
        Assert.Equal(10, error.RowsInCheckpoint);
        Assert.Equal(["pkg-004", "pkg-007"], error.MissingKeys.Order());
        Assert.Equal(["my-package"], error.ExtraKeys);
        Assert.Contains($"The shared file '{FilePath}' does not match its checkpoint '{CheckpointPath}'", error.Message);
        Assert.Contains("it holds 9 rows, the checkpoint 10; 2 keys missing (", error.Message);
        Assert.Contains("1 key extra (my-package)", error.Message);
        Assert.Contains("run with Force", error.Message);
        Assert.Equal(edited, File.ReadAllBytes(FilePath));   // nothing touched

        var seen = new List<string>();
        var forced = await RunAsync(10, Options(force: true), key => { seen.Add(key); return Value(key); });
        Assert.Equal(["pkg-004", "pkg-007"], seen.Order());
        Assert.Contains("forced", forced.Recovery);
        var rows = TextRowsFormat.ReadFile(FilePath);
        Assert.Equal(11, rows.Count);
        Assert.Equal("hand made", rows["my-package"]);
        Assert.Equal(Sha(FilePath), SharedFileCheckpoint.Read(CheckpointPath).Sha256);
    }

    [Fact]
    public async Task A_changed_value_with_the_same_keys_is_refused_too()
    {
        await RunAsync(4, Options());
        File.WriteAllText(FilePath, File.ReadAllText(FilePath).Replace("reviewed pkg-002", "edited"));

        var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(4, Options()));
        Assert.Contains("the same keys, but the content differs", error.Message);
        Assert.Empty(error.MissingKeys);
    }

    [Fact]
    public async Task A_missing_or_unreadable_file_is_refused_with_a_clear_message()
    {
        await RunAsync(4, Options());
        File.WriteAllText(FilePath, "garbage");
        var unreadable = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(4, Options()));
        Assert.Contains("it cannot be read (line 1: expected the header", unreadable.Message);

        File.Delete(FilePath);
        var missing = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(4, Options()));
        Assert.Contains("it is missing; the checkpoint expects 4 rows", missing.Message);
        Assert.Contains(".bak", missing.Message);
    }

    [Fact]
    public async Task A_file_without_a_checkpoint_is_refused_unless_forced()
    {
        Directory.CreateDirectory(_temp.Combine("run"));
        File.WriteAllText(FilePath, "key\tvalue\npkg-001\tfrom elsewhere\n");

        var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(3, Options()));
        Assert.Equal(["pkg-001"], error.ExtraKeys);

        var result = await RunAsync(3, Options(force: true));
        Assert.Equal(2, result.Processed);
        Assert.Equal("from elsewhere", TextRowsFormat.ReadFile(FilePath)["pkg-001"]);
    }

    [Fact]
    public async Task A_save_interrupted_between_its_rename_and_its_checkpoint_is_adopted()
    {
        var options = Options(SharedFileBatchPolicy.Items(3));
        await using (var batches = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), options))
        {
            foreach (var key in Keys(3))
            {
                await batches.AddAsync(key, Value(key));
            }

            var afterBatch1 = File.ReadAllBytes(CheckpointPath);
            foreach (var key in Keys(6)[3..])
            {
                await batches.AddAsync(key, Value(key));
            }

            await batches.CompleteAsync();
            // The state a crash after batch 2's rename leaves: the new file, its backup, the checkpoint of batch 1.
            File.WriteAllBytes(CheckpointPath, afterBatch1);
        }

        var seen = new List<string>();
        var result = await RunAsync(6, options, key => { seen.Add(key); return Value(key); });

        Assert.Empty(seen);
        Assert.Contains("adopted batch 2 (3 rows)", result.Recovery);
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(SharedFileBatchReason.Recovered, checkpoint.Batches[^1].Reason);
        Assert.Equal(6, checkpoint.Completed.Count);
        Assert.Equal(Sha(FilePath), checkpoint.Sha256);
    }

    [Fact]
    public async Task A_failed_save_is_retried_with_backoff()
    {
        var fs = new FaultyFileSystem { FailRenamesTo = p => p == FilePath, RenameFailures = 2 };

        var result = await RunAsync(6, Options(SharedFileBatchPolicy.Items(3)), fs: fs);

        Assert.Equal(2, fs.FailedRenames);
        Assert.Equal(SharedFileRunStatus.Completed, result.Status);
        Assert.Equal(6, TextRowsFormat.ReadFile(FilePath).Count);
        Assert.Empty(Directory.GetFiles(_temp.Combine("run"), "*.ckpt.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_save_that_keeps_failing_fails_the_run_and_leaves_the_last_good_version()
    {
        await RunAsync(3, Options(SharedFileBatchPolicy.Items(3)));
        var good = File.ReadAllBytes(FilePath);
        var fs = new FaultyFileSystem { FailRenamesTo = p => p == FilePath, RenameFailures = int.MaxValue };

        var error = await Assert.ThrowsAsync<SharedFileSaveException>(() => RunAsync(6, Options(SharedFileBatchPolicy.Items(3)), fs: fs));

        Assert.Equal(4, fs.FailedRenames);   // 1 attempt + 3 retries
        Assert.Equal(4, error.Attempts);
        Assert.Equal(2, error.Batch);
        Assert.Contains("could not be saved after 4 attempts: Input/output error", error.Message);
        Assert.Equal(good, File.ReadAllBytes(FilePath));
        var checkpoint = SharedFileCheckpoint.Read(CheckpointPath);
        Assert.Equal(SharedFileRunStatus.Failed, checkpoint.Status);
        Assert.Equal(Sha(FilePath), checkpoint.Sha256);
        Assert.Equal(3, checkpoint.Completed.Count);

        var result = await RunAsync(6, Options(SharedFileBatchPolicy.Items(3)));
        Assert.Equal(3, result.Processed);
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_rolls_the_file_back()
    {
        await RunAsync(3, Options(SharedFileBatchPolicy.Items(3)));
        var good = File.ReadAllBytes(FilePath);
        var fs = new FaultyFileSystem { FailRenamesTo = p => p == CheckpointPath, RenameFailures = 4, SkipFirst = 1 };   // the open's write succeeds

        await Assert.ThrowsAsync<SharedFileSaveException>(() => RunAsync(6, Options(SharedFileBatchPolicy.Items(3)), fs: fs));

        Assert.Equal(good, File.ReadAllBytes(FilePath));
        Assert.Equal(Sha(FilePath), SharedFileCheckpoint.Read(CheckpointPath).Sha256);
    }

    [Fact]
    public async Task A_second_run_on_the_same_checkpoint_is_refused()
    {
        await using var first = await SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options());
        var error = await Assert.ThrowsAsync<CheckpointLockedException>(() => SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options()));
        Assert.Contains("review.batches.lock", error.Message);
    }

    [Theory]
    [InlineData("../../x", "path separator")]
    [InlineData("", "empty")]
    public async Task Bad_keys_are_refused_naming_the_item(string badKey, string problem)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SharedFileRunner.RunAsync(["a", badKey], k => k,
            (k, _, _) => ValueTask.FromResult(k), new TextRowsFormat(), Options()));
        Assert.Contains("item 2", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public async Task Duplicate_keys_are_refused_naming_both_items()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SharedFileRunner.RunAsync(["a", "b", "a"], k => k,
            (k, _, _) => ValueTask.FromResult(k), new TextRowsFormat(), Options()));
        Assert.Contains("Items 1 and 3 have the same key \"a\"", error.Message);
    }

    [Theory]
    [InlineData("../outside.tsv")]
    [InlineData("/etc/passwd")]
    public async Task A_file_name_outside_the_run_folder_is_refused(string fileName)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SharedFileBatches<string>.OpenAsync(new TextRowsFormat(), Options() with { FileName = fileName }));
        Assert.Contains("must be a relative path inside the run folder", error.Message);
    }

    [Fact]
    public async Task An_unreadable_checkpoint_is_reported_with_its_path()
    {
        await RunAsync(2, Options());
        File.WriteAllText(CheckpointPath, "{\"format\":\"checkpointing.shared-file\",\"version\":");

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => RunAsync(2, Options()));
        Assert.Equal(CheckpointPath, error.Path);
    }

    [Fact]
    public async Task A_format_that_loses_rows_is_caught_by_the_read_back_and_the_file_is_untouched()
    {
        await RunAsync(3, Options(SharedFileBatchPolicy.Items(3)));
        var good = File.ReadAllBytes(FilePath);

        var error = await Assert.ThrowsAsync<SharedFileSaveException>(() => SharedFileRunner.RunAsync(Keys(6), k => k,
            (k, _, _) => ValueTask.FromResult(Value(k)), new LossyFormat(), Options(SharedFileBatchPolicy.Items(3))));

        Assert.Contains("wrote 5 rows, expected 6", error.Message);
        Assert.Equal(1, error.Attempts);   // a format bug is not retried
        Assert.Equal(good, File.ReadAllBytes(FilePath));
    }

    [Fact]
    public async Task The_checkpoint_file_has_the_documented_fields()
    {
        await RunAsync(4, Options(), key => key == "pkg-002" ? throw new InvalidOperationException("x") : Value(key));

        using var document = JsonDocument.Parse(File.ReadAllBytes(CheckpointPath));
        var root = document.RootElement;
        Assert.Equal(
            ["format", "version", "name", "run_id", "file", "status", "error", "updated_at", "reset_at", "batch", "sha256", "file_length", "rows", "completed_count", "total_cost_usd", "completed", "redo", "failed", "batches", "runs"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("checkpointing.shared-file", root.GetProperty("format").GetString());
        Assert.Equal("review.tsv", root.GetProperty("file").GetString());
        Assert.Equal("failed", root.GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("completed").GetProperty("pkg-001").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetProperty("pkg-002").GetProperty("attempts").GetInt32());
        Assert.Equal(["batch", "items", "rows", "saved_at", "sha256", "cost_usd", "reason"], root.GetProperty("batches")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("completion", root.GetProperty("batches")[0].GetProperty("reason").GetString());
        Assert.Equal(["run", "started_at", "ended_at", "status", "start", "processed", "failed", "batches", "error"], root.GetProperty("runs")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.03m, root.GetProperty("total_cost_usd").GetDecimal());
    }

    /// <summary>A buggy format that drops the first row of every file it writes.</summary>
    private sealed class LossyFormat : ISharedFileFormat<string>
    {
        private readonly TextRowsFormat _inner = new();

        public void Write(Stream? previous, IReadOnlyList<SharedFileRow<string>> updates, Stream destination, CancellationToken cancellationToken)
        {
            using var full = new MemoryStream();
            _inner.Write(previous, updates, full, cancellationToken);
            var lines = System.Text.Encoding.UTF8.GetString(full.ToArray()).Split('\n').ToList();
            lines.RemoveAt(1);
            destination.Write(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        }

        public IReadOnlyList<SharedFileRow<string>> Read(Stream file, CancellationToken cancellationToken) => _inner.Read(file, cancellationToken);

        public long EstimateSize(string row) => row.Length;
    }
}
