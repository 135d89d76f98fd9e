using System.Text;
using Checkpointing.Phases;
using Checkpointing.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Checkpointing.Tests.Phases;

public sealed class PhaseCheckpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 10, 18, 10, 30, 45, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();

    public void Dispose() => _temp.Dispose();

    private string Root => _temp.Combine("checkpoints");

    private string PhaseDirectory => Path.Combine(Root, "phase_3");

    private PhaseCheckpointOptions Options(PhaseFingerprint? fingerprint = null) => new()
    {
        Root = Root,
        Phase = "phase_3",
        MinSaveInterval = TimeSpan.FromMinutes(5),
        Ttl = TimeSpan.FromHours(24),
        MaxSnapshots = 10,
        InputFingerprint = fingerprint,
        Logger = _logger,
        TimeProvider = _time,
    };

    private static Task<PhaseCheckpoint<FoldState>> OpenAsync(PhaseCheckpointOptions options) =>
        PhaseCheckpoint<FoldState>.OpenAsync(options, PhaseTestJsonContext.Default.FoldState);

    private static FoldState StateOf(params string[] done) => new()
    {
        Done = [.. done],
        Counts = done.ToDictionary(d => d, d => d.Length),
        CostUsd = done.Length * 0.0123m,
    };

    private string[] SnapshotFiles() => Directory.GetFiles(PhaseDirectory, "checkpoint_*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public async Task A_saved_state_loads_back_with_its_iteration_metadata_and_fingerprint()
    {
        var fingerprint = PhaseFingerprint.Of("model-a", "prompt-v2");
        await using var phase = await OpenAsync(Options(fingerprint));
        Assert.Null(await phase.LoadLatestAsync());

        Assert.True(await phase.SaveAsync(2, StateOf("book_001", "book_002"), new Dictionary<string, string> { ["book"] = "ML \"Systems\"" }));

        var latest = await phase.LoadLatestAsync();
        Assert.NotNull(latest);
        Assert.Equal(2, latest.Iteration);
        Assert.Equal(1, latest.Sequence);
        Assert.Equal(_time.GetUtcNow(), latest.SavedAt);
        Assert.False(latest.IsComplete);
        Assert.Equal(fingerprint, latest.InputFingerprint);
        Assert.Equal(["book_001", "book_002"], latest.State.Done);
        Assert.Equal(0.0246m, latest.State.CostUsd);
        Assert.Equal("ML \"Systems\"", latest.Metadata["book"]);
        Assert.Equal(["checkpoint_20251018_103045_iter2_seq1.json"], SnapshotFiles());
        Assert.Equal(Path.Combine(PhaseDirectory, "checkpoint_20251018_103045_iter2_seq1.json"), phase.LastSavedPath);
    }

    [Fact]
    public async Task The_file_has_the_documented_fields_and_a_checksum_other_tools_can_verify()
    {
        await using var phase = await OpenAsync(Options(PhaseFingerprint.Of("x")));
        await phase.SaveAsync(7, StateOf("a"), new Dictionary<string, string> { ["book"] = "a" });

        var bytes = File.ReadAllBytes(phase.LastSavedPath!);
        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        var root = document.RootElement;
        Assert.Equal(
            ["format", "version", "phase", "iteration", "sequence", "timestamp", "complete", "input_fingerprint", "state", "metadata", "sha256"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("checkpointing.phase", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("phase_3", root.GetProperty("phase").GetString());
        Assert.Equal(7, root.GetProperty("iteration").GetInt64());
        Assert.Equal("2025-10-18T10:30:45.0000000Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("a", root.GetProperty("state").GetProperty("Done")[0].GetString());

        // The rule of docs/phase-snapshots.md, as a tool in another language applies it.
        var member = bytes.AsSpan().LastIndexOf("\"sha256\""u8);
        var cut = bytes.AsSpan(0, member).LastIndexOf((byte)',');
        var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, cut))).ToLowerInvariant();
        Assert.Equal(expected, root.GetProperty("sha256").GetString());
        Assert.True(PhaseSnapshotFile.Inspect(phase.LastSavedPath!).IsValid);
    }

    [Fact]
    public async Task Latest_is_the_highest_sequence_even_when_the_clock_went_back_and_file_times_say_otherwise()
    {
        string first;
        await using (var phase = await OpenAsync(Options()))
        {
            await phase.SaveAsync(1, StateOf("a"));
            first = phase.LastSavedPath!;
        }

        // The next run's clock is three hours behind: its snapshot has the older timestamp and name.
        var behind = new FakeTimeProvider(_time.GetUtcNow().AddHours(-3));
        await using var next = await OpenAsync(Options() with { TimeProvider = behind });
        await next.SaveAsync(2, StateOf("a", "b"));
        File.SetLastWriteTimeUtc(first, DateTime.UtcNow.AddDays(1));

        var latest = await next.LoadLatestAsync();

        Assert.Equal(2, latest!.Sequence);
        Assert.Equal(["a", "b"], latest.State.Done);
        Assert.True(string.CompareOrdinal(Path.GetFileName(next.LastSavedPath), Path.GetFileName(first)) < 0);
    }

    [Fact]
    public async Task Two_saves_of_the_same_iteration_in_the_same_second_never_collide()
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero });
        await phase.SaveAsync(4, StateOf("a"));
        await phase.SaveAsync(4, StateOf("a", "b"));

        Assert.Equal(["checkpoint_20251018_103045_iter4_seq1.json", "checkpoint_20251018_103045_iter4_seq2.json"], SnapshotFiles());
        Assert.Equal(["a", "b"], (await phase.LoadLatestAsync())!.State.Done);
    }

    [Fact]
    public async Task Sequences_continue_across_processes()
    {
        await using (var phase = await OpenAsync(Options()))
        {
            await phase.SaveAsync(1, StateOf("a"));
        }

        await using (var phase = await OpenAsync(Options()))
        {
            await phase.SaveAsync(1, StateOf("a"));
            Assert.Equal(2, (await phase.LoadLatestAsync())!.Sequence);
        }
    }

    public static TheoryData<string, string> Damage => new()
    {
        { "truncated", "not valid JSON" },
        { "empty", "it is empty" },
        { "zeros", "not valid JSON" },
        { "edited", "checksum does not match" },
        { "version 2", "version 2 is unknown" },
        { "no checksum", "no 'sha256' checksum" },
        { "other phase", "belongs to phase 'phase_9'" },
        { "renamed", "name says sequence" },
        { "other state type", "does not read as FoldState" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_newest_snapshot_is_skipped_with_a_warning_naming_it_and_the_previous_one_is_used(string damage, string expectedProblem)
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero });
        await phase.SaveAsync(1, StateOf("a"));
        await phase.SaveAsync(2, StateOf("a", "b"));
        var newest = phase.LastSavedPath!;
        var bytes = File.ReadAllBytes(newest);
        var text = Encoding.UTF8.GetString(bytes);
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]); break;
            case "empty": File.WriteAllBytes(newest, []); break;
            case "zeros": Array.Clear(bytes, 100, 40); File.WriteAllBytes(newest, bytes); break;
            case "edited": File.WriteAllText(newest, text.Replace("\"b\"", "\"c\"", StringComparison.Ordinal)); break;
            case "version 2": File.WriteAllText(newest, text.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal)); break;
            case "no checksum": File.WriteAllText(newest, text[..text.LastIndexOf(',')] + "}"); break;
            case "other phase": File.WriteAllText(newest, Resign(text.Replace("\"phase_3\"", "\"phase_9\"", StringComparison.Ordinal))); break;
            case "renamed": File.Move(newest, newest.Replace("_seq2", "_seq3", StringComparison.Ordinal)); newest = newest.Replace("_seq2", "_seq3", StringComparison.Ordinal); break;
            case "other state type":
                File.Delete(newest);
                await using (var other = await PhaseCheckpoint<OtherState>.OpenAsync(Options() with { Phase = "tmp" }, PhaseTestJsonContext.Default.OtherState))
                {
                    await other.SaveAsync(2, new OtherState { Done = 2 });
                    File.Move(other.LastSavedPath!, newest.Replace("_seq2", "_seq5", StringComparison.Ordinal));
                    newest = newest.Replace("_seq2", "_seq5", StringComparison.Ordinal);
                }

                File.WriteAllText(newest, Resign(File.ReadAllText(newest).Replace("\"tmp\"", "\"phase_3\"", StringComparison.Ordinal).Replace("\"sequence\": 1", "\"sequence\": 5", StringComparison.Ordinal)));
                break;
        }

        var latest = await phase.LoadLatestAsync();

        Assert.NotNull(latest);
        Assert.Equal(1, latest.Sequence);
        Assert.Equal(["a"], latest.State.Done);
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Warning);
        Assert.Contains(Path.GetFileName(newest), warning.Message, StringComparison.Ordinal);
        Assert.Contains(expectedProblem, warning.Message, StringComparison.Ordinal);
        var listed = phase.List();
        Assert.Equal(expectedProblem != "does not read as FoldState", !listed.Single(i => i.FileName == Path.GetFileName(newest)).IsValid);
    }

    /// <summary>Recomputes the checksum after an edit, as docs/phase-snapshots.md tells a tool to.</summary>
    private static string Resign(string text)
    {
        var member = text.LastIndexOf("\"sha256\"", StringComparison.Ordinal);
        var cut = text.LastIndexOf(',', member);
        var body = text[..cut];
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
        return body + ",\n  \"sha256\": \"" + hash + "\"\n}\n";
    }

    [Fact]
    public async Task Saves_within_the_interval_are_skipped_unless_forced_and_the_first_and_final_ones_always_write()
    {
        await using var phase = await OpenAsync(Options());
        Assert.True(await phase.SaveAsync(1, StateOf("a")));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(await phase.SaveAsync(2, StateOf("a", "b")));
        Assert.True(await phase.SaveAsync(3, StateOf("a", "b", "c"), force: true));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await phase.SaveAsync(4, StateOf("a", "b", "c", "d")));
        var path = await phase.CompleteAsync(4, StateOf("a", "b", "c", "d"));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await phase.SaveAsync(5, StateOf("e")));

        Assert.Equal([1L, 3, 4, 5], phase.List().Select(i => i.Iteration!.Value).Order());
        Assert.True(phase.List().Single(i => i.Path == path).IsComplete);
    }

    [Fact]
    public async Task A_completed_phase_is_found_complete_by_the_next_run()
    {
        var fingerprint = PhaseFingerprint.Of("books-1");
        await using (var phase = await OpenAsync(Options(fingerprint)))
        {
            await phase.CompleteAsync(3, StateOf("a", "b", "c") is var s ? Done(s, "result") : null!);
        }

        await using (var phase = await OpenAsync(Options(fingerprint)))
        {
            var latest = await phase.LoadLatestAsync();
            Assert.True(latest!.IsComplete);
            Assert.Equal("result", latest.State.Result);
        }

        static FoldState Done(FoldState state, string result)
        {
            state.Complete = true;
            state.Result = result;
            return state;
        }
    }

    [Fact]
    public async Task Retention_keeps_MaxSnapshots_with_the_highest_sequence()
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero, MaxSnapshots = 3 });
        for (var i = 1; i <= 6; i++)
        {
            await phase.SaveAsync(i, StateOf($"item{i}"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([6L, 5, 4], phase.List().Select(i => i.Sequence!.Value));
    }

    [Fact]
    public async Task Retention_removes_expired_snapshots_but_never_the_newest()
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero, Ttl = TimeSpan.FromHours(1), MaxSnapshots = 1 });
        await phase.SaveAsync(1, StateOf("a"));
        await phase.SaveAsync(2, StateOf("a", "b"));
        Assert.Equal([2L], phase.List().Select(i => i.Sequence!.Value));

        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(2, (await phase.LoadLatestAsync())!.Sequence);
        await using var wide = await ReopenAsync(phase, Options() with { MinSaveInterval = TimeSpan.Zero, Ttl = TimeSpan.FromHours(1), MaxSnapshots = 10 });
        await wide.SaveAsync(3, StateOf("a", "b", "c"));
        _time.Advance(TimeSpan.FromMinutes(30));
        await wide.SaveAsync(4, StateOf("a", "b", "c", "d"));

        // Sequence 2 expired with the save of 3; 3 is 30 minutes old and stays.
        Assert.Equal([4L, 3], wide.List().Select(i => i.Sequence!.Value));
    }

    private static async Task<PhaseCheckpoint<FoldState>> ReopenAsync(PhaseCheckpoint<FoldState> phase, PhaseCheckpointOptions options)
    {
        await phase.DisposeAsync();
        return await OpenAsync(options);
    }

    [Fact]
    public async Task Retention_leaves_files_that_are_not_snapshots_alone()
    {
        Directory.CreateDirectory(PhaseDirectory);
        File.WriteAllText(Path.Combine(PhaseDirectory, "checkpoint_20251018_103045_iter5.json"), "{\"phase\": \"phase_3\"}");
        File.WriteAllText(Path.Combine(PhaseDirectory, "notes.txt"), "mine");
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero, MaxSnapshots = 1 });
        await phase.SaveAsync(1, StateOf("a"));
        await phase.SaveAsync(2, StateOf("b"));

        Assert.True(File.Exists(Path.Combine(PhaseDirectory, "notes.txt")));
        var listed = phase.List();
        Assert.Equal(2, listed.Count);
        Assert.Contains("its name is not", listed.Single(i => !i.IsValid).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_of_other_inputs_is_not_returned_and_the_warning_says_so()
    {
        var books = Enumerable.Range(1, 3).Select(i => _temp.Combine($"book_{i}.md")).ToList();
        books.ForEach(b => File.WriteAllText(b, "content of " + b));
        var before = PhaseFingerprint.OfFiles(books);
        await using (var phase = await OpenAsync(Options(before)))
        {
            await phase.CompleteAsync(3, StateOf("book_1", "book_2", "book_3"));
        }

        books.Add(_temp.Combine("book_4.md"));
        File.WriteAllText(books[^1], "a new book");
        var after = PhaseFingerprint.OfFiles(books);
        Assert.NotEqual(before, after);
        await using (var phase = await OpenAsync(Options(after)))
        {
            Assert.Null(await phase.LoadLatestAsync());
            var warning = Assert.Single(_logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Warning).Message;
            Assert.Contains("other inputs", warning, StringComparison.Ordinal);
            Assert.Contains("the completed phase is redone", warning, StringComparison.Ordinal);
            await phase.SaveAsync(1, StateOf("book_1"));
        }

        // Back to the first inputs: their snapshot is found again, past the newer one of the other inputs.
        await using (var phase = await OpenAsync(Options(before)))
        {
            var latest = await phase.LoadLatestAsync();
            Assert.Equal(1, latest!.Sequence);
            Assert.True(latest.IsComplete);
        }
    }

    [Fact]
    public void A_file_fingerprint_ignores_order_and_folder_but_not_names_or_content()
    {
        var a = _temp.Combine("a.md");
        var b = _temp.Combine("b.md");
        File.WriteAllText(a, "alpha");
        File.WriteAllText(b, "beta");
        var moved = _temp.Combine("moved");
        Directory.CreateDirectory(moved);
        File.Copy(a, Path.Combine(moved, "a.md"));
        File.Copy(b, Path.Combine(moved, "b.md"));

        var fingerprint = PhaseFingerprint.OfFiles([a, b]);
        Assert.Equal(fingerprint, PhaseFingerprint.OfFiles([b, a]));
        Assert.Equal(fingerprint, PhaseFingerprint.OfFiles([Path.Combine(moved, "b.md"), Path.Combine(moved, "a.md")]));
        Assert.Matches("^sha256:[0-9a-f]{64}$", fingerprint.Value);
        Assert.Equal(fingerprint, PhaseFingerprint.Parse(fingerprint.Value));

        File.WriteAllText(b, "beta!");
        Assert.NotEqual(fingerprint, PhaseFingerprint.OfFiles([a, b]));
        File.Move(b, _temp.Combine("c.md"));
        Assert.NotEqual(fingerprint, PhaseFingerprint.OfFiles([a, _temp.Combine("c.md")]));

        var missing = Assert.Throws<FileNotFoundException>(() => PhaseFingerprint.OfFiles([a, _temp.Combine("gone.md")]));
        Assert.Contains("gone.md", missing.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => PhaseFingerprint.Parse("md5:abc"));
    }

    [Fact]
    public async Task List_GetStats_and_Clear_report_and_remove_every_snapshot()
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero });
        await phase.SaveAsync(1, StateOf("a"));
        _time.Advance(TimeSpan.FromMinutes(10));
        await phase.SaveAsync(2, StateOf("a", "b"));
        _time.Advance(TimeSpan.FromMinutes(20));
        File.WriteAllText(Path.Combine(PhaseDirectory, "checkpoint_20251018_120000_iter9_seq9.json"), "{\"trunc");

        var listed = phase.List();
        Assert.Equal([9L, 2, 1], listed.Select(i => i.Sequence!.Value));
        Assert.False(listed[0].IsValid);
        Assert.Equal(TimeSpan.FromMinutes(20), listed[1].Age);
        Assert.Equal(TimeSpan.FromMinutes(30), listed[2].Age);
        Assert.All(listed, i => Assert.True(i.SizeBytes > 0));

        var stats = phase.GetStats();
        Assert.Equal(3, stats.Total);
        Assert.Equal(2, stats.Valid);
        Assert.Equal(listed.Sum(i => i.SizeBytes), stats.TotalBytes);
        Assert.Equal(TimeSpan.FromMinutes(20), stats.NewestAge);
        Assert.Equal(2, stats.NewestSequence);

        Assert.Equal(3, await phase.ClearAsync());
        Assert.Empty(phase.List());
        Assert.Null(await phase.LoadLatestAsync());
        Assert.Equal(new PhaseCheckpointStats(0, 0, 0, null, null), phase.GetStats());
        Assert.True(await phase.SaveAsync(3, StateOf("x")), "the first save after a clear is not throttled");
        Assert.Equal(10, (await phase.LoadLatestAsync())!.Sequence);
    }

    [Fact]
    public async Task A_second_open_of_the_same_phase_is_refused_naming_the_holder()
    {
        await using var phase = await OpenAsync(Options());
        var error = await Assert.ThrowsAsync<PhaseLockedException>(() => OpenAsync(Options()));
        Assert.Equal(Environment.ProcessId, error.OwnerProcessId);
        Assert.Contains("phase_3", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("phase.lock", error.LockPath, StringComparison.Ordinal);

        await phase.DisposeAsync();
        await using var again = await OpenAsync(Options());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => phase.SaveAsync(1, StateOf("a")));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData(".hidden")]
    public async Task A_phase_name_that_is_not_a_plain_folder_name_is_refused(string name)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OpenAsync(Options() with { Phase = name }));
        Assert.Contains("Phase name", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Root));
        Assert.False(Directory.Exists(_temp.Combine("x")));
    }

    [Fact]
    public async Task Invalid_options_are_refused_with_the_option_named()
    {
        Assert.Contains("MaxSnapshots", (await Assert.ThrowsAsync<ArgumentException>(() => OpenAsync(Options() with { MaxSnapshots = 0 }))).Message, StringComparison.Ordinal);
        Assert.Contains("Ttl", (await Assert.ThrowsAsync<ArgumentException>(() => OpenAsync(Options() with { Ttl = TimeSpan.Zero }))).Message, StringComparison.Ordinal);
        Assert.Contains("MinSaveInterval", (await Assert.ThrowsAsync<ArgumentException>(() => OpenAsync(Options() with { MinSaveInterval = TimeSpan.FromSeconds(-1) }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Temp_files_of_a_save_cut_short_are_removed_at_open_and_never_loaded()
    {
        Directory.CreateDirectory(PhaseDirectory);
        var temp = Path.Combine(PhaseDirectory, ".checkpoint_20251018_103045_iter1_seq1.json.0123456789ab.ckpt.tmp");
        File.WriteAllText(temp, "{\"format\": \"checkpointing.phase\"");
        await using var phase = await OpenAsync(Options());
        Assert.False(File.Exists(temp));
        Assert.Null(await phase.LoadLatestAsync());
    }

    [Fact]
    public async Task A_full_disk_fails_the_save_clearly_and_loses_nothing()
    {
        var fs = new Lsi.DiskFullFileSystem();
        await using var phase = await PhaseCheckpoint<FoldState>.OpenAsync(fs, Options() with { MinSaveInterval = TimeSpan.Zero }, PhaseTestJsonContext.Default.FoldState, CancellationToken.None);
        await phase.SaveAsync(1, StateOf("a"));
        fs.Full = true;

        var error = await Assert.ThrowsAsync<IOException>(() => phase.SaveAsync(2, StateOf("a", "b")));

        Assert.Contains("phase_3", error.Message, StringComparison.Ordinal);
        Assert.Contains("iter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("unchanged", error.Message, StringComparison.Ordinal);
        fs.Full = false;
        Assert.Equal(["a"], (await phase.LoadLatestAsync())!.State.Done);
        Assert.Empty(Directory.GetFiles(PhaseDirectory, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(PhaseDirectory, ".*")));
        Assert.True(await phase.SaveAsync(3, StateOf("a", "b")));
        Assert.Equal(3, (await phase.LoadLatestAsync())!.Sequence);
    }

    [Fact]
    public async Task Cancellation_before_the_rename_leaves_the_previous_snapshot_latest()
    {
        await using var phase = await OpenAsync(Options() with { MinSaveInterval = TimeSpan.Zero });
        await phase.SaveAsync(1, StateOf("a"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => phase.SaveAsync(2, StateOf("a", "b"), cancellationToken: cancelled.Token));

        Assert.Equal(1, (await phase.LoadLatestAsync())!.Sequence);
        Assert.Single(SnapshotFiles());
    }
}

public sealed class PhaseSnapshotDocTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_example_in_the_format_doc_is_a_valid_snapshot()
    {
        // tests/Checkpointing.Tests/bin/<Configuration>/net10.0/ -> docs/phase-snapshots.md
        var doc = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "docs", "phase-snapshots.md"));
        var text = File.ReadAllText(doc).ReplaceLineEndings("\n");
        var start = text.IndexOf("```json\n", text.IndexOf("Example, a real file", StringComparison.Ordinal), StringComparison.Ordinal) + "```json\n".Length;
        var json = text[start..text.IndexOf("```\n", start, StringComparison.Ordinal)];
        var path = _temp.Combine("phase_3", "checkpoint_20261130_095129_iter2_seq2.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);

        var info = PhaseSnapshotFile.Inspect(path);

        Assert.True(info.IsValid, info.Problem);
        Assert.Equal(2, info.Sequence);
        File.WriteAllText(path, json.Replace("book_002\"}", "book_003\"}", StringComparison.Ordinal));
        Assert.Contains("checksum does not match", PhaseSnapshotFile.Inspect(path).Problem, StringComparison.Ordinal);
    }
}
