using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Checkpointing.TestSupport;

/// <summary>
/// The test worker (tests/Checkpointing.Worker) run as a real child process: the one launcher of the test projects
/// (a linked source file, compiled into each project that starts the worker). It collects standard output line by line
/// (<see cref="Lines"/>; keys whose marks the worker reported durable, <c>COMPLETED key</c>, in <see cref="Completed"/>)
/// and standard error, and can SIGKILL the worker from outside.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly StringBuilder _stderr = new();

    private WorkerProcess(Process process)
    {
        _process = process;
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

    /// <summary>The built worker beside this test project: <c>tests/&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c> -> <c>tests/Checkpointing.Worker/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c>.</summary>
    public static string WorkerPath
    {
        get
        {
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(baseDirectory);
            var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
            var tests = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", ".."));
            var path = Path.Combine(tests, "Checkpointing.Worker", "bin", configuration, framework, "Checkpointing.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The test worker is not built: {path}");
        }
    }

    /// <summary>Starts <c>dotnet Checkpointing.Worker.dll args</c>.</summary>
    public static WorkerProcess Start(params string[] args) => Start(args, failpoint: null);

    /// <summary>Starts the worker; <paramref name="failpoint"/> arms <c>CHECKPOINTING_FAILPOINT</c> (never inherited from this process).</summary>
    public static WorkerProcess Start(IEnumerable<string> args, string? failpoint)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(WorkerPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("CHECKPOINTING_FAILPOINT");
        if (failpoint is not null)
        {
            info.Environment["CHECKPOINTING_FAILPOINT"] = failpoint;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        return new WorkerProcess(process);
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

        _process.WaitForExit();
        _reader.Wait(TimeSpan.FromSeconds(10));
        return killed;
    }

    /// <summary>Waits for the worker to exit and returns its exit code; kills it and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The worker did not exit within {timeout.TotalSeconds:0} s; stderr: {StandardError}");
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
