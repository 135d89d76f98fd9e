using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Checkpointing.CrashTests.Support;

/// <summary>The crash-test worker (tests/Checkpointing.Worker) run as a real child process.</summary>
internal sealed class Worker : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly StringBuilder _stderr = new();

    private Worker(Process process)
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

    public ConcurrentQueue<string> Lines { get; } = new();

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

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

    private static string WorkerPath
    {
        get
        {
            // tests/Checkpointing.CrashTests/bin/<Configuration>/<tfm>/ -> tests/Checkpointing.Worker/bin/<Configuration>/<tfm>/
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(baseDirectory);
            var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
            var tests = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", ".."));
            var path = Path.Combine(tests, "Checkpointing.Worker", "bin", configuration, framework, "Checkpointing.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The crash-test worker is not built: {path}");
        }
    }

    /// <summary>Starts <c>stage</c> on <paramref name="root"/>; <paramref name="failpoint"/> arms <c>CHECKPOINTING_FAILPOINT</c>.</summary>
    public static Worker StartStage(string root, int items, int parallel, int delayMs, string? failpoint = null, params string[] moreArguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(WorkerPath);
        foreach (var arg in new[] { "stage", "--root", root, "--run-id", RealWorkload.RunId, "--items", items.ToString(CultureInfo.InvariantCulture), "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--delay-ms", delayMs.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in moreArguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("CHECKPOINTING_FAILPOINT");
        if (failpoint is not null)
        {
            info.Environment["CHECKPOINTING_FAILPOINT"] = failpoint;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        return new Worker(process);
    }

    /// <summary>SIGKILL from outside; returns false when the process had already exited by itself.</summary>
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
