using System.Globalization;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary>
/// The packed tool installs with <c>dotnet tool install</c> from a local folder, offline, and runs as <c>checkpoint</c>:
/// the ReadyToRun package of this machine's platform (RID-specific tool, docs/cli.md), and the framework-dependent
/// <c>any</c> package every other platform falls back to.
/// </summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly TempFolder _dir = new();

    // A version of its own, so no cache can serve another build of the tool.
    private readonly string _version = "0.1.0-tooltest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + ".r" + Guid.NewGuid().ToString("N")[..8]; // ".r": an all-digit identifier with a leading zero is not SemVer

    [Fact]
    public async Task The_packed_tool_installs_offline_as_this_platforms_ReadyToRun_package_and_runs()
    {
        // The packages of every platform take minutes to compile; this machine's and the fallback are enough here.
        var rid = RuntimeInformation.RuntimeIdentifier;
        var feed = await PackAsync($"{rid};any");
        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"Checkpointing.Cli.{_version}.nupkg")))
        {
            // The top-level package only points at the RID packages.
            var settings = Entry(zip, "tools/any/any/DotnetToolSettings.xml");
            Assert.Contains($"RuntimeIdentifier=\"{rid}\" Id=\"Checkpointing.Cli.{rid}\"", settings);
            Assert.Contains("RuntimeIdentifier=\"any\" Id=\"Checkpointing.Cli.any\"", settings);
            Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".dll", StringComparison.Ordinal));
        }

        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"Checkpointing.Cli.{rid}.{_version}.nupkg")))
        {
            // Native code for the tool and the runtime library it reads the files with.
            Assert.True(IsReadyToRun(zip, $"tools/net10.0/{rid}/checkpoint.dll"), "checkpoint.dll is not ReadyToRun");
            Assert.True(IsReadyToRun(zip, $"tools/net10.0/{rid}/Checkpointing.dll"), "Checkpointing.dll is not ReadyToRun");
        }

        var tools = await InstallAsync(feed);
        Assert.True(Directory.Exists(Path.Combine(tools, ".store", "checkpointing.cli", _version, $"checkpointing.cli.{rid}")), "the RID package was not the one installed");
        await RunsStatusAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "checkpoint.exe" : "checkpoint"));
    }

    [Fact]
    public async Task A_platform_without_its_own_package_installs_the_framework_dependent_any_package()
    {
        var feed = await PackAsync("any");
        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"Checkpointing.Cli.any.{_version}.nupkg")))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/Checkpointing.dll");
            Assert.False(IsReadyToRun(zip, "tools/net10.0/any/checkpoint.dll"), "the any package should be plain IL");
        }

        var tools = await InstallAsync(feed);
        Assert.True(Directory.Exists(Path.Combine(tools, ".store", "checkpointing.cli", _version, "checkpointing.cli.any")), "the any package was not the one installed");
        await RunsStatusAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "checkpoint.exe" : "checkpoint"));
    }

    private async Task<string> PackAsync(string rids)
    {
        var feed = _dir["feed"];
        // A list property through the environment: on the command line its ';' would split the -p: switch, and an escaped
        // one (%3B) would reach the RID-specific builds as one RID.
        // Built in a folder of its own (artifacts output): the other tests run the tool from the project's bin
        // folder at the same time, and a pack that rebuilt it there raced them.
        await DotnetAsync(new Dictionary<string, string> { ["ToolPackageRuntimeIdentifiers"] = rids },
            "pack", Tool.Metadata("CliProject"), "-c", Tool.Metadata("Configuration"), "-o", feed, $"-p:Version={_version}",
            "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={_dir["artifacts"]}");
        return feed;
    }

    private async Task<string> InstallAsync(string feed)
    {
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
        return tools;
    }

    private async Task RunsStatusAsync(string command)
    {
        var root = _dir["data"];
        await Pipelines.RunStageAsync(root, "scan-0042", "ocr", 4);
        var (process, output, error) = Tool.Start(command, ["status", root, "--json"]);
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

    private static string Entry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in the package: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    // ReadyToRun code sits in the managed-native header of the PE file (empty in a plain IL assembly).
    private static bool IsReadyToRun(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in the package: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var bytes = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(bytes);
        }

        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    private static Task DotnetAsync(params string[] args) => DotnetAsync(null, args);

    private static async Task DotnetAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var (process, output, error) = Tool.Start("dotnet", args, environment: environment);
        using (process)
        {
            // Only a guard against a hang (ReadyToRun compilation of a pack takes minutes on a loaded 2-core machine).
            using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(15));
            try
            {
                await process.WaitForExitAsync(hang.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

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
