using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// Issue 16, item 1: a stage on a read-only file system is reported as what it is, naming the lock file,
/// never as "already running". The real case needs a read-only bind mount (root and mount(8)); where the
/// machine refuses, the test is skipped with the reason. The in-memory file system covers the same path
/// everywhere.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ReadOnlyMountTests(ITestOutputHelper output) : IDisposable
{
    private const int Items = 6;
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpointing-ro-").FullName;
    private bool _mounted;

    public void Dispose()
    {
        if (_mounted)
        {
            Mount("umount", "-l", _directory);
        }

        Directory.Delete(_directory, recursive: true);
    }

    [SkippableFact]
    public async Task A_stage_on_a_read_only_bind_mount_fails_with_the_file_systems_error_naming_the_lock()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "read-only bind mounts are a Linux test");
        var root = Path.Combine(_directory, "data");
        using (var first = Worker.StartStage(root, Items, parallel: 2, delayMs: 0))
        {
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        var lockPath = Path.Combine(root, RealWorkload.RunId, "checkpoints", RealWorkload.Stage + ".lock");
        Assert.True(File.Exists(lockPath));
        var before = Snapshot(root);

        var bind = Mount("mount", "--bind", _directory, _directory);
        Skip.If(bind is not null, $"this machine does not allow a bind mount ({bind})");
        _mounted = true;
        var readOnly = Mount("mount", "-o", "remount,ro,bind", _directory);
        Skip.If(readOnly is not null, $"this machine does not allow a read-only remount ({readOnly})");

        // Through the file-system interface: the lock file exists, but opening it for writing is EROFS.
        IFileSystem fs = PhysicalFileSystem.Instance;
        var direct = Assert.ThrowsAny<IOException>(() => fs.TryAcquireLock(lockPath)?.Dispose());
        Assert.Contains("Read-only file system", direct.Message);
        Assert.Contains(lockPath, direct.Message);

        // A real process: a clear storage error, not "already running".
        using (var second = Worker.StartStage(root, Items, parallel: 2, delayMs: 0))
        {
            Assert.Equal(5, await second.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            var line = Assert.Single(second.Lines, l => l.StartsWith("IOERROR ", StringComparison.Ordinal));
            output.WriteLine(line);
            Assert.Contains("Read-only file system", line);
            Assert.Contains($"Stage '{RealWorkload.Stage}' cannot open its checkpoint lock '{lockPath}'", line);
            Assert.DoesNotContain("already running", line);
        }

        Assert.Null(Mount("umount", _directory));
        _mounted = false;
        Assert.Equal(before, Snapshot(root));

        // Nothing was lost: once writable again, the stage resumes with every item done.
        using var third = Worker.StartStage(root, Items, parallel: 2, delayMs: 0);
        Assert.Equal(0, await third.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains(third.Lines, l => l.StartsWith($"RESULT status=Completed skipped={Items} processed=0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_only_directory_over_an_existing_stage_is_reported_naming_the_lock_not_as_locked()
    {
        var fs = new CrashFileSystem();
        Assert.Null((await Workload.RunAsync(fs, Items)).Error);
        fs.ReadOnly = true;
        var outcome = await Workload.RunAsync(fs, Items);
        var error = Assert.IsType<UnauthorizedAccessException>(outcome.Error);
        Assert.Contains($"Stage '{Workload.Stage}' cannot open its checkpoint lock '{Workload.CheckpointDirectory}/{Workload.Stage}.lock'", error.Message);
        Assert.Contains("is denied", error.Message);
    }

    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(File.ReadAllBytes(f)));

    /// <summary>Runs mount(8) or umount(8); returns null on success, otherwise what it said.</summary>
    private static string? Mount(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} exited with {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command} is not available: {e.Message}";
        }
    }
}
