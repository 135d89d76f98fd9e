using System.Globalization;
using System.IO.Compression;

namespace Checkpointing.EndToEnd.Tests;

/// <summary>
/// Packs the runtime, then builds and runs a consumer project that references only the package from a
/// local folder: the [Checkpointed] generator must load from the package's analyzers folder.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ckpt-pack-" + Guid.NewGuid().ToString("N"));

    // A version of its own, so the global package cache can never serve a stale copy of the package.
    private readonly string _version = "0.1.0-packtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_consumer_of_the_package_gets_the_generator_and_runs_a_stage()
    {
        var feed = Path.Combine(_directory, "feed");
        var consumer = Path.Combine(_directory, "consumer");
        Directory.CreateDirectory(consumer);
        await ProcessRunner.RunAsync(_directory, TimeSpan.FromMinutes(3), null,
            "pack", ProcessRunner.Metadata("RuntimeProject"), "-c", ProcessRunner.Metadata("Configuration"), "--no-build",
            "-o", feed, $"-p:Version={_version}");

        var package = Path.Combine(feed, $"Checkpointing.{_version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "analyzers/dotnet/cs/Checkpointing.Generators.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "lib/net8.0/Checkpointing.dll");
            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith("Checkpointing.Generators.dll", StringComparison.Ordinal));
        }

        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Checkpointing" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using System.Text.Json.Serialization;
            using Checkpointing;

            var result = await new Consumer.SquareStage().RunAsync([1, 2, 3, 4, 5], new StageRunOptions { Root = args[0], RunId = "pack" });
            Console.WriteLine($"stage={Consumer.SquareStage.StageName} processed={result.Processed} status={result.Status}");
            Console.WriteLine($"checkpoint={Consumer.SquareStage.ReadStatus(args[0], "pack")?.Status}");

            namespace Consumer
            {
                public sealed record Square(int Value, int Squared);

                [JsonSerializable(typeof(Square))]
                public sealed partial class ConsumerJson : JsonSerializerContext;

                [Checkpointed("squares", JsonContext = typeof(ConsumerJson))]
                public sealed partial class SquareStage
                {
                    [ProcessItem]
                    private static Square Compute(int value, ItemContext context)
                    {
                        context.AddCost(0.5m);
                        return new Square(value, value * value);
                    }
                }
            }
            """);

        await ProcessRunner.RunAsync(consumer, TimeSpan.FromMinutes(4), null, "build", "-c", "Release");
        var generated = Directory.GetFiles(Path.Combine(consumer, "obj"), "Consumer.SquareStage.Checkpointed.g.cs", SearchOption.AllDirectories);
        Assert.Single(generated);

        var data = Path.Combine(_directory, "data");
        var output = await ProcessRunner.RunAsync(consumer, TimeSpan.FromMinutes(1), null,
            Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll"), data);
        Assert.Contains("stage=squares processed=5 status=Completed", output);
        Assert.Contains("checkpoint=Completed", output);
        Assert.True(File.Exists(Path.Combine(data, "pack", "squares", "000004.json")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        // The unique version would otherwise pile up in the global package cache, one folder per run.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(cache, "checkpointing", _version.ToLowerInvariant());
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }
}
