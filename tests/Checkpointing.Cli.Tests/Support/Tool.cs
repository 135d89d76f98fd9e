using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Checkpointing.Cli.Tests.Support;

/// <summary>What a run of the tool printed and returned.</summary>
public sealed record ToolResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Out);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):\n{Out}\nstderr:\n{Error}");
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs <c>checkpoint</c> in process (fast) or as a real process (what users run), and the worker.</summary>
public static class Tool
{
    public static string Metadata(string key) =>
        typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string CliPath => Existing(Metadata("CliApp"));

    public static string WorkerPath => Existing(Metadata("Worker"));

    public static string PostgresWorkerPath => Existing(Metadata("PostgresWorker"));

    public static string TemplatePath => Existing(Metadata("Template"));

    /// <summary>Runs the tool in this process over string writers.</summary>
    public static async Task<ToolResult> RunWithInputAsync(string? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error, new StringReader(input ?? ""), interactive: false);
        var code = await CliApp.RunAsync(args, console);
        return new ToolResult(code, output.ToString(), error.ToString());
    }

    public static Task<ToolResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs the tool as a process: <c>dotnet checkpoint.dll args</c>.</summary>
    public static Task<ToolResult> RunProcessAsync(params string[] args) => RunProcessWithInputAsync(null, args);

    public static async Task<ToolResult> RunProcessWithInputAsync(string? input, params string[] args)
    {
        var (process, output, error) = Start("dotnet", [CliPath, .. args], input is not null);
        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit();
            return new ToolResult(process.ExitCode, Text(output), Text(error));
        }
    }

    /// <summary>Starts a process whose output lines are collected as they come.</summary>
    public static (Process Process, StringBuilder Out, StringBuilder Error) Start(
        string file, IEnumerable<string> args, bool redirectInput = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var error = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output, error);
    }

    /// <summary>Runs the worker to its end (a stage or a cumulative CSV); returns its output.</summary>
    public static async Task<string> WorkerAsync(params string[] args)
    {
        var (process, output, error) = Start("dotnet", [WorkerPath, .. args]);
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit();
            Assert.True(process.ExitCode is 0 or 3, $"worker exited with {process.ExitCode}:\n{Text(output)}\n{Text(error)}");
            return Text(output);
        }
    }

    public static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Not built: {path}");
}

/// <summary>A temp folder deleted at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ckpt-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
