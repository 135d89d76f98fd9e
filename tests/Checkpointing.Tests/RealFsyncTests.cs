using System.Diagnostics;
using System.Text.RegularExpressions;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests;

/// <summary>
/// The crash file system sees the runtime's calls to <c>IFileSystem</c>, not what reaches the kernel: a
/// file fsync that never becomes a system call, or a directory fsync skipped on Linux, would pass every
/// simulated crash. Here a real worker process runs one item under <c>strace</c>, and the system calls
/// of its atomic write and of its durable mark are counted and ordered.
/// </summary>
public sealed partial class RealFsyncTests
{
    [StraceFact]
    public async Task One_atomic_write_and_one_durable_mark_reach_the_kernel_as_fsync_rename_fsync_of_the_folder_then_fsync_of_the_journal()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("data");
        var trace = dir.Combine("strace.txt");
        var info = new ProcessStartInfo("strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "-f", "-qq", "-y", "-e", "signal=none", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", trace,
            "dotnet", WorkerProcess.WorkerPath, "stage", "--root", root, "--run-id", "run", "--items", "1", "--parallel", "1", "--delay-ms", "0",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(info) ?? throw new InvalidOperationException("could not start strace"))
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"strace or the worker failed (exit {process.ExitCode}): {await stderr}\n{await stdout}");
        }

        var calls = File.ReadAllLines(trace).Select((line, i) => Parse(line, i)).OfType<Call>().ToList();
        var report = string.Join('\n', calls.Select(c => c.ToString()));

        // The output of item 1: its temp file is fsynced once, renamed once over the target, then the folder is fsynced.
        var output = Assert.Single(calls, c => c.Kind == "rename" && c.Target.EndsWith("/run/work/000001.json", StringComparison.Ordinal));
        Assert.Matches(@"/run/work/\.000001\.json\.[0-9a-f]{12}\.ckpt\.tmp$", output.Path);
        var tempFsync = Assert.Single(calls, c => c.IsFsync && c.Path == output.Path);
        Assert.True(tempFsync.Index < output.Index, "the output's temp file was fsynced after its rename:\n" + report);
        var folderFsync = calls.FirstOrDefault(c => c.IsFsync && c.Index > output.Index && c.Path.EndsWith("/run/work", StringComparison.Ordinal));
        Assert.True(folderFsync is not null, "the output folder was never fsynced after the rename (the new name is not durable):\n" + report);

        // The durable mark: the journal is fsynced after the output is durable.
        Assert.True(
            calls.Any(c => c.IsFsync && c.Index > folderFsync.Index && c.Path.EndsWith("/run/checkpoints/work.journal", StringComparison.Ordinal)),
            "the journal was not fsynced after the output became durable (the mark is not durable):\n" + report);

        // The snapshot written when the run ends is an atomic write too.
        var snapshot = Assert.Single(calls, c => c.Kind == "rename" && c.Target.EndsWith("/run/checkpoints/work.json", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.IsFsync && c.Index < snapshot.Index && c.Path == snapshot.Path);
        Assert.Contains(calls, c => c.IsFsync && c.Index > snapshot.Index && c.Path.EndsWith("/run/checkpoints", StringComparison.Ordinal));
    }

    private static Call? Parse(string line, int index)
    {
        // With -f each line starts with the thread id; a call that another thread interrupts is split into
        // "<unfinished ...>" and "<... resumed>" lines, and the first one carries the arguments.
        if (FsyncLine().Match(line) is { Success: true } fsync)
        {
            return new Call(index, fsync.Groups["call"].Value, fsync.Groups["path"].Value, "");
        }

        return RenameLine().Match(line) is { Success: true } rename
            ? new Call(index, "rename", rename.Groups["from"].Value, rename.Groups["to"].Value)
            : null;
    }

    [GeneratedRegex(@"^\d+\s+(?<call>fsync|fdatasync)\(\d+<(?<path>[^>]*)>")]
    private static partial Regex FsyncLine();

    [GeneratedRegex(@"^\d+\s+rename(?:at2?)?\([^""]*""(?<from>[^""]+)""[^""]*""(?<to>[^""]+)""")]
    private static partial Regex RenameLine();

    private sealed record Call(int Index, string Kind, string Path, string Target)
    {
        public bool IsFsync => Kind is "fsync" or "fdatasync";

        public override string ToString() => IsFsync ? $"{Index}: {Kind} {Path}" : $"{Index}: rename {Path} -> {Target}";
    }
}

/// <summary>A fact that needs <c>strace</c> on the PATH, and says so when it is skipped.</summary>
public sealed class StraceFactAttribute : FactAttribute
{
    public StraceFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "strace counts Linux system calls; this is not Linux.";
        }
        else if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "strace"))))
        {
            Skip = "strace is not installed (apt-get install strace), so the real fsync and rename calls cannot be counted; .ci/run installs it.";
        }
    }
}
