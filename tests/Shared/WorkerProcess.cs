using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Checkpointing.TestSupport;

/// <summary>
/// A test worker project (by default tests/Checkpointing.Worker; tests/Checkpointing.PostgreSql.Worker for the
/// PostgreSQL tests) run as a real child process: the one launcher of the test projects (a linked source file,
/// compiled into each project that starts a worker). It collects standard output line by line (<see cref="Lines"/>;
/// keys whose marks the worker reported durable, <c>COMPLETED key</c>, in <see cref="Completed"/>; any prefix
/// counted with <see cref="Count"/>) and standard error, waits for a line or a condition with a bounded wait
/// that names what it waited for, and can SIGKILL the worker from outside. No wait here is unbounded.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>The project every worker of the file-store tests is built from.</summary>
    public const string DefaultProject = "Checkpointing.Worker";

    /// <summary>How long a killed or exited worker's output may take to reach its end (the pipes close with the process).</summary>
    private static readonly TimeSpan StreamDrain = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Task _reader;
    private readonly StringBuilder _stderr = new();
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly string _name;

    private WorkerProcess(Process process, string name, IEnumerable<string> countedPrefixes)
    {
        _process = process;
        _name = name;
        foreach (var prefix in countedPrefixes)
        {
            _counts[prefix] = 0;
        }

        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                Lines.Enqueue(line);
                if (line.StartsWith("COMPLETED ", StringComparison.Ordinal))
                {
                    Completed.Enqueue(line["COMPLETED ".Length..]);
                }

                foreach (var prefix in _counts.Keys)
                {
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        _counts.AddOrUpdate(prefix, 1, (_, n) => n + 1);
                    }
                }
            }
        });
    }

    /// <summary>Keys whose marks the worker reported durable (printed after the mark returned).</summary>
    public ConcurrentQueue<string> Completed { get; } = new();

    /// <summary>Every line of standard output so far.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard error so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Standard output except the lines starting with a counted prefix (progress lines, one per item), then
    /// standard error: what a failure message shows.
    /// </summary>
    public string Output =>
        string.Join('\n', Lines.Where(l => !_counts.Keys.Any(p => l.StartsWith(p, StringComparison.Ordinal)))) + "\n" + StandardError;

    /// <summary>The built default worker (<see cref="DefaultProject"/>) beside this test project.</summary>
    public static string WorkerPath => PathOf(DefaultProject);

    /// <summary>
    /// The built worker <paramref name="project"/> beside this test project:
    /// <c>tests/&lt;this project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c> -> <c>tests/&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;project&gt;.dll</c>.
    /// </summary>
    public static string PathOf(string project)
    {
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(baseDirectory);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
        var tests = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", ".."));
        var path = Path.Combine(tests, project, "bin", configuration, framework, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The test worker {project} is not built: {path}");
    }

    /// <summary>Starts <c>dotnet Checkpointing.Worker.dll args</c>.</summary>
    public static WorkerProcess Start(params string[] args) => Start(args, failpoint: null);

    /// <summary>Starts the default worker; <paramref name="failpoint"/> arms <c>CHECKPOINTING_FAILPOINT</c> (never inherited from this process).</summary>
    public static WorkerProcess Start(IEnumerable<string> args, string? failpoint) => Start(DefaultProject, args, failpoint, countedPrefixes: []);

    /// <summary>
    /// Starts <c>dotnet &lt;project&gt;.dll args</c>. <paramref name="failpoint"/> arms <c>CHECKPOINTING_FAILPOINT</c>
    /// (never inherited from this process); lines starting with one of <paramref name="countedPrefixes"/> are
    /// counted (<see cref="Count"/>) and left out of <see cref="Output"/>.
    /// </summary>
    public static WorkerProcess Start(string project, IEnumerable<string> args, string? failpoint, IEnumerable<string> countedPrefixes)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(PathOf(project));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("CHECKPOINTING_FAILPOINT");
        if (failpoint is not null)
        {
            info.Environment["CHECKPOINTING_FAILPOINT"] = failpoint;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start the test worker {project}");
        return new WorkerProcess(process, $"{project} (pid {process.Id})", countedPrefixes);
    }

    /// <summary>How many lines so far start with <paramref name="prefix"/>, one given to <see cref="Start(string, IEnumerable{string}, string?, IEnumerable{string})"/>.</summary>
    public int Count(string prefix) =>
        _counts.TryGetValue(prefix, out var n) ? n : throw new ArgumentException($"Lines starting with '{prefix}' are not counted: pass the prefix when the worker starts.", nameof(prefix));

    /// <summary>
    /// Waits until <paramref name="condition"/> holds. Throws <see cref="InvalidOperationException"/> when the worker
    /// exits first and <see cref="TimeoutException"/> after <paramref name="timeout"/>, each naming
    /// <paramref name="what"/> and showing the worker's output.
    /// </summary>
    public async Task WaitUntilAsync(Func<WorkerProcess, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (_process.HasExited)
            {
                // The last lines may still be on their way: look once more before giving up.
                await _reader.WaitAsync(StreamDrain).ConfigureAwait(false);
                if (condition(this))
                {
                    return;
                }

                throw new InvalidOperationException($"The worker {_name} exited (code {_process.ExitCode}) before {what}:\n{Output}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The worker {_name} did not reach the point the test waited for ({what}) within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a line of standard output starts with <paramref name="prefix"/>; returns that line. Bounded as <see cref="WaitUntilAsync"/>.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        string? found = null;
        await WaitUntilAsync(w => (found = w.Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))) is not null, timeout, $"a line starting with '{prefix}'").ConfigureAwait(false);
        return found!;
    }

    /// <summary>SIGKILL from outside (no finally blocks, no flush, no dispose run in the child); false when it had already exited by itself.</summary>
    public bool Kill()
    {
        var killed = false;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                killed = true;
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }

        if (!_process.WaitForExit(StreamDrain))
        {
            throw new TimeoutException($"The worker {_name} did not exit within {StreamDrain.TotalSeconds:0} s of its SIGKILL.");
        }

        _reader.Wait(StreamDrain);
        return killed;
    }

    /// <summary>Waits for the worker to exit and returns its exit code; kills it and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The worker {_name} did not exit within {timeout.TotalSeconds:0} s (killed):\n{Output}");
        }

        try
        {
            await _reader.WaitAsync(StreamDrain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker {_name} exited but its standard output did not close within {StreamDrain.TotalSeconds:0} s (a child process holds it?):\n{Output}");
        }

        if (!_process.WaitForExit(StreamDrain))
        {
            throw new TimeoutException($"The worker {_name} exited but its standard error did not close within {StreamDrain.TotalSeconds:0} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }
        catch (TimeoutException)
        {
            // Dispose runs in finally blocks: the test's own failure is the one to report.
        }

        _process.Dispose();
    }
}
