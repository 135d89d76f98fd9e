using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>tests/Checkpointing.PostgreSql.Worker run as a real child process.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly StringBuilder _stderr = new();
    private int _worked;

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
                if (line.StartsWith("WORKED ", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _worked);
                }
            }
        });
    }

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Items whose work this worker finished (before their completion).</summary>
    public int Worked => Volatile.Read(ref _worked);

    public string Output => string.Join('\n', Lines.Where(l => !l.StartsWith("WORKED ", StringComparison.Ordinal))) + "\n" + StandardError;

    private string StandardError
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
            // tests/Checkpointing.PostgreSql.Tests/bin/<Configuration>/<tfm>/ -> tests/Checkpointing.PostgreSql.Worker/bin/<Configuration>/<tfm>/
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(baseDirectory);
            var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
            var tests = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", ".."));
            var path = Path.Combine(tests, "Checkpointing.PostgreSql.Worker", "bin", configuration, framework, "Checkpointing.PostgreSql.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The PostgreSQL worker is not built: {path}");
        }
    }

    public static WorkerProcess Start(PostgresTestDatabase db, string app, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(WorkerPath);
        foreach (var arg in new[] { "--connection", db.ConnectionString, "--schema", db.Schema, "--root", db.Root, "--app", app }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }

        return new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the worker"));
    }

    public async Task WaitUntilAsync(Func<WorkerProcess, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker exited (code {_process.ExitCode}) before the test could act:\n{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The worker did not reach the expected point within {timeout}:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL, as a crash or an OOM kill does.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
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
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The worker did not finish within {timeout}:\n{Output}");
        }

        await _reader;
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
