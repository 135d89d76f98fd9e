using Checkpointing.Generators.Checkpointed;
using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>The pipeline caches: unrelated edits re-run nothing, edits to a stage re-run that stage.</summary>
public sealed class CheckpointedIncrementalityTests
{
    private static readonly string[] TrackedSteps =
    [
        TrackingNames.CheckpointedParse,
        TrackingNames.CheckpointedStages,
        TrackingNames.CheckpointedDiagnostics,
        TrackingNames.CheckpointedIdentities,
    ];

    private const string Stage = """
        namespace MyApp.Pipeline
        {
            public sealed class PageText { [Required] public string Text { get; set; } = ""; }

            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem]
                public Task<PageText> OcrAsync(int page, ItemContext context) => Task.FromResult(new PageText());
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
        var driver = GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(compilation);
        IncrementalAssert.NoRoslynObjectsInOutputs(driver.GetRunResult(), TrackedSteps);

        var edited = GeneratorHarness.Replace(compilation, 1, Usings + Unrelated.Replace("value * 2", "value + value") + "\nnamespace MyApp.Other { public sealed class Extra { } }\n");
        var rerun = driver.RunGenerators(edited).GetRunResult();

        IncrementalAssert.AllCachedOrUnchanged(rerun, TrackedSteps);
        // The key of the stage is the same, so the stage is not bound again (see AttributeTargetsTests).
        IncrementalAssert.AllCachedOrUnchanged(rerun, TrackingNames.CheckpointedParse + "Key");
        IncrementalAssert.NoRoslynObjectsInOutputs(rerun, TrackedSteps);
    }

    [Fact]
    public void Moving_a_stage_down_reports_its_diagnostics_at_the_new_line_and_re_emits_nothing()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(compilation);
        var before = Assert.Single(driver.GetRunResult().Diagnostics); // CKPT113: no JsonContext

        var edited = GeneratorHarness.Replace(compilation, 0, Usings + "\n\n\n" + Stage);
        var rerun = driver.RunGenerators(edited).GetRunResult();

        IncrementalAssert.AllCachedOrUnchanged(rerun, TrackingNames.CheckpointedStages);
        var diagnostics = rerun.Results.Single().TrackedSteps[TrackingNames.CheckpointedDiagnostics];
        Assert.Contains(diagnostics.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        var after = Assert.Single(rerun.Diagnostics);
        Assert.Equal("CKPT113", after.Id);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 3, after.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void Renaming_the_process_method_modifies_the_stage_and_regenerates_it()
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(compilation);

        var edited = GeneratorHarness.Replace(compilation, 0, Usings + Stage.Replace("OcrAsync", "ReadPageAsync"));
        var rerun = driver.RunGenerators(edited).GetRunResult();

        var stages = rerun.Results.Single().TrackedSteps[TrackingNames.CheckpointedStages];
        Assert.Contains(stages.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        var source = Assert.Single(rerun.Results.Single().GeneratedSources).SourceText.ToString();
        Assert.Contains("this.ReadPageAsync(item, context)", source);
    }

    [Fact]
    public void Two_hundred_stages_generate_every_source_and_stay_cached_after_an_unrelated_edit()
    {
        var sources = Enumerable.Range(0, 200).Select(i => Usings + $$"""
            namespace MyApp.Many
            {
                public sealed class Out{{i}} { [Required] public string? Text { get; set; } [Range(0, 10)] public int Score { get; set; } }

                [Checkpointed("stage{{i}}")]
                public partial class Stage{{i}}
                {
                    [ProcessItem]
                    public async Task<Out{{i}}> ProcessAsync(long item, ItemContext context, CancellationToken cancellationToken)
                    {
                        await Task.Yield();
                        return new Out{{i}}();
                    }
                }
            }
            """).ToArray();
        // A warm-up run on a compilation of its own pays for JIT; the measured run gets a fresh compilation,
        // so it also pays for building the symbols it asks for, as the first run of a build does.
        GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(GeneratorHarness.CreateCompilation(sources));
        var compilation = GeneratorHarness.CreateCompilation(sources);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var driver = GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(compilation);
        stopwatch.Stop();
        var result = driver.GetRunResult();

        var edited = GeneratorHarness.Replace(compilation, 0, sources[0] + "\nnamespace MyApp.Many { public static class Unrelated { } }\n");
        var incremental = System.Diagnostics.Stopwatch.StartNew();
        var rerun = driver.RunGenerators(edited).GetRunResult();
        incremental.Stop();
        IncrementalAssert.AllCachedOrUnchanged(rerun, TrackingNames.CheckpointedStages);

        Assert.Equal(200, result.GeneratedTrees.Length);
        Assert.Equal(200, result.Diagnostics.Count(d => d.Id == "CKPT113"));
        Assert.Equal(200, result.Diagnostics.Length);
        var timing = driver.GetTimingInfo();
        Console.WriteLine(
            $"[Checkpointed] 200 stages: {stopwatch.ElapsedMilliseconds} ms for a full run on a fresh compilation " +
            $"(generator time {timing.ElapsedTime.TotalMilliseconds:0} ms), {incremental.ElapsedMilliseconds} ms after an edit that changes no stage");
        // No time limit here: a loaded machine makes a wall-clock assertion flaky. Generator speed is checked
        // by the BenchmarkDotNet suite (GeneratorBenchmarks); this test proves the output and the caching.
    }
}
