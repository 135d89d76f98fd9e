using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Checkpointing.Tests.Support;
using Checkpointing.IO;

namespace Checkpointing.Tests.IO;

/// <summary>
/// The fsyncs and renames of one atomic write, as the kernel sees them, in this process: <c>strace</c> is
/// attached to the test process itself for the length of the write. <c>RealFsyncTests</c> does the same
/// for a whole stage in a child process; this one runs the library loaded here, so that a mutation of
/// <c>PhysicalFileSystem</c> or <c>AtomicFile</c> (a file fsync that never becomes a system call, a
/// skipped folder fsync, a backup that is not fsynced) shows.
/// </summary>
public sealed partial class SystemCallTests
{
    [SkippableFact]
    public void An_atomic_write_with_backup_is_fsync_rename_of_the_backup_then_fsync_rename_of_the_file_then_fsync_of_the_folder()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("page.json");
        File.WriteAllText(target, "v1");
        using var traceDir = new TempDirectory();

        List<Call> calls;
        using (var trace = SelfTrace.Start(traceDir.Combine("strace.txt")))
        {
            AtomicFile.WriteAllText(target, "v2", new AtomicWriteOptions { KeepBackup = true });
            calls = trace.Stop();
        }

        var ours = calls.Where(c => c.Path.StartsWith(dir.Path, StringComparison.Ordinal)).ToList();
        var report = string.Join('\n', ours);
        Assert.True(ours.Count == 5, "expected 5 calls on the folder, got:\n" + report);
        Assert.Matches(TempName(dir.Path, "page.json.bak"), ours[0].Path);
        Assert.True(ours[0].IsFsync, report);
        Assert.Equal(("rename", ours[0].Path, target + ".bak"), (ours[1].Kind, ours[1].Path, ours[1].Target));
        Assert.Matches(TempName(dir.Path, "page.json"), ours[2].Path);
        Assert.True(ours[2].IsFsync, report);
        Assert.Equal(("rename", ours[2].Path, target), (ours[3].Kind, ours[3].Path, ours[3].Target));
        Assert.True(ours[4].IsFsync && ours[4].Path == dir.Path, report);

        Assert.Equal("v2", File.ReadAllText(target));
        Assert.Equal("v1", File.ReadAllText(target + ".bak"));
    }

    private static Regex TempName(string directory, string name) => new("^" + Regex.Escape(Path.Combine(directory, "." + name + ".")) + "[0-9a-f]{12}" + Regex.Escape(".ckpt.tmp") + "$");

    private sealed record Call(string Kind, string Path, string Target)
    {
        public bool IsFsync => Kind is "fsync" or "fdatasync";

        public override string ToString() => IsFsync ? $"{Kind} {Path}" : $"rename {Path} -> {Target}";
    }

    /// <summary><c>strace -f -p</c> on this process, from <see cref="Start"/> until <see cref="Stop"/>.</summary>
    private sealed partial class SelfTrace : IDisposable
    {
        private readonly Process _strace;
        private readonly string _output;

        private SelfTrace(Process strace, string output)
        {
            _strace = strace;
            _output = output;
        }

        /// <summary>Attaches strace and returns once this thread is traced; skips the test when that is impossible here.</summary>
        public static SelfTrace Start(string output)
        {
            Skip.IfNot(OperatingSystem.IsLinux(), "strace counts Linux system calls; this is not Linux.");
            Skip.IfNot(
                (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "strace"))),
                "strace is not installed (apt-get install strace), so the real fsync and rename calls cannot be counted; .ci/run installs it.");
            var info = new ProcessStartInfo("strace") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-f", "-qq", "-y", "-e", "signal=none", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", output, "-p", Environment.ProcessId.ToString() })
            {
                info.ArgumentList.Add(arg);
            }

            var strace = Process.Start(info) ?? throw new InvalidOperationException("could not start strace");
            var errors = strace.StandardError.ReadToEndAsync();

            // Synchronous on purpose: the write runs on this thread, so this thread being traced is what counts.
            // A bounded poll: strace either attaches, exits (ptrace refused), or the test fails saying it never did.
            var attach = Stopwatch.StartNew();
            while (TracerOfThisThread() == 0)
            {
                if (strace.HasExited)
                {
                    throw new SkipException($"strace could not attach to this process (ptrace refused here): {errors.Result.Trim()}");
                }

                if (attach.Elapsed > TimeSpan.FromMinutes(1))
                {
                    strace.Kill();
                    throw new TimeoutException("strace neither attached to this thread nor exited within a minute");
                }

                Thread.Sleep(5);
            }

            return new SelfTrace(strace, output);
        }

        /// <summary>Detaches strace (SIGINT, so that it flushes) and returns the calls it saw.</summary>
        public List<Call> Stop()
        {
            _ = Kill(_strace.Id, 2);
            _strace.WaitForExit();
            return File.ReadAllLines(_output).Select(Parse).OfType<Call>().ToList();
        }

        public void Dispose()
        {
            if (!_strace.HasExited)
            {
                _strace.Kill();
                _strace.WaitForExit();
            }

            _strace.Dispose();
        }

        private static int TracerOfThisThread()
        {
            var line = File.ReadLines("/proc/thread-self/status").First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal));
            return int.Parse(line["TracerPid:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        private static Call? Parse(string line)
        {
            if (FsyncLine().Match(line) is { Success: true } fsync)
            {
                return new Call(fsync.Groups["call"].Value, fsync.Groups["path"].Value, "");
            }

            return RenameLine().Match(line) is { Success: true } rename
                ? new Call("rename", rename.Groups["from"].Value, rename.Groups["to"].Value)
                : null;
        }

        [DllImport("libc", EntryPoint = "kill")]
        private static extern int Kill(int pid, int signal);

        [GeneratedRegex(@"^\d+\s+(?<call>fsync|fdatasync)\(\d+<(?<path>[^>]*)>")]
        private static partial Regex FsyncLine();

        [GeneratedRegex(@"^\d+\s+rename(?:at2?)?\([^""]*""(?<from>[^""]+)""[^""]*""(?<to>[^""]+)""")]
        private static partial Regex RenameLine();
    }
}
