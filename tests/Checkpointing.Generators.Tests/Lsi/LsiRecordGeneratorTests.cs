extern alias LsiGenerators;

using LsiGenerators::Checkpointing.Generators.Lsi;
using LsiGenerators::Checkpointing.Generators.Lsi.Parsing;
using Checkpointing.Generators.Tests.Infrastructure;
using LsiTracking = LsiGenerators::Checkpointing.Generators.TrackingNames;
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
    public void Unmapped_columns_date_formats_and_prices_on_a_quoted_template()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using Checkpointing.Lsi;

            namespace BookPipeline;

            [LsiRecord(Template = "tranche.csv", DateFormat = "M/d/yy")]
            public partial class TrancheRow
            {
                [LsiColumn("Parent ISBN", Format = LsiFormat.Isbn)] public string? ParentIsbn { get; set; }
                [LsiColumn("ISBN or SKU", Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
                [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
                [LsiColumn("Street Date", DateFormat = "yyyy-MM-dd")] public DateTime StreetDate { get; set; }
                [LsiColumn("UK Suggested List Price", Format = LsiFormat.Price)] public decimal? UkPrice { get; set; }
                [LsiColumn("Min Age")] public int? MinAge { get; set; }
                [LsiUnmappedColumns] public Dictionary<string, string> Other { get; set; } = new();
            }
            """;

        var outcome = LsiTestSources.Run(source, new InMemoryAdditionalText(
            "tranche.csv", "\"Parent ISBN\",\"ISBN or SKU\",\"Title\",\"Pub Date\",\"Street Date\",\"UK Suggested List Price\",\"Min Age\",\"Carton Pack Quantity\"\n"));

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

        IncrementalAssert.AllCachedOrUnchanged(result, LsiTracking.LsiRecords, LsiTracking.LsiRecords + "Key", LsiTracking.LsiRecordsRead, LsiTracking.LsiRecordsBound,
            LsiTracking.LsiTemplates, LsiTracking.LsiResolved, LsiTracking.LsiModels, LsiTracking.LsiDiagnostics);
        // The members were not read again: the step that reads them was served from its cache.
        Assert.Equal(IncrementalStepRunReason.Cached, result.Results.Single().TrackedSteps[LsiTracking.LsiRecordsRead].Single().Outputs.Single().Reason);
        // Only the steps after the record is found: those that find it (AttributeTargets) hold syntax and the compilation
        // on purpose, and the first step holds the record's declaration (see LsiRecordInput); what follows holds values.
        foreach (var name in new[] { LsiTracking.LsiRecordsBound, LsiTracking.LsiTemplates, LsiTracking.LsiResolved, LsiTracking.LsiModels })
        {
            foreach (var output in result.Results.Single().TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                Assert.False(output.Value is Compilation or ISymbol or SyntaxNode, $"Step {name} holds a {output.Value.GetType().Name}");
            }
        }
    }

    [Theory]
    // A name the members use changes meaning through another file: the members must be read again, not taken from the cache.
    [InlineData("namespace BookPipeline; public sealed class LsiColumn : System.Attribute { public LsiColumn(string name) { } }")]
    [InlineData("namespace BookPipeline; public enum LsiFormat { Isbn, UsdPrice, Percent }")]
    [InlineData("namespace BookPipeline; public struct DateOnly { }")]
    // A record that needs its symbols ([LsiUnmappedColumns]) is read again on each compilation, and gives the same.
    [InlineData("class Other { int x; }")]
    public void An_edit_elsewhere_gives_what_a_fresh_run_gives(string otherFile)
    {
        var book = LsiTestSources.Book
            .Replace("System.DateOnly? PubDate", "DateOnly? PubDate")
            .Replace("using Checkpointing.Lsi;", "using System;\nusing Checkpointing.Lsi;");
        foreach (var source in new[] { book, book.Replace("    [LsiColumn(\"Pages\")]", "    [LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string>? Rest { get; set; }\n    [LsiColumn(\"Pages\")]") })
        {
            var compilation = GeneratorHarness.CreateCompilation(source, "class Other { }");
            var driver = GeneratorHarness.CreateDriver([LsiTestSources.Template], new LsiRecordGenerator()).RunGenerators(compilation);
            var edited = compilation.ReplaceSyntaxTree(
                compilation.SyntaxTrees.Last(),
                CSharpSyntaxTree.ParseText(otherFile, GeneratorHarness.ParseOptions, path: "Source1.cs"));

            var warm = driver.RunGenerators(edited).GetRunResult();
            var fresh = GeneratorHarness.CreateDriver([LsiTestSources.Template], new LsiRecordGenerator()).RunGenerators(edited).GetRunResult();

            Assert.Equal(fresh.Diagnostics.Select(d => d.ToString()), warm.Diagnostics.Select(d => d.ToString()));
            Assert.Equal(fresh.GeneratedTrees.Select(t => t.ToString()), warm.GeneratedTrees.Select(t => t.ToString()));
            var before = driver.GetRunResult();
            var changesMeaning = otherFile.StartsWith("namespace", StringComparison.Ordinal);
            Assert.Equal(changesMeaning, before.Diagnostics.Length != warm.Diagnostics.Length
                || !before.GeneratedTrees.Select(t => t.ToString()).SequenceEqual(warm.GeneratedTrees.Select(t => t.ToString())));
        }
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("    [LsiColumn(\"Reserved 1\")] public string? Again { get; set; }\n", true)]
    [InlineData("    [LsiColumn(\"Pages\", Required = true)] public int Count { get; set; }\n", true)]
    [InlineData("    [LsiColumn(\"Imprint\", Format = LsiFormat.UsdPrice)] public string? Wrong { get; set; }\n", true)]
    [InlineData("    [LsiColumn(\"Imprint\")] public readonly string? Fixed;\n", true)]
    [InlineData("    [LsiColumn(\"Imprint\")] public System.Guid Id { get; set; }\n", true)]
    [InlineData("    [LsiColumn(\"Imprint\")] public string? Imprint2 { get; init; }\n", true)]
    [InlineData("    [LsiColumn(\"Publication Date\", DateFormat = \"MM/dd/yyyy\")] public DateOnly? Again { get; set; }\n", true)]
    [InlineData("    [LsiColumn(\"Imprint\", MaxLength = -1), System.Obsolete] public string? Old { get; set; }\n", true)]
    [InlineData("    [LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string>? Rest { get; set; }\n", false)]
    public void Reading_from_syntax_gives_what_binding_gives(string extraMember, bool diagnostics)
    {
        // The 107 columns of the test projects' FullLsiRow (tests/Shared), read from syntax (one declaration, no
        // constructor); extraMember adds one that a rule rejects or that only its symbol can tell.
        var fromSyntax = AssertSyntaxGivesWhatBindingGives(usings: "", extraMember, after: "");
        Assert.Equal(diagnostics, !fromSyntax.GeneratorDiagnostics.IsEmpty);
    }

    [Theory]
    // Names the syntax reader looks up, where a lookup finds something else than Checkpointing.Lsi's types or
    // several things: the reader must then answer what binding answers (here, by binding).
    [InlineData("using LsiColumnAttribute = Checkpointing.Lsi.LsiColumnAttribute;\n", "", "")]
    [InlineData("using LsiColumnAttribute = System.ObsoleteAttribute;\n", "", "")]
    [InlineData("", "", "public sealed class LsiColumn : System.Attribute { public LsiColumn(string name) { } }\n")]
    [InlineData("", "", "public sealed class LsiColumnAttribute : System.Attribute { public LsiColumnAttribute(string name) { } }\n")]
    [InlineData("", "", "public sealed class LsiColumnAttribute<T> : System.Attribute { public LsiColumnAttribute(string name) { } }\n")]
    [InlineData("", "", "public enum LsiFormat { Isbn }\n")]
    [InlineData("", "    public sealed class DateOnly { }\n", "")]
    // An alias to another System type: the reader once took it for System.DateOnly (it checked the namespace, not the name).
    [InlineData("using DateOnly = System.DateTime;\n", "", "")]
    public void Names_read_from_syntax_mean_what_binding_makes_of_them(string usings, string extraMember, string after) =>
        AssertSyntaxGivesWhatBindingGives(usings, extraMember, after);

    private static GeneratorOutcome AssertSyntaxGivesWhatBindingGives(string usings, string extraMember, string after)
    {
        var source = "using System;\n" + usings + File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Shared", "FullLsiRow.cs"))
            .Replace("public partial class FullLsiRow\n{\n", "public partial class FullLsiRow\n{\n" + extraMember) + after;
        // A second declaration makes the parser read every member from its symbol; a constructor, the constructors.
        var end = source.LastIndexOf('}');
        var symbols = source + "\npublic partial class FullLsiRow { }\n";
        var constructor = source.Substring(0, end) + "    public FullLsiRow() { }\n" + source.Substring(end);
        Assert.NotEqual(source, constructor);

        var fromSyntax = LsiTestSources.Run(source, LsiTestSources.Template);
        foreach (var bound in new[] { symbols, constructor })
        {
            var fromSymbols = LsiTestSources.Run(bound, LsiTestSources.Template);
            Assert.Equal(
                fromSymbols.GeneratorDiagnostics.Select(d => d.ToString()),
                fromSyntax.GeneratorDiagnostics.Select(d => d.ToString()));
            Assert.Equal(fromSymbols.RunResult.GeneratedTrees.Length, fromSyntax.RunResult.GeneratedTrees.Length);
            for (var i = 0; i < fromSyntax.RunResult.GeneratedTrees.Length; i++)
            {
                Assert.Equal(fromSymbols.RunResult.GeneratedTrees[i].ToString(), fromSyntax.RunResult.GeneratedTrees[i].ToString());
            }
        }

        return fromSyntax;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        return directory!.FullName;
    }

    [Fact]
    public void Moving_a_record_down_reports_its_diagnostics_at_the_new_line_and_re_emits_nothing()
    {
        // "ISBN or SKU" as plain text raises a warning (CKPT213) located on the member's attribute.
        var source = LsiTestSources.Book.Replace(", Format = LsiFormat.Isbn)", ")");
        var compilation = GeneratorHarness.CreateCompilation(source);
        var driver = GeneratorHarness.CreateDriver([LsiTestSources.Template], new LsiRecordGenerator()).RunGenerators(compilation);
        var before = Assert.Single(driver.GetRunResult().Diagnostics);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText("\n\n\n" + source, GeneratorHarness.ParseOptions, path: "Source0.cs"));

        var result = driver.RunGenerators(edited).GetRunResult();

        // The parsed record holds the locations, so it changes; the model given to the emitter has none.
        Assert.Equal(IncrementalStepRunReason.Modified, result.Results.Single().TrackedSteps[LsiTracking.LsiRecords].Single().Outputs.Single().Reason);
        IncrementalAssert.AllCachedOrUnchanged(result, LsiTracking.LsiModels);
        var after = Assert.Single(result.Diagnostics);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 3, after.Location.GetLineSpan().StartLinePosition.Line);
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

        var step = result.Results.Single().TrackedSteps[LsiTracking.LsiRecords].Single();
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
