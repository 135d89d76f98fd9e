using System.Text.RegularExpressions;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// The steps of one <see cref="AtomicFile"/> write that a crash enumeration does not see by itself: how
/// many fsyncs each kind of write makes, the temp file's name, the clean-up after every kind of failure,
/// what the validator is given, cancellation, and which failures put the backup back. Each test names the
/// mutation of <c>src/Checkpointing/IO/AtomicFile.cs</c> it catches (see docs/reliability.md).
/// </summary>
public sealed partial class AtomicFileContractTests
{
    private const string Directory = "/crash/contract";
    private const string Target = Directory + "/target.bin";

    private static readonly byte[] V1 = "version 1"u8.ToArray();
    private static readonly byte[] V2 = "version 2, longer"u8.ToArray();
    private static readonly byte[] V3 = "v3"u8.ToArray();

    [Fact]
    public void A_write_fsyncs_the_temp_file_then_the_folder_and_a_write_with_backup_fsyncs_the_backup_too()
    {
        var fs = new CrashFileSystem();
        Assert.Equal(2, FsyncsOf(fs, () => AtomicFile.Write(fs, Target, s => s.Write(V1), null)));

        // No previous version: nothing to back up, so no third fsync.
        var withBackup = new AtomicWriteOptions { KeepBackup = true };
        Assert.Equal(2, FsyncsOf(fs, () => AtomicFile.Write(fs, Directory + "/other.bin", s => s.Write(V1), withBackup)));
        Assert.Equal(3, FsyncsOf(fs, () => AtomicFile.Write(fs, Target, s => s.Write(V2), withBackup)));
        Assert.Equal(V1, fs.ReadAllBytes(Target + AtomicFile.BackupSuffix));
        Assert.Equal(V2, fs.ReadAllBytes(Target));
    }

    [Fact]
    public void A_write_that_leaves_the_folder_fsync_to_its_caller_fsyncs_only_the_temp_file()
    {
        // The stage's outputs share one folder fsync (DirectorySync); an extra one per output is the cost it saves.
        var fs = new CrashFileSystem();
        var options = new AtomicWriteOptions { SkipDirectorySync = true };
        Assert.Equal(1, FsyncsOf(fs, () => AtomicFile.Write(fs, Target, s => s.Write(V1), options)));
        Assert.Equal(V1, fs.ReadAllBytes(Target));

        // Until the caller's folder fsync the new name is not durable: a power loss forgets it.
        Assert.False(fs.CrashNow(CrashModel.PowerLoss).Files.ContainsKey(Target));
        fs.FsyncDirectory(Directory);
        Assert.Equal(V1, fs.CrashNow(CrashModel.PowerLoss).Files[Target]);
    }

    [Fact]
    public async Task The_temp_file_sits_next_to_the_target_under_a_name_the_clean_up_recognises()
    {
        var fs = new CrashFileSystem();
        var seen = new List<string>();
        var options = new AtomicWriteOptions { Validate = _ => seen.AddRange(fs.AllFiles().Where(p => p != Target)) };
        AtomicFile.Write(fs, Target, s => s.Write(V1), options);
        await AtomicFile.WriteCoreAsync(fs, Target, (s, ct) => s.WriteAsync(V2, ct).AsTask(), options, CancellationToken.None);

        Assert.Equal(2, seen.Count);
        Assert.NotEqual(seen[0], seen[1]);
        foreach (var temp in seen)
        {
            Assert.Matches(TempPath(), temp);
            Assert.True(AtomicFile.IsTempFileName(Path.GetFileName(temp)), temp);
        }

        Assert.Equal([Target], fs.AllFiles());
    }

