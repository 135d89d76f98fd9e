using System.Collections.Concurrent;
using System.Diagnostics;

namespace Checkpointing.Tests.Support;

/// <summary>Runs the crash-test worker (tests/Checkpointing.Worker) as a real child process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;

    private WorkerProcess(Process process)
    {
        _process = process;
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

    /// <summary>Keys whose marks the worker reported durable.</summary>
    public ConcurrentQueue<string> Completed { get; } = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string WorkerPath
    {
        get
        {
            // tests/Checkpointing.Tests/bin/<Configuration>/net10.0/ -> tests/Checkpointing.Worker/bin/<Configuration>/net10.0/
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(baseDirectory);
            var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
            var tests = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", ".."));
            var path = Path.Combine(tests, "Checkpointing.Worker", "bin", configuration, framework, "Checkpointing.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The crash-test worker is not built: {path}");
        }
    }

    public static WorkerProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(WorkerPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>SIGKILL: no finally blocks, no flush, no dispose run in the child.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.WaitForExit();
        _reader.Wait(TimeSpan.FromSeconds(10));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
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
