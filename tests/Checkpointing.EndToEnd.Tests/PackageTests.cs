using System.Globalization;
using System.IO.Compression;

namespace Checkpointing.EndToEnd.Tests;

/// <summary>
/// Packs the runtime, then builds and runs a consumer project that references only the package from a
/// local folder: the [Checkpointed] generator must load from the package's analyzers folder, and a plain stage
/// user gets no CSV code (no CsvHelper). A second consumer adds Checkpointing.Lsi, as a book pipeline does.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ckpt-pack-" + Guid.NewGuid().ToString("N"));

    // A version of its own, so the global package cache can never serve a stale copy of the package. The random part
    // starts with a letter: an all-digit SemVer identifier with a leading zero ("07866275") is refused by pack.
    private readonly string _version = "0.1.0-packtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + ".r" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_consumer_of_the_package_gets_the_generator_and_runs_a_stage()
    {
        var feed = Path.Combine(_directory, "feed");
        var consumer = Path.Combine(_directory, "Consumer");
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
            Assert.DoesNotContain("CsvHelper", Nuspec(zip), StringComparison.Ordinal);
        }

        WriteConsumer(consumer, feed, ["Checkpointing"], """
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
        Assert.False(File.Exists(Path.Combine(consumer, "bin", "Release", "net10.0", "CsvHelper.dll")), "a plain stage user must not get CsvHelper");
    }

    [Fact]
    public async Task A_book_pipeline_referencing_both_packages_appends_each_row_to_the_cumulative_csv()
    {
        var feed = Path.Combine(_directory, "feed");
        var consumer = Path.Combine(_directory, "Books");
        Directory.CreateDirectory(consumer);
        foreach (var project in new[] { "RuntimeProject", "LsiProject" })
        {
            await ProcessRunner.RunAsync(_directory, TimeSpan.FromMinutes(3), null,
                "pack", ProcessRunner.Metadata(project), "-c", ProcessRunner.Metadata("Configuration"), "--no-build",
                "-o", feed, $"-p:Version={_version}");
        }

        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"Checkpointing.Lsi.{_version}.nupkg")))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "analyzers/dotnet/cs/Checkpointing.Lsi.Generators.dll");
            Assert.Contains(zip.Entries, e => e.FullName == "lib/net8.0/Checkpointing.Lsi.dll");
            var nuspec = Nuspec(zip);
            Assert.Contains("id=\"CsvHelper\"", nuspec, StringComparison.Ordinal);
            Assert.Contains($"id=\"Checkpointing\" version=\"{_version}\"", nuspec, StringComparison.Ordinal);
        }

        WriteConsumer(consumer, feed, ["Checkpointing", "Checkpointing.Lsi"], """
            using System.Text.Json.Serialization;
            using Checkpointing;
            using Checkpointing.Csv;
            using Checkpointing.Lsi;

            var options = new StageRunOptions { Root = args[0], RunId = "tranche" };
            var result = await new Books.LsiRowStage().RunAsync(["9781234567897", "9780306406157"], options);
            Console.WriteLine($"processed={result.Processed} csv={Path.GetFileName(Books.LsiRowStage.FindCumulativeCsv(args[0], "tranche"))}");

            namespace Books
            {
                [LsiRecord(Template = LsiTemplates.Acs)]
                public sealed partial class LsiBook
                {
                    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
                    [LsiColumn("Title")] public string? Title { get; set; }
                }

                [JsonSerializable(typeof(LsiBook))]
                public sealed partial class BooksJson : JsonSerializerContext;

                [Checkpointed("lsi", JsonContext = typeof(BooksJson))]
                [CumulativeCsv("xynapse_traces")]
                public sealed partial class LsiRowStage
                {
                    [ProcessItem]
                    private static LsiBook Row(string isbn) => new() { Isbn = isbn, Title = "Book " + isbn[^4..] };
                }
            }
            """);

        await ProcessRunner.RunAsync(consumer, TimeSpan.FromMinutes(4), null, "build", "-c", "Release");
        var data = Path.Combine(_directory, "data");
        var output = await ProcessRunner.RunAsync(consumer, TimeSpan.FromMinutes(1), null,
            Path.Combine(consumer, "bin", "Release", "net10.0", "Books.dll"), data);
        Assert.Contains("processed=2 csv=cumulative_checkpoint_", output);
        var csv = Assert.Single(Directory.GetFiles(Path.Combine(data, "tranche"), "cumulative_checkpoint_*_xynapse_traces.csv"));
        var lines = File.ReadAllLines(csv);
        Assert.Equal(3, lines.Length);
        Assert.Single(lines, l => l.Contains(",9781234567897,", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(",9780306406157,", StringComparison.Ordinal));
    }

    private static string Nuspec(ZipArchive zip)
    {
        using var reader = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return reader.ReadToEnd();
    }

    private void WriteConsumer(string directory, string feed, string[] packages, string program)
    {
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        var references = string.Join("\n", packages.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{_version}\" />"));
        File.WriteAllText(Path.Combine(directory, Path.GetFileName(directory) + ".csproj"), $"""
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
            {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
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
        foreach (var id in new[] { "checkpointing", "checkpointing.lsi" })
        {
            var cached = Path.Combine(cache, id, _version.ToLowerInvariant());
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }
}