    [Fact]
    public void The_validator_reads_the_durable_temp_content_from_its_start_and_cannot_change_it()
    {
        var fs = new CrashFileSystem();
        AtomicFile.Write(fs, Target, s => s.Write(V1), null);
        var options = new AtomicWriteOptions
        {
            Validate = content =>
            {
                Assert.Equal(0, content.Position);
                Assert.False(content.CanWrite);
                Assert.Throws<NotSupportedException>(() => content.WriteByte(0));
                using var copy = new MemoryStream();
                content.CopyTo(copy);
                Assert.Equal(V2, copy.ToArray());
            },
        };
        AtomicFile.Write(fs, Target, s => s.Write(V2), options);
        Assert.Equal(V2, fs.ReadAllBytes(Target));
    }

    [Fact]
    public async Task A_cancellation_the_writer_ignores_still_stops_the_write_before_it_replaces_the_target()
    {
        var fs = new CrashFileSystem();
        AtomicFile.Write(fs, Target, s => s.Write(V1), null);
        using var cancellation = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteCoreAsync(
            fs,
            Target,
            (s, ct) =>
            {
                s.Write(V2);
                cancellation.Cancel();
                return Task.CompletedTask;
            },
            null,
            cancellation.Token));
        Assert.Equal(V1, fs.ReadAllBytes(Target));
        Assert.Equal([Target], fs.AllFiles());
    }

    [Fact]
    public void A_write_into_a_missing_folder_creates_it()
    {
        var fs = new CrashFileSystem();
        AtomicFile.Write(fs, Directory + "/a/b/c.bin", s => s.Write(V1), null);
        Assert.True(fs.DirectoryExists(Directory + "/a/b"));
        Assert.Equal(V1, fs.ReadAllBytes(Directory + "/a/b/c.bin"));
    }

    [Fact]
    public void A_path_without_a_parent_folder_is_refused_naming_it()
    {
        var fs = new CrashFileSystem();
        var error = Assert.Throws<ArgumentException>(() => AtomicFile.Write(fs, "/", s => s.Write(V1), null));
        Assert.Equal("path", error.ParamName);
        Assert.Contains("'/' has no parent directory", error.Message);
        Assert.Empty(fs.AllFiles());
    }

    [Theory]
    [InlineData("write")]
    [InlineData("fsync")]
    [InlineData("rename")]
    public void A_backup_that_cannot_be_written_fails_the_write_leaving_the_target_and_no_temp_file(string step)
    {
        var operation = Enum.Parse<FaultOperation>(step, ignoreCase: true);
        var fs = new CrashFileSystem();
        var options = new AtomicWriteOptions { KeepBackup = true };
        AtomicFile.Write(fs, Target, s => s.Write(V1), options);

        // The backup is the first write, fsync and rename of the next atomic write.
        fs.Fault = new FaultPlan(operation, 1, FaultKind.NoSpace, Permanent: false);
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(fs, Target, s => s.Write(V2), options));
        Assert.Equal(1, fs.FaultsFired);
        Assert.Contains(FaultPlan.NoSpaceMessage, error.Message);
        Assert.Equal(V1, fs.ReadAllBytes(Target));
        Assert.Equal([Target], fs.AllFiles());
    }

    [Fact]
    public void A_failed_folder_fsync_without_backup_option_never_restores_an_older_backup_left_by_earlier_writes()
    {
        var fs = new CrashFileSystem();
        var withBackup = new AtomicWriteOptions { KeepBackup = true };
        AtomicFile.Write(fs, Target, s => s.Write(V1), withBackup);
        AtomicFile.Write(fs, Target, s => s.Write(V2), withBackup);
        Assert.Equal(V1, fs.ReadAllBytes(Target + AtomicFile.BackupSuffix));

        // This write asked for no backup: the .bak on disk is two versions old and must not come back.
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: Directory);
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(fs, Target, s => s.Write(V3), null));
        Assert.Contains(FaultPlan.IoErrorMessage, error.Message);
        Assert.Equal(V3, fs.ReadAllBytes(Target));
        Assert.Equal(V1, fs.ReadAllBytes(Target + AtomicFile.BackupSuffix));
    }

    [Fact]
    public void A_failed_folder_fsync_of_the_first_write_with_backup_reports_that_error_when_there_is_nothing_to_restore()
    {
        var fs = new CrashFileSystem();
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: Directory);
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(fs, Target, s => s.Write(V1), new AtomicWriteOptions { KeepBackup = true }));
        Assert.Contains(FaultPlan.IoErrorMessage, error.Message);
        Assert.Equal([Target], fs.AllFiles());
    }

    [Fact]
    public void The_version_restored_after_a_failed_folder_fsync_is_durable_once_the_folder_is()
    {
        var fs = new CrashFileSystem();
        var options = new AtomicWriteOptions { KeepBackup = true };
        AtomicFile.Write(fs, Target, s => s.Write(V1), options);
        AtomicFile.Write(fs, Target, s => s.Write(V2), options);
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: Directory);
        Assert.Throws<IOException>(() => AtomicFile.Write(fs, Target, s => s.Write(V3), options));
        fs.Fault = null;
        Assert.Equal(V2, fs.ReadAllBytes(Target));

        // The next folder fsync (any later write makes one) makes the restored name durable: its bytes must be too.
        fs.FsyncDirectory(Directory);
        var state = fs.CrashNow(CrashModel.PowerLoss);
        Assert.Equal(V2, state.Files[Target]);
        Assert.Equal(V2, state.Files[Target + AtomicFile.BackupSuffix]);
    }

    [Fact]
    public void The_clean_up_removes_only_temp_names_its_filter_accepts_and_counts_them()
    {
        var fs = new CrashFileSystem();
        string[] ours = [".a.csv.0123456789ab.ckpt.tmp", ".a.csv.ba9876543210.ckpt.tmp"];
        string[] others = [".b.csv.0123456789ab.ckpt.tmp", "a.csv", ".a.csv.tmp", "a.csv.bak"];
        foreach (var name in ours.Concat(others))
        {
            fs.Put(Directory + "/" + name, V1);
        }

        Assert.Equal(2, AtomicFile.CleanupTempFiles(fs, Directory, name => name.StartsWith(".a.csv.", StringComparison.Ordinal)));
        Assert.Equal(others.Select(n => Directory + "/" + n).Order(StringComparer.Ordinal), fs.AllFiles());

        // Without a filter every temp name goes, and nothing else.
        Assert.Equal(1, AtomicFile.CleanupTempFiles(fs, Directory));
        Assert.Equal([".a.csv.tmp", "a.csv", "a.csv.bak"], fs.ListFiles(Directory).Order(StringComparer.Ordinal));
        Assert.Equal(0, AtomicFile.CleanupTempFiles(fs, Directory + "/missing"));
    }

    [Fact]
    public void The_clean_up_skips_what_it_cannot_remove_and_a_failed_write_reports_its_own_error_not_the_clean_up_s()
    {
        var fs = new CrashFileSystem();
        fs.Put(Directory + "/.a.csv.0123456789ab.ckpt.tmp", V1);
        fs.ReadOnly = true;
        Assert.Equal(0, AtomicFile.CleanupTempFiles(fs, Directory));
        fs.ReadOnly = false;
        Assert.Equal(1, AtomicFile.CleanupTempFiles(fs, Directory));

        // The writer fails after the folder became read-only: the temp file stays (the next clean-up removes
        // it) and the caller sees the writer's error.
        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(fs, Target, s =>
        {
            s.Write(V1);
            fs.ReadOnly = true;
            throw new InvalidDataException("bad row 7");
        }, null));
        Assert.Equal("bad row 7", error.Message);
        fs.ReadOnly = false;
        Assert.Single(fs.AllFiles());
        Assert.Equal(1, AtomicFile.CleanupTempFiles(fs, Directory));
        Assert.Empty(fs.AllFiles());
    }

    private static int FsyncsOf(CrashFileSystem fs, Action write)
    {
        var before = fs.OperationCounts.Fsyncs;
        write();
        return fs.OperationCounts.Fsyncs - before;
    }

    [GeneratedRegex(@"^/crash/contract/\.target\.bin\.[0-9a-f]{12}\.ckpt\.tmp$")]
    private static partial Regex TempPath();
}
