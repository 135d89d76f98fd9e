using System.Text;
using Checkpointing.IO;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.IO;

/// <summary>
/// <see cref="PhysicalFileSystem"/> on real files, in this process: the open modes, what another reader
/// may do while a file is open, truncation, the lock and which errors mean "held by another", the folder
/// fsync and its errors. The crash tests run on an in-memory file system and never reach this class.
/// </summary>
public sealed class PhysicalFileSystemTests
{
    private static readonly PhysicalFileSystem Fs = PhysicalFileSystem.Instance;

    [Fact]
    public void A_truncate_that_lengthens_the_file_leaves_the_next_write_at_the_new_end()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("grow.bin");
        using (var handle = Fs.Open(path, FileOpenMode.CreateNew))
        {
            handle.Write("abc"u8);
            handle.Truncate(6);
            handle.Write("Z"u8);
            Assert.Equal(7, handle.Length);
        }

        Assert.Equal("abc\0\0\0Z"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_refused_and_the_target_keeps_its_content()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("text.txt");
        AtomicFile.WriteAllText(path, "good");

        // A lone surrogate has no UTF-8 form: writing U+FFFD in its place would silently change the text.
        Assert.Throws<EncoderFallbackException>(() => AtomicFile.WriteAllText(path, "bad \uD800 text"));
        Assert.Equal("good", File.ReadAllText(path));
        Assert.Equal("good"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Each_open_mode_starts_where_it_says()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("f.bin");
        using (var handle = Fs.Open(path, FileOpenMode.CreateNew))
        {
            Assert.Equal(path, handle.Path);
            handle.Write("abc"u8);
            Assert.Equal(3, handle.Length);
        }

        Assert.Throws<IOException>(() => Fs.Open(path, FileOpenMode.CreateNew).Dispose());
        Assert.Equal("abc"u8.ToArray(), File.ReadAllBytes(path));

        using (var handle = Fs.Open(path, FileOpenMode.Append))
        {
            handle.Write("de"u8);
        }

        Assert.Equal("abcde"u8.ToArray(), File.ReadAllBytes(path));

        using (var handle = Fs.Open(path, FileOpenMode.OpenExisting))
        {
            handle.Write("XY"u8);
        }

        Assert.Equal("XYcde"u8.ToArray(), File.ReadAllBytes(path));

        using (var handle = Fs.Open(path, FileOpenMode.Create))
        {
            Assert.Equal(0, handle.Length);
            handle.Write("Z"u8);
        }

        Assert.Equal("Z"u8.ToArray(), File.ReadAllBytes(path));

        using (var handle = Fs.Open(dir.Combine("new.bin"), FileOpenMode.Append))
        {
            handle.Write("n"u8);
        }

        Assert.Equal("n"u8.ToArray(), File.ReadAllBytes(dir.Combine("new.bin")));
        Assert.Throws<FileNotFoundException>(() => Fs.Open(dir.Combine("missing.bin"), FileOpenMode.OpenExisting).Dispose());
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => Fs.Open(path, (FileOpenMode)99)).ParamName);
    }

    [Fact]
    public async Task Writes_are_unbuffered_and_readable_by_another_reader_while_the_file_is_open()
    {
        // `checkpoint status` reads a journal while the run appends to it.
        using var dir = new TempDirectory();
        var path = dir.Combine("work.journal");
        using var handle = Fs.Open(path, FileOpenMode.Append);
        handle.Write("one "u8);
        await handle.WriteAsync("two"u8.ToArray(), CancellationToken.None);
        handle.Fsync();
        Assert.Equal("one two"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(7, handle.Length);
    }

    [Fact]
    public void Truncate_cuts_the_file_and_the_next_write_continues_from_the_cut()
    {
        // The journal drops a torn tail this way before it appends again.
        using var dir = new TempDirectory();
        var path = dir.Combine("work.journal");
        using (var handle = Fs.Open(path, FileOpenMode.Append))
        {
            handle.Write("abcdef"u8);
            handle.Truncate(3);
            Assert.Equal(3, handle.Length);
            handle.Write("XY"u8);
        }

        Assert.Equal("abcXY"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Disposing_a_handle_closes_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("f.bin");
        Fs.Open(path, FileOpenMode.CreateNew).Dispose();

        // An exclusive lock is refused while any other handle of the file is open.
        using var exclusive = Fs.TryAcquireLock(path);
        Assert.NotNull(exclusive);
    }

    [Fact]
    public void Rename_replaces_an_existing_target_and_delete_removes()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("a"), "new");
        File.WriteAllText(dir.Combine("b"), "old");
        Fs.Rename(dir.Combine("a"), dir.Combine("b"));
        Assert.Equal("new", File.ReadAllText(dir.Combine("b")));
        Assert.False(Fs.FileExists(dir.Combine("a")));
        Fs.Delete(dir.Combine("b"));
        Assert.False(Fs.FileExists(dir.Combine("b")));
    }

    [Fact]
    public void Lists_file_names_only_and_nothing_for_a_missing_folder()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("b.json"), "");
        File.WriteAllText(dir.Combine("a.json"), "");
        Directory.CreateDirectory(dir.Combine("sub"));
        Assert.Equal(["a.json", "b.json"], Fs.ListFiles(dir.Path).Order(StringComparer.Ordinal));
        Assert.Empty(Fs.ListFiles(dir.Combine("missing")));
        Fs.CreateDirectory(dir.Combine("x", "y"));
        Assert.True(Fs.DirectoryExists(dir.Combine("x", "y")));
    }

    [Fact]
    public void The_lock_is_refused_while_held_and_free_again_once_released()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("work.lock");
        var first = Fs.TryAcquireLock(path);
        Assert.NotNull(first);
        Assert.Null(Fs.TryAcquireLock(path));
        first.Dispose();
        using var again = Fs.TryAcquireLock(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void A_lock_that_cannot_be_opened_is_an_error_not_another_holder()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => Fs.TryAcquireLock(dir.Combine("missing", "work.lock")));
    }

    [Fact]
    public void Only_the_platform_s_would_block_error_means_the_lock_is_held()
    {
        var wouldBlock = OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;
        Assert.True(PhysicalFileSystem.IsLockViolation(new IOException("locked", wouldBlock)));
        Assert.False(PhysicalFileSystem.IsLockViolation(new IOException("Input/output error", 5)));
        Assert.False(PhysicalFileSystem.IsLockViolation(new IOException("no errno")));
        Assert.False(PhysicalFileSystem.IsLockViolation(new DirectoryNotFoundException("missing")));
    }

    [SkippableFact]
    public void A_folder_fsync_of_a_missing_folder_fails_naming_it_and_leaks_no_descriptor()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows has no folder fsync (NTFS journals its metadata): nothing to check.");
        using var dir = new TempDirectory();
        Fs.FsyncDirectory(dir.Path);
        var missing = dir.Combine("missing");
        var error = Assert.Throws<IOException>(() => Fs.FsyncDirectory(missing));
        Assert.Equal($"Could not open directory '{missing}' to fsync it (errno 2).", error.Message);

        // The descriptor opened for the fsync is closed again.
        Skip.IfNot(Directory.Exists("/proc/self/fd"), "No /proc/self/fd here: the folder's descriptor cannot be looked for.");
        Assert.DoesNotContain(dir.Path, OpenDescriptorTargets());
    }

    [SkippableFact]
    public void A_folder_fsync_the_file_system_does_not_support_is_not_an_error()
    {
        // Some network mounts answer EINVAL to a folder fsync; so does /proc, which is everywhere on Linux.
        Skip.IfNot(OperatingSystem.IsLinux() && Directory.Exists("/proc/self"), "Needs Linux's /proc, whose folders refuse fsync with EINVAL.");
        Fs.FsyncDirectory("/proc/self");
    }

    private static List<string> OpenDescriptorTargets()
    {
        var targets = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target)
                {
                    targets.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed by another thread meanwhile.
            }
        }

        return targets;
    }
}
