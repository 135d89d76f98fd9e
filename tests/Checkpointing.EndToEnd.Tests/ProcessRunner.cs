using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Checkpointing.EndToEnd.Tests;

/// <summary>Starts child processes (the app, the dotnet CLI) and collects their output.</summary>
internal static class ProcessRunner
{
    public static string Metadata(string key) =>
        typeof(ProcessRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Starts <c>dotnet</c> with <paramref name="arguments"/>; output is collected into the returned builder.</summary>
    public static (Process Process, StringBuilder Output) Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    /// <summary>Runs <c>dotnet</c> to completion; fails the test on a non-zero exit code or a timeout.</summary>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var (process, output) = Start(workingDirectory, environment, arguments);
        using (process)
        {
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"'dotnet {string.Join(' ', arguments)}' timed out after {timeout}:\n{Text(output)}");
            }

            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"'dotnet {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{Text(output)}");
            return Text(output);
        }
    }

    public static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
