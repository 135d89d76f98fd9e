extern alias LsiGenerators;

using System.Text;
using Checkpointing.Generators.Checkpointed;
using LsiGenerators::Checkpointing.Generators.CumulativeCsv;
using LsiGenerators::Checkpointing.Generators.Lsi;
using Checkpointing.Generators.Tests.Infrastructure;
using Checkpointing.Generators.Tests.Lsi;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Shared;

/// <summary>
/// The syntax-keyed cache of <c>AttributeTargets</c> is sound: after each kind of edit in a file other than the
/// stage's or the record's, a warm driver (which keeps what it can) generates exactly what a new driver generates on the
/// same compilation. Each edit changes the output (checked), so a stale cache entry fails the test.
/// </summary>
public sealed class AttributeTargetsTests
{
    private const string Stage = """
        namespace MyApp.Pipeline
        {
            [Checkpointed("ocr", JsonContext = typeof(PipelineJson))]
            public partial class OcrStage
            {
                [ProcessItem]
                public Task<PageText> OcrAsync(Page page, ItemContext context) => Task.FromResult(new PageText());
            }

            [JsonSerializable(typeof(PageText))]
            public partial class PipelineJson : JsonSerializerContext { }
        }
        """;

    private const string Models = """
        namespace MyApp.Pipeline
        {
            public sealed record Page([property: CheckpointKey] string Id, string Name);
            public sealed class PageText { [Required] public string Text { get; set; } = ""; }
        }
        """;

    // The item in its own namespace, MyApp.Models.
    private const string ModelsElsewhere = """
        namespace MyApp.Models
        {
            public sealed record Page([property: CheckpointKey] string Id, string Name);
        }
        namespace MyApp.Pipeline
        {
            public sealed class PageText { [Required] public string Text { get; set; } = ""; }
        }
        """;

    private const string Unrelated = """
        namespace MyApp.Other
        {
            public static class Helper { public static int Twice(int value) => value * 2; }
        }
        """;

    [Fact]
    public void The_item_key_moved_to_another_member_in_another_file()
    {
        AssertWarmMatchesCold(
            [Usings + Stage, Usings + Models, Usings + Unrelated],
            1,
            Usings + Models.Replace("[property: CheckpointKey] string Id, string Name", "string Id, [property: CheckpointKey] string Name"));
    }

    [Fact]
    public void The_item_key_comes_from_a_base_record_in_a_third_file()
    {
        const string models = """
            namespace MyApp.Pipeline
            {
                public sealed record Page(string Id, string Name) : PageBase(Id);
                public sealed class PageText { [Required] public string Text { get; set; } = ""; }
            }
            """;
        const string baseRecord = """
            namespace MyApp.Pipeline
            {
                public abstract record PageBase([property: CheckpointKey] string Id);
            }
            """;
        AssertWarmMatchesCold(
            [Usings + Stage, Usings + models, Usings + baseRecord, Usings + Unrelated],
            2,
            Usings + baseRecord.Replace("[property: CheckpointKey] string Id", "string Id"));
    }

    [Fact]
    public void A_validation_rule_on_the_output_type_changes_in_another_file()
    {
        AssertWarmMatchesCold(
            [Usings + Stage, Usings + Models, Usings + Unrelated],
            1,
            Usings + Models.Replace("[Required] public string Text", "[Required, StringLength(40)] public string Text"));
    }

    [Fact]
    public void A_constant_used_as_the_stage_name_changes_in_another_file()
    {
        const string names = """
            namespace MyApp.Pipeline
            {
                public static class StageNames { public const string Ocr = "ocr"; }
            }
            """;
        AssertWarmMatchesCold(
            [Usings + Stage.Replace("[Checkpointed(\"ocr\"", "[Checkpointed(StageNames.Ocr"), Usings + Models, Usings + names],
            2,
            Usings + names.Replace("\"ocr\"", "\"page-ocr\""));
    }

    [Fact]
    public void A_new_type_in_another_file_shadows_the_item_type()
    {
        // The stage's own namespace wins over its using directive: the new Page is the item type from now on.
        AssertWarmMatchesCold(
            ["using MyApp.Models;\n" + Usings + Stage, Usings + ModelsElsewhere, Usings + Unrelated],
            2,
            Usings + Unrelated + "\nnamespace MyApp.Pipeline { public sealed record Page([property: CheckpointKey] int Number); }\n");
    }

