using System.Globalization;
using System.IO.Compression;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary>The packed tool installs with <c>dotnet tool install</c> from a local folder, offline, and runs as <c>checkpoint</c>.</summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly TempFolder _dir = new();

    // A version of its own, so no cache can serve another build of the tool.
    private readonly string _version = "0.1.0-tooltest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_packed_tool_installs_offline_into_a_tool_path_and_runs()
    {
        var feed = _dir["feed"];
        await DotnetAsync("pack", Tool.Metadata("CliProject"), "-c", Tool.Metadata("Configuration"), "--no-build", "-o", feed, $"-p:Version={_version}");
        var package = Path.Combine(feed, $"Checkpointing.Cli.{_version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net8.0/any/DotnetToolSettings.xml");
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net8.0/any/Checkpointing.dll");
        }

        // Only the local folder as a source: the install must not need the network.
        var config = _dir["nuget.config"];
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var tools = _dir["tools"];
        await DotnetAsync("tool", "install", "Checkpointing.Cli", "--tool-path", tools, "--version", _version, "--configfile", config);

        var root = _dir["data"];
        await Pipelines.RunStageAsync(root, "scan-0042", "ocr", 4);
        var (process, output, error) = Tool.Start(Path.Combine(tools, OperatingSystem.IsWindows() ? "checkpoint.exe" : "checkpoint"), ["status", root, "--json"]);
        using (process)
        {
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            process.WaitForExit();
            var result = new ToolResult(process.ExitCode, Tool.Text(output), Tool.Text(error));
            Assert.True(result.ExitCode == 0, result.ToString());
            var stage = result.Json().GetProperty("stages")[0];
            Assert.Equal("scan-0042", stage.GetProperty("run_id").GetString());
            Assert.Equal("completed", stage.GetProperty("state").GetString());
        }
    }

    private static async Task DotnetAsync(params string[] args)
    {
        var (process, output, error) = Tool.Start("dotnet", args);
        using (process)
        {
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(4)).Token);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{Tool.Text(output)}\n{Tool.Text(error)}");
        }
    }

    public void Dispose()
    {
        _dir.Dispose();
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(cache, "checkpointing.cli", _version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }
}
