extern alias LsiGenerators;

using Checkpointing.Generators.Checkpointed;
using LsiGenerators::Checkpointing.Generators.CumulativeCsv;
using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>Shared sources and runs for the [Checkpointed] generator tests.</summary>
internal static class CheckpointedTestSources
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.ComponentModel.DataAnnotations;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Text.Json.Serialization.Metadata;
        using System.Threading;
        using System.Threading.Tasks;
        using Checkpointing;

        """;

    public const string PageText = """
        namespace MyApp.Pipeline
        {
            public sealed class PageText
            {
                public int Page { get; set; }
                public string Text { get; set; } = "";
            }
        }
        """;

    /// <summary>
    /// Runs the generator over <paramref name="sources"/> (usings prepended to each), with the <c>[CumulativeCsv]</c>
    /// generator of Checkpointing.Lsi beside it (it does nothing to a stage without the attribute).
    /// </summary>
    public static GeneratorOutcome Run(params string[] sources) =>
        GeneratorHarness.Run(Generators(), sources.Select(s => Usings + s).ToArray());

    private static IIncrementalGenerator[] Generators() => [new CheckpointedGenerator(), new CumulativeCsvGenerator()];

    /// <summary>
    /// Runs the generator and checks that the output compiles without warnings and that the generator
    /// reported exactly <paramref name="expectedIds"/> (in order).
    /// </summary>
    public static GeneratorOutcome RunClean(string[] sources, params string[] expectedIds)
    {
        var outcome = Run(sources);
        Assert.Equal(expectedIds, outcome.GeneratorDiagnostics.Concat(outcome.RunResult.Diagnostics).Distinct().Select(d => d.Id).ToArray());
        var problems = Problems(outcome);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return outcome;
    }

    /// <summary>
    /// Errors and warnings of the output compilation, minus the reference-unification warnings CS1701/CS1702
    /// (the runtime is built against .NET 8, the tests run on .NET 10), which the SDK suppresses by default too.
    /// </summary>
    public static List<Diagnostic> Problems(GeneratorOutcome outcome) =>
        outcome.CompilationProblems.Where(d => d.Id is not ("CS1701" or "CS1702")).ToList();

    /// <summary>
    /// Parses <c>[|...|]</c> markers out of <paramref name="markedSource"/> (after the usings are
    /// prepended) and returns the clean source with the marked spans in order.
    /// </summary>
    public static (string Source, List<TextSpan> Spans) Markup(string markedSource)
    {
        var text = Usings + markedSource;
        var spans = new List<TextSpan>();
        var builder = new System.Text.StringBuilder();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '[' && i + 1 < text.Length && text[i + 1] == '|')
            {
                start = builder.Length;
                i++;
            }
            else if (text[i] == '|' && i + 1 < text.Length && text[i + 1] == ']' && start >= 0)
            {
                spans.Add(TextSpan.FromBounds(start, builder.Length));
                start = -1;
                i++;
            }
            else
            {
                builder.Append(text[i]);
            }
        }

        return (builder.ToString(), spans);
    }

    /// <summary>
    /// Runs the generator over a marked source and asserts its diagnostics exactly: one per marked span,
    /// with the given IDs and messages, and nothing else.
    /// </summary>
    public static GeneratorOutcome AssertDiagnostics(string markedSource, params (string Id, string Message)[] expected)
    {
        var (source, spans) = Markup(markedSource);
        var outcome = GeneratorHarness.Run(Generators(), [source]);
        var actual = outcome.RunResult.Diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToList();
        var shown = string.Join("\n", actual.Select(d => $"{d.Id} at {d.Location.SourceSpan}: {d.GetMessage()}"));
        Assert.True(actual.Count == expected.Length, $"Expected {expected.Length} diagnostics, got:\n{shown}");
        Assert.Equal(expected.Length, spans.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Id, actual[i].Id);
            Assert.Equal(expected[i].Message, actual[i].GetMessage());
            Assert.Equal(spans[i], actual[i].Location.SourceSpan);
            Assert.Equal("Source0.cs", actual[i].Location.GetLineSpan().Path);
        }

        return outcome;
    }

    public static IEnumerable<Diagnostic> Errors(GeneratorOutcome outcome) =>
        outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
