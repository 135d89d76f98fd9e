using Checkpointing.Hosting.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Checkpointing.Store;

namespace Checkpointing.Hosting.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_key_of_the_section_is_bound_into_the_run_options()
    {
        using var services = Build(new()
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:RunId"] = "scan-0042",
            ["Checkpointing:Resume"] = "false",
            ["Checkpointing:MaxDegreeOfParallelism"] = "4",
            ["Checkpointing:CommitPolicy"] = "everyitems",
            ["Checkpointing:CommitItems"] = "25",
            ["Checkpointing:ItemFailurePolicy"] = "SkipItem",
            ["Checkpointing:ValidateOutputsOnResume"] = "false",
            ["Checkpointing:StrictCheckpoint"] = "true",
            ["Checkpointing:Store:Type"] = "file",
            ["Checkpointing:Health:DegradedAfter"] = "00:01:00",
            ["Checkpointing:Health:UnhealthyAfter"] = "00:10:00",
        });

        var options = services.GetRequiredService<IOptions<CheckpointingOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(1), options.Health.DegradedAfter);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Health.UnhealthyAfter);

        var run = services.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages");
        Assert.Equal(_temp.Path, run.Root);
        Assert.Equal("scan-0042", run.RunId);
        Assert.False(run.Resume);
        Assert.Equal(4, run.MaxDegreeOfParallelism);
        Assert.Equal(CommitPolicy.EveryItems(25), run.CommitPolicy);
        Assert.Equal(ItemFailurePolicy.SkipItem, run.ItemFailurePolicy);
        Assert.False(run.ValidateOutputsOnResume);
        Assert.True(run.StrictCheckpoint);
        Assert.Same(services.GetRequiredService<TimeProvider>(), run.TimeProvider);
        Assert.Same(services.GetRequiredService<ICheckpointStore>(), run.Store);
        Assert.IsType<FileCheckpointStore>(((MonitoredCheckpointStore)run.Store!).Inner);
    }

    [Fact]
    public void The_every_policy_takes_its_interval_and_code_wins_over_configuration()
    {
        using var services = Build(
            new()
            {
                ["Checkpointing:Root"] = _temp.Path,
                ["Checkpointing:RunId"] = "from-configuration",
                ["Checkpointing:CommitPolicy"] = "Every",
                ["Checkpointing:CommitInterval"] = "00:00:02",
            },
            o => o.RunId = "from-code");

        var run = services.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages");
        Assert.Equal(CommitPolicy.Every(TimeSpan.FromSeconds(2)), run.CommitPolicy);
        Assert.Equal("from-code", run.RunId);
        Assert.Equal("explicit", services.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages", "explicit").RunId);
    }

    [Fact]
    public void A_stage_section_overrides_the_defaults_for_that_stage_only()
    {
        using var services = Build(new()
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:RunId"] = "scan-1",
            ["Checkpointing:MaxDegreeOfParallelism"] = "4",
            ["Checkpointing:CommitPolicy"] = "EveryItems",
            ["Checkpointing:CommitItems"] = "25",
            ["Checkpointing:Stages:OCR:CommitPolicy"] = "Every",
            ["Checkpointing:Stages:OCR:CommitInterval"] = "00:00:01",
            ["Checkpointing:Stages:index:MaxDegreeOfParallelism"] = "1",
            ["Checkpointing:Stages:index:CommitItems"] = "5",
            ["Checkpointing:Stages:index:Resume"] = "false",
        });
        var runner = services.GetRequiredService<HostedStageRunner>();

        var ocr = runner.CreateRunOptions("ocr");
        Assert.Equal((4, CommitPolicy.Every(TimeSpan.FromSeconds(1)), true), (ocr.MaxDegreeOfParallelism, ocr.CommitPolicy, ocr.Resume));
        var index = runner.CreateRunOptions("index");
        Assert.Equal((1, CommitPolicy.EveryItems(5), false), (index.MaxDegreeOfParallelism, index.CommitPolicy, index.Resume));
        var other = runner.CreateRunOptions("lsi");
        Assert.Equal((4, CommitPolicy.EveryItems(25), true), (other.MaxDegreeOfParallelism, other.CommitPolicy, other.Resume));
    }

    [Fact]
    public void A_run_without_a_run_id_names_the_setting()
    {
        using var services = Build(new() { ["Checkpointing:Root"] = _temp.Path });
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages"));
        Assert.Contains("Checkpointing:RunId", error.Message);
        Assert.Contains("'pages'", error.Message);
    }

    [Theory]
    [InlineData("MaxDegreeOfParallelism", "-2", "Checkpointing:MaxDegreeOfParallelism must be 1 or more; it is -2.")]
    [InlineData("MaxDegreeOfParallelism", "0", "Checkpointing:MaxDegreeOfParallelism must be 1 or more; it is 0.")]
    [InlineData("CommitPolicy", "Sometimes", "Checkpointing:CommitPolicy 'Sometimes' is not a commit policy; use EveryItem, EveryItems (with Checkpointing:CommitItems) or Every (with Checkpointing:CommitInterval).")]
    [InlineData("CommitPolicy", "1", "Checkpointing:CommitPolicy '1' is not a commit policy")]
    [InlineData("CommitPolicy", "EveryItems", "Checkpointing:CommitPolicy EveryItems needs Checkpointing:CommitItems (the group size, 1 or more).")]
    [InlineData("CommitPolicy", "Every", "Checkpointing:CommitPolicy Every needs Checkpointing:CommitInterval (e.g. 00:00:02).")]
    [InlineData("CommitItems", "10", "Checkpointing:CommitItems (10) is only used with Checkpointing:CommitPolicy EveryItems, but the policy is 'EveryItem'.")]
    [InlineData("CommitInterval", "00:00:05", "Checkpointing:CommitInterval (00:00:05) is only used with Checkpointing:CommitPolicy Every, but the policy is 'EveryItem'.")]
    [InlineData("ItemFailurePolicy", "Ignore", "Checkpointing:ItemFailurePolicy 'Ignore' is not an item failure policy; use FailStage or SkipItem.")]
    [InlineData("RunId", "a/b", "Checkpointing:RunId 'a/b' cannot be used as a folder name")]
    [InlineData("Store:Type", "PostgreSql", "Checkpointing:Store:Type 'PostgreSql' is not a registered checkpoint store; registered: File.")]
    [InlineData("Health:DegradedAfter", "-00:01:00", "Checkpointing:Health:DegradedAfter must be positive; it is -00:01:00.")]
    [InlineData("Health:UnhealthyAfter", "00:01:00", "Checkpointing:Health:UnhealthyAfter (00:01:00) must be greater than Checkpointing:Health:DegradedAfter (00:05:00).")]
    [InlineData("MaxDegreeOfParalelism", "4", "Checkpointing:MaxDegreeOfParalelism is not a setting; the settings of Checkpointing are Root, RunId, Resume, MaxDegreeOfParallelism, CommitPolicy, CommitItems, CommitInterval, ItemFailurePolicy, ValidateOutputsOnResume, StrictCheckpoint, Stages, Store, Health, Phases, SharedFiles.")]
    [InlineData("Store:Typ", "File", "Checkpointing:Store:Typ is not a setting; the settings of Checkpointing:Store are File, Type.")]
    [InlineData("Store", "PostgreSql", "Checkpointing:Store is a section, not a value ('PostgreSql'); set its keys, e.g. Checkpointing:Store:Type.")]
    [InlineData("Health:Degraded", "00:01:00", "Checkpointing:Health:Degraded is not a setting; the settings of Checkpointing:Health are DegradedAfter, UnhealthyAfter.")]
    [InlineData("Stages:ocr:MaxDegreeOfParallelism", "0", "Checkpointing:Stages:ocr:MaxDegreeOfParallelism must be 1 or more; it is 0.")]
    [InlineData("Stages:ocr:CommitPolicy", "EveryItems", "Checkpointing:Stages:ocr:CommitPolicy EveryItems needs Checkpointing:Stages:ocr:CommitItems (the group size, 1 or more).")]
    [InlineData("Stages:ocr:ItemFailurePolicy", "Retry", "Checkpointing:Stages:ocr:ItemFailurePolicy 'Retry' is not an item failure policy; use FailStage or SkipItem.")]
    [InlineData("Stages:ocr:Parallelism", "2", "Checkpointing:Stages:ocr:Parallelism is not a setting; the settings of Checkpointing:Stages:ocr are Resume, MaxDegreeOfParallelism, CommitPolicy, CommitItems, CommitInterval, ItemFailurePolicy, ValidateOutputsOnResume, StrictCheckpoint.")]
    [InlineData("Stages:ocr?:Resume", "false", "Checkpointing:Stages:ocr? does not name a stage: it contains '?', which Windows file names cannot hold.")]
    [InlineData("Phases:index:MinSaveInterval", "-00:00:01", "Checkpointing:Phases:index:MinSaveInterval must be zero (save every time) or positive; it is -00:00:01.")]
    [InlineData("Phases:index:Ttl", "00:00:00", "Checkpointing:Phases:index:Ttl must be positive; it is 00:00:00.")]
    [InlineData("Phases:index:Ttl", "-01:00:00", "Checkpointing:Phases:index:Ttl must be positive; it is -01:00:00.")]
    [InlineData("Phases:index:MaxSnapshots", "0", "Checkpointing:Phases:index:MaxSnapshots must be 1 or more; it is 0.")]
    [InlineData("Phases:index:MaxSnapshots", "-3", "Checkpointing:Phases:index:MaxSnapshots must be 1 or more; it is -3.")]
    [InlineData("Phases:index:Root", " ", "Checkpointing:Phases:index:Root must name a folder; it is empty.")]
    [InlineData("Phases:index?:MaxSnapshots", "3", "Checkpointing:Phases:index? does not name a phase: it contains '?', which Windows file names cannot hold.")]
    [InlineData("Phases:index:MaxSnapshot", "3", "Checkpointing:Phases:index:MaxSnapshot is not a setting; the settings of Checkpointing:Phases:index are Root, MinSaveInterval, Ttl, MaxSnapshots.")]
    [InlineData("SharedFiles:review:BatchSize", "0", "Checkpointing:SharedFiles:review:BatchSize must be 1 or more; it is 0.")]
    [InlineData("SharedFiles:review:BatchSize", "-5", "Checkpointing:SharedFiles:review:BatchSize must be 1 or more; it is -5.")]
    [InlineData("SharedFiles:review:BatchSeconds", "0", "Checkpointing:SharedFiles:review:BatchSeconds must be positive; it is 0.")]
    [InlineData("SharedFiles:review:BatchSeconds", "-1.5", "Checkpointing:SharedFiles:review:BatchSeconds must be positive; it is -1.5.")]
    [InlineData("SharedFiles:review:BatchBytes", "0", "Checkpointing:SharedFiles:review:BatchBytes must be 1 or more; it is 0.")]
    [InlineData("SharedFiles:review:FileName", "../review.xlsx", "Checkpointing:SharedFiles:review:FileName '../review.xlsx' must be a relative path inside the run folder:")]
    [InlineData("SharedFiles:review:FileName", "/srv/review.xlsx", "Checkpointing:SharedFiles:review:FileName '/srv/review.xlsx' must be a relative path inside the run folder: it is rooted.")]
    [InlineData("SharedFiles:review?:BatchSize", "10", "Checkpointing:SharedFiles:review? does not name a shared-file checkpoint: it contains '?', which Windows file names cannot hold.")]
    [InlineData("SharedFiles:review:BatchItems", "10", "Checkpointing:SharedFiles:review:BatchItems is not a setting; the settings of Checkpointing:SharedFiles:review are FileName, BatchSize, BatchSeconds, BatchBytes.")]
    public async Task A_bad_value_stops_the_host_at_start_with_a_message_naming_the_key_and_the_value(string key, string value, string expected)
    {
        var root = _temp.Combine("root");
        var error = await StartFailsAsync(new()
        {
            ["Checkpointing:Root"] = root,
            ["Checkpointing:" + key] = value,
        });

        Assert.Contains(expected, error.Message);
        Assert.False(Directory.Exists(root), "nothing is created before the settings are valid");
    }

    [Fact]
    public async Task A_root_that_is_a_file_is_rejected_and_the_file_is_left_alone()
    {
        var file = _temp.Combine("notes.txt");
        File.WriteAllText(file, "precious");

        var error = await StartFailsAsync(new() { ["Checkpointing:Root"] = file });

        Assert.Contains($"Checkpointing:Root '{file}' is a file", error.Message);
        Assert.Equal("precious", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_root_under_a_file_is_rejected_naming_the_file()
    {
        var file = _temp.Combine("notes.txt");
        File.WriteAllText(file, "precious");
        var root = Path.Combine(file, "data", "runs");

        var error = await StartFailsAsync(new() { ["Checkpointing:Root"] = root });

        Assert.Contains($"Checkpointing:Root '{root}' cannot be created: '{file}' is a file.", error.Message);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var error = await StartFailsAsync(new()
        {
            ["Checkpointing:Root"] = " ",
            ["Checkpointing:MaxDegreeOfParallelism"] = "-1",
            ["Checkpointing:CommitPolicy"] = "Never",
        });

        Assert.Contains("Checkpointing:Root must name a folder; it is empty.", error.Message);
        Assert.Contains("Checkpointing:MaxDegreeOfParallelism must be 1 or more; it is -1.", error.Message);
        Assert.Contains("Checkpointing:CommitPolicy 'Never'", error.Message);
    }

    [Fact]
    public async Task Options_set_in_code_are_validated_the_same_way()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddCheckpointing(o =>
        {
            o.Root = _temp.Path;
            o.MaxDegreeOfParallelism = -3;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Checkpointing:MaxDegreeOfParallelism must be 1 or more; it is -3.", error.Message);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_stops_the_host_naming_the_key()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:MaxDegreeOfParallelism"] = "four",
        });
        builder.Services.AddCheckpointing(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Checkpointing:MaxDegreeOfParallelism", error.Message);
        Assert.Contains("'four'", error.InnerException?.Message);
    }

    [Fact]
    public void The_section_itself_may_be_passed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:MaxDegreeOfParallelism"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.AddCheckpointing(configuration.GetSection("Checkpointing"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(3, provider.GetRequiredService<IOptions<CheckpointingOptions>>().Value.MaxDegreeOfParallelism);
    }

    [Fact]
    public async Task Another_store_is_selected_by_name_and_sees_every_open()
    {
        var opened = new List<string>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpointing:Root"] = _temp.Path,
            ["Checkpointing:RunId"] = "r1",
            ["Checkpointing:Store:Type"] = "recording",
            ["Checkpointing:Store:Recording:Label"] = "a registered store's own settings are not unknown keys",
        });
        builder.Services.AddSingleton(new PageGate());
        builder.Services.AddCheckpointing(builder.Configuration)
            .AddStage<PagesStage>()
            .AddStore("Recording", sp => new RecordingStore(new FileCheckpointStore(_temp.Path, sp.GetRequiredService<TimeProvider>()), opened));
        using var host = builder.Build();
        await host.StartAsync();

        var result = await host.Services.GetRequiredService<HostedStageRunner>().RunAsync(host.Services.GetRequiredService<PagesStage>().CreateDefinition(), [1, 2, 3]);

        Assert.Equal(3, result.Processed);
        Assert.Equal(["r1/pages"], opened);
        await host.StopAsync();
    }

    [Fact]
    public void The_runner_keeps_the_selected_monitored_store_when_the_app_registered_a_store_itself()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICheckpointStore>(new FileCheckpointStore(_temp.Path));
        services.AddCheckpointing(o => o.Root = _temp.Path);
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages", "r").Store;
        Assert.IsType<FileCheckpointStore>(Assert.IsType<MonitoredCheckpointStore>(store).Inner);
    }

    [Fact]
    public async Task Options_from_configuration_and_from_code_give_the_same_run()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var fromConfiguration = _temp.Combine("configuration");
        var fromCode = _temp.Combine("code");
        using var configured = Build(
            new()
            {
                ["Checkpointing:Root"] = fromConfiguration,
                ["Checkpointing:RunId"] = "book-7",
                ["Checkpointing:MaxDegreeOfParallelism"] = "3",
                ["Checkpointing:CommitPolicy"] = "EveryItems",
                ["Checkpointing:CommitItems"] = "4",
                ["Checkpointing:ItemFailurePolicy"] = "SkipItem",
                ["Checkpointing:ValidateOutputsOnResume"] = "false",
            },
            time: new FakeTimeProvider(start));
        var services = new ServiceCollection();
        services.AddSingleton(new PageGate());
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(start));
        services.AddCheckpointing(o =>
        {
            o.Root = fromCode;
            o.RunId = "book-7";
            o.MaxDegreeOfParallelism = 3;
            o.CommitPolicy = "EveryItems";
            o.CommitItems = 4;
            o.ItemFailurePolicy = "SkipItem";
            o.ValidateOutputsOnResume = false;
        }).AddStage<PagesStage>();
        using var coded = services.BuildServiceProvider();

        var a = configured.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages");
        var b = coded.GetRequiredService<HostedStageRunner>().CreateRunOptions("pages");
        Assert.Equal(
            (a.RunId, a.Resume, a.MaxDegreeOfParallelism, a.CommitPolicy, a.ItemFailurePolicy, a.ValidateOutputsOnResume, a.StrictCheckpoint),
            (b.RunId, b.Resume, b.MaxDegreeOfParallelism, b.CommitPolicy, b.ItemFailurePolicy, b.ValidateOutputsOnResume, b.StrictCheckpoint));

        var pages = Enumerable.Range(1, 12).ToArray();
        var resultA = await configured.GetRequiredService<HostedStageRunner>().RunAsync(configured.GetRequiredService<PagesStage>().CreateDefinition(), pages);
        var resultB = await coded.GetRequiredService<HostedStageRunner>().RunAsync(coded.GetRequiredService<PagesStage>().CreateDefinition(), pages);

        Assert.Equal(resultA with { Duration = default }, resultB with { Duration = default, FailedItems = resultA.FailedItems });
        var outputsA = Directory.GetFiles(Path.Combine(fromConfiguration, "book-7", "pages")).Order(StringComparer.Ordinal).ToArray();
        var outputsB = Directory.GetFiles(Path.Combine(fromCode, "book-7", "pages")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(12, outputsA.Length);
        Assert.Equal(outputsA.Select(Path.GetFileName), outputsB.Select(Path.GetFileName));
        for (var i = 0; i < outputsA.Length; i++)
        {
            Assert.Equal(File.ReadAllBytes(outputsA[i]), File.ReadAllBytes(outputsB[i]));
        }

        // The host's clock, not the system's, stamps the run: the runner passes its TimeProvider down.
        var state = FileCheckpointStore.ReadState(fromCode, "book-7", "pages")!;
        Assert.Equal(start, state.Runs.Single().StartedAt);
        Assert.Equal(start, state.Runs.Single().EndedAt);
        Assert.Equal(FileCheckpointStore.ReadState(fromConfiguration, "book-7", "pages")!.Completed.Keys.Order(), state.Completed.Keys.Order());
    }

    private static async Task<Exception> StartFailsAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCheckpointing(builder.Configuration);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<CheckpointingOptions>? configure = null, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(new PageGate());
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddCheckpointing(configuration, configure).AddStage<PagesStage>();
        return services.BuildServiceProvider();
    }

    private sealed class RecordingStore(ICheckpointStore inner, List<string> opened) : ICheckpointStore
    {
        public Task<ICheckpointJournal> OpenAsync(CheckpointOpenRequest request, CancellationToken cancellationToken)
        {
            lock (opened)
            {
                opened.Add(request.RunId + "/" + request.StageName);
            }

            return inner.OpenAsync(request, cancellationToken);
        }
    }
}