    [Fact]
    public void A_new_attribute_class_in_another_file_shadows_Checkpointed()
    {
        AssertWarmMatchesCold(
            [Usings + Stage, Usings + Models, Usings + Unrelated],
            2,
            Usings + Unrelated + "\nnamespace MyApp.Pipeline { public sealed class CheckpointedAttribute : System.Attribute { public CheckpointedAttribute(string name) { } public System.Type? JsonContext { get; set; } } }\n");
    }

    [Fact]
    public void A_global_alias_in_another_file_changes_what_a_name_means()
    {
        const string models = """
            namespace MyApp.Pipeline
            {
                public sealed record Page([property: CheckpointKey] string Id, string Name);
                public sealed record Leaf([property: CheckpointKey] int Number);
                public sealed class PageText { [Required] public string Text { get; set; } = ""; }
            }
            """;
        AssertWarmMatchesCold(
            [Usings + Stage.Replace("OcrAsync(Page page", "OcrAsync(Item page"), Usings + models, "global using Item = MyApp.Pipeline.Page;\n"],
            2,
            "global using Item = MyApp.Pipeline.Leaf;\n");
    }

    [Fact]
    public void A_global_alias_of_the_attribute_in_another_file_finds_the_stage_and_removing_it_drops_the_stage()
    {
        AssertWarmMatchesCold(
            [Usings + Stage.Replace("[Checkpointed(", "[Stage("), Usings + Models, "global using StageAttribute = Checkpointing.CheckpointedAttribute;\n"],
            2,
            "// no alias any more\n");
    }

    [Fact]
    public void A_new_namespace_in_another_file_changes_what_a_qualified_name_means()
    {
        // Inside MyApp.Pipeline, "Models.Page" found MyApp.Models.Page; a namespace MyApp.Pipeline.Models hides it.
        AssertWarmMatchesCold(
            [Usings + Stage.Replace("OcrAsync(Page page", "OcrAsync(Models.Page page"), Usings + ModelsElsewhere, Usings + Unrelated],
            2,
            Usings + Unrelated + "\nnamespace MyApp.Pipeline.Models { internal static class Marker { } }\n");
    }

    [Fact]
    public void The_process_method_moves_into_another_partial_declaration_in_another_file()
    {
        const string stage = """
            namespace MyApp.Pipeline
            {
                [Checkpointed("ocr", JsonContext = typeof(PipelineJson))]
                public partial class OcrStage { }

                [JsonSerializable(typeof(PageText))]
                public partial class PipelineJson : JsonSerializerContext { }
            }
            """;
        const string part = """
            namespace MyApp.Pipeline
            {
                public partial class OcrStage
                {
                    public Task<PageText> OcrAsync(Page page, ItemContext context) => Task.FromResult(new PageText());
                }
            }
            """;
        AssertWarmMatchesCold(
            [Usings + stage, Usings + Models, Usings + part],
            2,
            Usings + part.Replace("public Task<PageText>", "[ProcessItem] public Task<PageText>"));
    }

