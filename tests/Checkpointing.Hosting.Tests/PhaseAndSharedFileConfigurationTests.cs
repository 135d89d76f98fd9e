using Checkpointing.Hosting.Tests.Support;
using Checkpointing.Phases;
using Checkpointing.SharedFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Checkpointing.Hosting.Tests;

public sealed class PhaseAndSharedFileConfigurationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Phase_options_from_configuration_equal_the_same_options_from_code()
    {
        using var configured = Build(new()
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:Phases:index:MinSaveInterval"] = "00:00:30",
            ["Checkpointing:Phases:index:Ttl"] = "02:00:00",
            ["Checkpointing:Phases:index:MaxSnapshots"] = "3",
            ["Checkpointing:Phases:Merge:Root"] = _temp.Combine("merge"),
        });
        using var coded = BuildFromCode(o =>
        {
            o.Root = _temp.Path;
            o.Phases["index"] = new PhaseSettings { MinSaveInterval = TimeSpan.FromSeconds(30), Ttl = TimeSpan.FromHours(2), MaxSnapshots = 3 };
            o.Phases["merge"] = new PhaseSettings { Root = _temp.Combine("merge") };
        });
        var expected = new PhaseCheckpointOptions
        {
            Phase = "index",
            Root = _temp.Path,
            MinSaveInterval = TimeSpan.FromSeconds(30),
            Ttl = TimeSpan.FromHours(2),
            MaxSnapshots = 3,
        };

        foreach (var services in new[] { configured, coded })
        {
            var factory = services.GetRequiredService<CheckpointOptionsFactory>();
            var index = factory.CreatePhaseOptions("index");
            Assert.Same(services.GetRequiredService<TimeProvider>(), index.TimeProvider);
            Assert.NotNull(index.Logger);
            Assert.Equal(expected, index with { Logger = null, TimeProvider = null });

            // Phase names match case-insensitively; what a phase leaves unset keeps the runtime's defaults.
            Assert.Equal(
                new PhaseCheckpointOptions { Phase = "merge", Root = _temp.Combine("merge") },
                factory.CreatePhaseOptions("merge") with { Logger = null, TimeProvider = null });
            Assert.Equal(
                new PhaseCheckpointOptions { Phase = "other", Root = _temp.Path },
                factory.CreatePhaseOptions("other") with { Logger = null, TimeProvider = null });
        }
    }

    [Fact]
    public void Shared_file_options_from_configuration_equal_the_same_options_from_code()
    {
        using var configured = Build(new()
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:RunId"] = "review-2026",
            ["Checkpointing:SharedFiles:review:FileName"] = "out/review.xlsx",
            ["Checkpointing:SharedFiles:review:BatchSize"] = "20",
            ["Checkpointing:SharedFiles:review:BatchSeconds"] = "30",
            ["Checkpointing:SharedFiles:review:BatchBytes"] = "1000000",
            ["Checkpointing:SharedFiles:summary:BatchSeconds"] = "2.5",
        });
        using var coded = BuildFromCode(o =>
        {
            o.Root = _temp.Path;
            o.RunId = "review-2026";
            o.SharedFiles["review"] = new SharedFileSettings { FileName = "out/review.xlsx", BatchSize = 20, BatchSeconds = 30, BatchBytes = 1_000_000 };
            o.SharedFiles["summary"] = new SharedFileSettings { BatchSeconds = 2.5 };
        });
        var expected = new SharedFileOptions
        {
            Root = _temp.Path,
            RunId = "review-2026",
            Name = "review",
            FileName = "out/review.xlsx",
            Policy = SharedFileBatchPolicy.Items(20).Or(SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(30))).Or(SharedFileBatchPolicy.Adaptive(1_000_000)),
        };

        foreach (var services in new[] { configured, coded })
        {
            var factory = services.GetRequiredService<CheckpointOptionsFactory>();
            var review = factory.CreateSharedFileOptions("review");
            Assert.Same(services.GetRequiredService<TimeProvider>(), review.TimeProvider);
            Assert.NotNull(review.Logger);
            Assert.Equal(expected, review with { Logger = null, TimeProvider = null });
            Assert.Equal((20, TimeSpan.FromSeconds(30), 1_000_000L), (review.Policy.MaxItems, review.Policy.MaxInterval, review.Policy.MaxBufferedBytes));

            var summary = factory.CreateSharedFileOptions("summary", "other-run", "summary.csv");
            Assert.Equal(("other-run", "summary.csv", SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(2.5))), (summary.RunId, summary.FileName, summary.Policy));
            Assert.Equal(SharedFileBatchPolicy.Default, factory.CreateSharedFileOptions("unconfigured", fileName: "x.csv").Policy);
        }
    }

    [Fact]
    public void A_shared_file_without_a_file_name_names_the_setting()
    {
        using var services = Build(new() { ["Checkpointing:Root"] = _temp.Path, ["Checkpointing:RunId"] = "r1" });
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<CheckpointOptionsFactory>().CreateSharedFileOptions("review"));
        Assert.Equal("Shared file 'review' has no file name: pass one or set Checkpointing:SharedFiles:review:FileName.", error.Message);
    }

    [Fact]
    public async Task Configured_phase_options_open_a_phase_checkpoint()
    {
        using var services = Build(new()
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:Phases:index:MaxSnapshots"] = "2",
        });
        var options = services.GetRequiredService<CheckpointOptionsFactory>().CreatePhaseOptions("index");

        await using (var phase = await PhaseCheckpoint<int>.OpenAsync(options, (JsonTypeInfo<int>)JsonSerializerOptions.Default.GetTypeInfo(typeof(int))))
        {
            Assert.True(await phase.SaveAsync(1, 42, force: true));
        }

        Assert.True(Directory.Exists(Path.Combine(_temp.Path, "index")));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddCheckpointing(configuration);
        return services.BuildServiceProvider();
    }

    private static ServiceProvider BuildFromCode(Action<CheckpointingOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddCheckpointing(configure);
        return services.BuildServiceProvider();
    }
}
