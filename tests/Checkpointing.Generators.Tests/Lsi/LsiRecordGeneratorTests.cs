using Checkpointing.Generators.Lsi;
using Checkpointing.Generators.Lsi.Parsing;
using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Checkpointing.Generators.Tests.Lsi;

public sealed class LsiRecordGeneratorTests
{
    [Fact]
    public void With_a_template_emits_every_template_column_in_order()
    {
        var outcome = LsiTestSources.Run(LsiTestSources.Book, LsiTestSources.Template);

        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Without_a_template_emits_the_mapped_columns_in_declaration_order()
    {
        const string source = """
            using Checkpointing.Lsi;

            [LsiRecord(EscapeInjection = false)]
            internal partial class ShortRow
            {
                [LsiColumn("Title")] public string? Title { get; set; }
                [LsiColumn("ISBN or SKU", Format = LsiFormat.Isbn)] public string Isbn = "";
                [LsiColumn("Pub Date")] public System.DateTime? PubDate { get; set; }
                [LsiColumn("Weight(Lbs)")] public double Weight { get; set; }
                [LsiColumn("Carton Pack Quantity")] public long Carton { get; set; }
                [LsiColumn("UK Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal UkPrice { get; set; }
                public string NotAColumn { get; set; } = "";
            }
            """;

        var outcome = LsiTestSources.Run(source);

        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void A_record_class_gets_a_partial_record_declaration()
    {
        const string source = """
            using Checkpointing.Lsi;

            namespace BookPipeline;

            [LsiRecord]
            public sealed partial record LsiRow
            {
                [LsiColumn("ISBN or SKU", Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
            }
            """;

        var outcome = LsiTestSources.Run(source);

        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Assert.Contains("partial record LsiRow : global::Checkpointing.Lsi.ILsiRecord", outcome.RunResult.GeneratedTrees.Single().ToString());
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(LsiTestSources.Book, "class Other { }");
        var driver = GeneratorHarness.CreateDriver([LsiTestSources.Template], new LsiRecordGenerator()).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("class Other { int x; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));

        var result = driver.RunGenerators(edited).GetRunResult();

        IncrementalAssert.AllCachedOrUnchanged(result, TrackingNames.LsiRecords, TrackingNames.LsiTemplates, TrackingNames.LsiResolved);
        // Only this generator's steps: Roslyn's own ForAttributeWithMetadataName steps carry the compilation.
        foreach (var name in new[] { TrackingNames.LsiRecords, TrackingNames.LsiTemplates, TrackingNames.LsiResolved })
        {
            foreach (var output in result.Results.Single().TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                Assert.False(output.Value is Compilation or ISymbol or SyntaxNode, $"Step {name} holds a {output.Value.GetType().Name}");
            }
        }
    }

    [Fact]
    public void A_member_rename_modifies_the_record_step()
    {
        var compilation = GeneratorHarness.CreateCompilation(LsiTestSources.Book);
        var driver = GeneratorHarness.CreateDriver([LsiTestSources.Template], new LsiRecordGenerator()).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(LsiTestSources.Book.Replace("Pages {", "PageCount {"), GeneratorHarness.ParseOptions, path: "Source0.cs"));

        var result = driver.RunGenerators(edited).GetRunResult();

        var step = result.Results.Single().TrackedSteps[TrackingNames.LsiRecords].Single();
        Assert.Equal(IncrementalStepRunReason.Modified, step.Outputs.Single().Reason);
        Assert.Contains("PageCount", result.GeneratedTrees.Single().ToString());
    }

    [Theory]
    [InlineData("Tilte", "Title")]
    [InlineData("ISBN or Sku", "ISBN or SKU")]
    [InlineData("US Suggested Price", "US Suggested List Price")]
    [InlineData("LSI Special Category (please consult LSI before using", "LSI Special Category  (please consult LSI before using")]
    [InlineData("Rendition/Booktype", "Rendition /Booktype")]
    public void Near_misses_get_the_template_column_as_suggestion(string typed, string expected)
    {
        var columns = LsiTestSources.TemplateText.Split('\n')[0].TrimEnd('\r').Split(',');

        Assert.Equal(expected, LsiRecordResolver.Suggest(typed, columns));
    }

    [Fact]
    public void A_name_far_from_every_column_gets_no_suggestion()
    {
        var columns = LsiTestSources.TemplateText.Split('\n')[0].TrimEnd('\r').Split(',');

        Assert.Null(LsiRecordResolver.Suggest("Favourite colour of the author", columns));
    }
}