    [Fact]
    public void A_reference_goes_away()
    {
        // Without System.ComponentModel.Annotations, [Required] binds to nothing: the output type has no rule left.
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Models, Usings + Unrelated);
        var annotations = compilation.References.Single(r => Path.GetFileName(r.Display) == "System.ComponentModel.Annotations.dll");
        AssertWarmMatchesCold(compilation, compilation.RemoveReferences(annotations), [new CheckpointedGenerator(), new CumulativeCsvGenerator()], additionalTexts: null);
    }

    [Fact]
    public void An_LSI_record_date_format_constant_changes_in_another_file()
    {
        const string record = """
            using Checkpointing.Lsi;
            namespace MyApp.Books
            {
                [LsiRecord(DateFormat = Formats.Date)]
                public partial class BookRow
                {
                    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
                    [LsiColumn("Pub Date")] public System.DateOnly? PubDate { get; set; }
                }
            }
            """;
        const string formats = """
            namespace MyApp.Books
            {
                internal static class Formats { public const string Date = "yyyy-MM-dd"; }
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(record, formats, Unrelated);
        AssertWarmMatchesCold(compilation, GeneratorHarness.Replace(compilation, 1, formats.Replace("yyyy-MM-dd", "yyyyMMdd")), [new LsiRecordGenerator()], [LsiTestSources.Template]);
    }

    [Fact]
    public void An_unrelated_edit_binds_nothing_again_and_an_edit_in_the_stage_file_binds_only_that_stage()
    {
        // Names of its own: a file that declares a type named like one a stage mentions is in that stage's key.
        var second = Stage.Replace("MyApp.Pipeline", "MyApp.Second").Replace("\"ocr\"", "\"second\"").Replace("OcrStage", "SecondStage").Replace("PipelineJson", "SecondJson").Replace("Page page", "MyApp.Pipeline.Page page")
            .Replace("Task<PageText>", "Task<MyApp.Pipeline.PageText>").Replace("new PageText()", "new MyApp.Pipeline.PageText()").Replace("typeof(PageText)", "typeof(MyApp.Pipeline.PageText)");
        var compilation = GeneratorHarness.CreateCompilation(Usings + Stage, Usings + Models, Usings + second, Usings + Unrelated);
        var driver = GeneratorHarness.CreateDriver(null, new CheckpointedGenerator()).RunGenerators(compilation);

        driver = driver.RunGenerators(GeneratorHarness.Replace(compilation, 3, Usings + Unrelated.Replace("value * 2", "value + value")));
        Assert.Equal(0, Bound(driver));

        driver = driver.RunGenerators(GeneratorHarness.Replace(compilation, 2, Usings + second + "\n// edited\n"));
        Assert.Equal(1, Bound(driver));

        // The models file is in both stages' keys: an edit there binds both again.
        driver = driver.RunGenerators(GeneratorHarness.Replace(compilation, 1, Usings + Models + "\n// edited\n"));
        Assert.Equal(2, Bound(driver));
    }

    // How many targets the last run bound again (the parse step's outputs that are not Cached).
    private static int Bound(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.CheckpointedParse]
            .Count(step => step.Outputs.Any(o => o.Reason is not IncrementalStepRunReason.Cached));

    private static void AssertWarmMatchesCold(string[] sources, int edited, string text)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources);
        AssertWarmMatchesCold(compilation, GeneratorHarness.Replace(compilation, edited, text), [new CheckpointedGenerator(), new CumulativeCsvGenerator()], additionalTexts: null);
    }

    private static void AssertWarmMatchesCold(Compilation before, Compilation after, IIncrementalGenerator[] generators, AdditionalText[]? additionalTexts)
    {
        var warm = GeneratorHarness.CreateDriver(additionalTexts, generators).RunGenerators(before);
        var first = Render(warm.GetRunResult());
        var warmAfter = Render(warm.RunGenerators(after).GetRunResult());
        var coldAfter = Render(GeneratorHarness.CreateDriver(additionalTexts, generators).RunGenerators(after).GetRunResult());

        Assert.NotEqual(first, coldAfter); // the edit matters: a cache that kept the old result would show it
        Assert.Equal(coldAfter, warmAfter);
    }

    // Every generated file (name and text) and every diagnostic (id, place, message), in a stable order.
    private static string Render(GeneratorDriverRunResult result)
    {
        var text = new StringBuilder();
        foreach (var source in result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            text.Append("// ").AppendLine(source.HintName).AppendLine(source.SourceText.ToString());
        }

        foreach (var diagnostic in result.Diagnostics.Select(d => d.ToString()).OrderBy(d => d, StringComparer.Ordinal))
        {
            text.AppendLine(diagnostic);
        }

        return text.ToString();
    }
}

/// <summary>The names a file mentions, which decide which other files a target's key holds.</summary>
public sealed class DeclarationScanTests
{
    private static string[] Mentioned(string source) =>
        Checkpointing.Generators.Shared.DeclarationScan.Scan(CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions), CancellationToken.None)
            .GetMentioned(CancellationToken.None);

    [Fact]
    public void Names_in_declarations_count_and_names_only_in_member_bodies_do_not()
    {
        var names = Mentioned("""
            [Marker(Limits.Max)]
            public sealed class Stage : StageBase<Item>
            {
                public Result Process(Input input) { var helper = new BodyOnly(); return helper.Run(); }
                public Other Value => new ExpressionBodyOnly();
                public Prop P { get { return new AccessorOnly(); } }
            }
            """);

        Assert.Subset(new HashSet<string>(names), new HashSet<string> { "Marker", "Limits", "Max", "Stage", "StageBase", "Item", "Result", "Input", "Other", "Prop" });
        Assert.DoesNotContain("BodyOnly", names);
        Assert.DoesNotContain("ExpressionBodyOnly", names);
        Assert.DoesNotContain("AccessorOnly", names);
    }

    [Fact]
    public void A_name_spelled_with_a_unicode_escape_or_a_formatting_character_is_read_as_the_compiler_reads_it()
    {
        Assert.Contains("Page", Mentioned("public sealed class Stage { public P\\u0061ge Item { get; set; } }"));
        Assert.Contains("Page", Mentioned("public sealed class Stage { public Pa\u200Bge Item { get; set; } }"));
    }
}
