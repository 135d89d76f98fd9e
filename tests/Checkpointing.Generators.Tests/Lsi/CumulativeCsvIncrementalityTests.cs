extern alias LsiGenerators;

using Checkpointing.Generators.Tests.Infrastructure;
using LsiGenerators::Checkpointing.Generators.CumulativeCsv;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;
using LsiTracking = LsiGenerators::Checkpointing.Generators.TrackingNames;

namespace Checkpointing.Generators.Tests.Lsi;

/// <summary>The [CumulativeCsv] pipeline caches: an unrelated edit re-runs nothing, a change of imprint re-emits the stage's CSV members.</summary>
public sealed class CumulativeCsvIncrementalityTests
{
    private static readonly string[] TrackedSteps =
    [
        LsiTracking.CumulativeCsvParse,
        LsiTracking.CumulativeCsvStages,
        LsiTracking.CumulativeCsvDiagnostics,
    ];

    private const string Stage = """
        namespace MyApp.Pipeline
        {
            using Checkpointing.Lsi;

            [LsiRecord]
            public partial class LsiBook
            {
                [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
            }

            [Checkpointed("lsi")]
            [Checkpointing.Csv.CumulativeCsv("xynapse_traces")]
            public partial class LsiRowStage
            {
                [ProcessItem] public LsiBook Build(string isbn) => new() { Isbn = isbn };
            }
        }
        """;

    private const string Unrelated = """
        namespace MyApp.Other
        {
            public static class Helper { public static int Twice(int value) => value * 2; }
        }
        """;

    [Fact]
    public void An_unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CumulativeCsvGenerator()).RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        IncrementalAssert.NoRoslynObjectsInOutputs(driver.GetRunResult(), TrackedSteps);

        var rerun = driver.RunGenerators(GeneratorHarness.Replace(compilation, 1, Usings + Unrelated.Replace("value * 2", "value + value"))).GetRunResult();

        IncrementalAssert.AllCachedOrUnchanged(rerun, TrackedSteps);
        IncrementalAssert.NoRoslynObjectsInOutputs(rerun, TrackedSteps);
    }

    [Fact]
    public void Moving_the_stage_down_re_emits_nothing()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CumulativeCsvGenerator()).RunGenerators(compilation);

        var rerun = driver.RunGenerators(GeneratorHarness.Replace(compilation, 0, Usings + "\n\n\n" + Stage)).GetRunResult();

        IncrementalAssert.AllCachedOrUnchanged(rerun, LsiTracking.CumulativeCsvStages);
    }

    [Fact]
    public void A_new_imprint_modifies_the_stage_and_regenerates_it()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CumulativeCsvGenerator()).RunGenerators(compilation);

        var rerun = driver.RunGenerators(GeneratorHarness.Replace(compilation, 0, Usings + Stage.Replace("xynapse_traces", "nimble_books"))).GetRunResult();

        var stages = rerun.Results.Single().TrackedSteps[LsiTracking.CumulativeCsvStages];
        Assert.Contains(stages.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"nimble_books\"", rerun.GeneratedTrees.Single().ToString(), StringComparison.Ordinal);
    }
}
