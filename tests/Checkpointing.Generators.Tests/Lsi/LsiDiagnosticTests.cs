extern alias LsiGenerators;

using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Tests.Lsi;

/// <summary>One test per CKPT2xx diagnostic: ID, message and the squiggled text; any other diagnostic fails.</summary>
public sealed class LsiDiagnosticTests
{
    private string source = "";

    private static Diagnostic Single(string source, params AdditionalText[] texts)
    {
        var outcome = LsiTestSources.Run(source, texts);
        var diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        return diagnostic;
    }

    private static string Squiggled(Diagnostic diagnostic, string source) =>
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    private static string Record(string members, string attribute = "[LsiRecord]", string modifiers = "public partial") => $$"""
        using Checkpointing.Lsi;
        {{attribute}}
        {{modifiers}} class Book
        {
            {{members}}
        }
        """;

    [Fact]
    public void CKPT201_type_not_partial()
    {
        var d = Single(source = Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";", modifiers: "public"));

        Assert.Equal("CKPT201", d.Id);
        Assert.Equal("Type 'Book' has [LsiRecord] but is not partial. Add the 'partial' modifier so the generator can add its CSV writer and mapper.", d.GetMessage());
        Assert.Equal("Book", Squiggled(d, source));
    }

    [Fact]
    public void CKPT202_unknown_column_with_suggestion()
    {
        var d = Single(source = Record("[LsiColumn(\"Tilte\")] public string Title { get; set; } = \"\";", "[LsiRecord(Template = \"lsi_acs_template.csv\")]"), LsiTestSources.Template);

        Assert.Equal("CKPT202", d.Id);
        Assert.Equal("Column 'Tilte' of 'Book.Title' is not in the LSI template 'lsi_acs_template.csv'. Did you mean 'Title'?", d.GetMessage());
        Assert.Equal("LsiColumn(\"Tilte\")", Squiggled(d, source));
    }

    [Fact]
    public void CKPT202_unknown_column_without_a_close_match()
    {
        var d = Single(source = Record("[LsiColumn(\"Favourite colour\")] public string Colour { get; set; } = \"\";", "[LsiRecord(Template = \"lsi_acs_template.csv\")]"), LsiTestSources.Template);

        Assert.Equal("CKPT202", d.Id);
        Assert.EndsWith("Use a column name exactly as in the template's header row.", d.GetMessage());
    }

    [Fact]
    public void CKPT203_duplicate_column()
    {
        var d = Single(source = Record("""
            [LsiColumn("Title")] public string Title { get; set; } = "";
                [LsiColumn("Title")] public string? Subtitle { get; set; }
            """));

        Assert.Equal("CKPT203", d.Id);
        Assert.Equal("Column 'Title' is mapped by both 'Title' and 'Subtitle'. Map each LSI column to one member.", d.GetMessage());
        Assert.Equal("LsiColumn(\"Title\")", Squiggled(d, source));
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void CKPT204_unsupported_member_type()
    {
        var d = Single(source = Record("[LsiColumn(\"Keywords\")] public System.Collections.Generic.List<string> Keywords { get; set; } = new();"));

        Assert.Equal("CKPT204", d.Id);
        Assert.Equal("Member 'Keywords' has type 'System.Collections.Generic.List<string>', which an LSI column cannot hold. Use string, int, long, decimal, double, bool, DateOnly or DateTime (or their nullable forms).", d.GetMessage());
        Assert.Equal("LsiColumn(\"Keywords\")", Squiggled(d, source));
    }

    [Fact]
    public void CKPT205_template_missing()
    {
        var d = Single(source = Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";", "[LsiRecord(Template = \"lsi_acs_template.csv\")]"));

        Assert.Equal("CKPT205", d.Id);
        Assert.Equal("The LSI template 'lsi_acs_template.csv' of 'Book' is not an AdditionalFiles item. Add <AdditionalFiles Include=\"lsi_acs_template.csv\" /> to the project, or remove Template to write the mapped columns only.", d.GetMessage());
        Assert.Equal("LsiRecord(Template = \"lsi_acs_template.csv\")", Squiggled(d, source));
    }

    [Theory]
    [InlineData("", "its first line is empty")]
    [InlineData("\"Title,ISBN or SKU", "column 1 of its header has an unclosed quote")]
    [InlineData("\"Title\"x,ISBN or SKU", "column 1 of its header has text after its closing quote")]
    [InlineData("Title,IS\"BN", "column 2 of its header has a quote inside an unquoted name")]
    [InlineData("Title,,ISBN or SKU", "column 2 of its header is empty")]
    [InlineData("Title,ISBN or SKU,Title", "its header has column 'Title' twice")]
    public void CKPT206_template_unreadable(string header, string reason)
    {
        var d = Single(
            source = Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";", "[LsiRecord(Template = \"bad.csv\")]"),
            new InMemoryAdditionalText("bad.csv", header));

        Assert.Equal("CKPT206", d.Id);
        Assert.Equal($"The LSI template 'bad.csv' of 'Book' cannot be used: {reason}. Its first line must be the LSI header: column names separated by commas, each bare or in double quotes.", d.GetMessage());
    }

    [Fact]
    public void CKPT207_required_on_a_non_nullable_value_type()
    {
        var outcome = LsiTestSources.Run(Record("[LsiColumn(\"Pages\", Required = true)] public int Pages { get; set; }"));

        var d = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("CKPT207", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Member 'Pages' is a Required LSI column but its type 'int' is a non-nullable value type, so it is never empty and the check can never fail. Make it 'int?' or remove Required.", d.GetMessage());
        Assert.Single(outcome.RunResult.GeneratedTrees);
    }

    [Fact]
    public void CKPT208_format_does_not_fit_the_type()
    {
        var d = Single(source = Record("[LsiColumn(\"US Suggested List Price\", Format = LsiFormat.UsdPrice)] public string Price { get; set; } = \"\";"));

        Assert.Equal("CKPT208", d.Id);
        Assert.Equal("Format LsiFormat.UsdPrice cannot be used for member 'Price' of type 'string'. Text members take Text or Isbn.", d.GetMessage());
    }

    [Fact]
    public void CKPT209_nested_type()
    {
        var d = Single(source = """
            using Checkpointing.Lsi;
            public partial class Outer
            {
                [LsiRecord]
                public partial class Book
                {
                    [LsiColumn("Title")] public string Title { get; set; } = "";
                }
            }
            """);

        Assert.Equal("CKPT209", d.Id);
        Assert.Equal("Type 'Book' has [LsiRecord] but is nested in 'Outer'. Declare it as a top-level, non-generic class.", d.GetMessage());
    }

    [Fact]
    public void CKPT210_member_not_settable()
    {
        var d = Single(source = Record("[LsiColumn(\"Title\")] public string Title { get; init; } = \"\";"));

        Assert.Equal("CKPT210", d.Id);
        Assert.Equal("Member 'Title' cannot be an LSI column: its set accessor is init-only, so a record mapper cannot fill an existing instance. Use an instance property with get and set accessors, or a non-readonly instance field.", d.GetMessage());
    }

    [Fact]
    public void CKPT211_no_columns()
    {
        var d = Single(source = Record("public string Title { get; set; } = \"\";"));

        Assert.Equal("CKPT211", d.Id);
        Assert.Equal("Type 'Book' has [LsiRecord] but no [LsiColumn] members and no template, so its rows would have no fields. Add [LsiColumn(\"...\")] to its members or set Template.", d.GetMessage());
        Assert.Equal("LsiRecord", Squiggled(d, source));
    }

    [Theory]
    [InlineData("public abstract partial", "", "is abstract")]
    [InlineData("public partial", "public Book(string title) => Title = title;", "has no parameterless constructor")]
    public void CKPT212_type_cannot_be_created(string modifiers, string constructor, string reason)
    {
        var d = Single(source = Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";\n    " + constructor, modifiers: modifiers));

        Assert.Equal("CKPT212", d.Id);
        Assert.Equal($"Type 'Book' has [LsiRecord] but {reason}, so the generated mapper cannot create records when reading. Make it a non-abstract class with a parameterless constructor (any accessibility).", d.GetMessage());
        Assert.Equal("Book", Squiggled(d, source));
    }

    [Fact]
    public void CKPT213_isbn_column_without_a_format()
    {
        var outcome = LsiTestSources.Run(source = Record("[LsiColumn(\"Parent ISBN\")] public string? ParentIsbn { get; set; }"));

        var d = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("CKPT213", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Column 'Parent ISBN' looks like an ISBN but member 'Book.ParentIsbn' has no Format, so its check digit is never validated. Add Format = LsiFormat.Isbn, or Format = LsiFormat.Text if it holds a SKU.", d.GetMessage());
        Assert.Equal("LsiColumn(\"Parent ISBN\")", Squiggled(d, source));
        Assert.Single(outcome.RunResult.GeneratedTrees);
    }

    [Theory]
    [InlineData("LsiFormat.Isbn")]
    [InlineData("LsiFormat.Text")]
    public void CKPT213_is_silenced_by_naming_a_format(string format)
    {
        var outcome = LsiTestSources.Run(Record($"[LsiColumn(\"ISBN or SKU\", Format = {format})] public string Isbn {{ get; set; }} = \"\";"));

        Assert.Empty(outcome.GeneratorDiagnostics);
    }

    [Theory]
    [InlineData("[LsiUnmappedColumns] public System.Collections.Generic.IDictionary<string, string> Extra { get; set; } = new System.Collections.Generic.Dictionary<string, string>();", "its type is 'System.Collections.Generic.IDictionary<string, string>'")]
    [InlineData("[LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string> Extra { get; } = new();", "it needs get and set accessors (not init) so the mapper can fill it")]
    [InlineData("[LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, object> Extra { get; set; } = new();", "its type is 'System.Collections.Generic.Dictionary<string, object>'")]
    public void CKPT214_unmapped_columns_member_of_the_wrong_shape(string member, string reason)
    {
        var d = Single(source = Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";\n    " + member, "[LsiRecord(Template = LsiTemplates.Acs)]"));

        Assert.Equal("CKPT214", d.Id);
        Assert.Equal($"Member 'Extra' has [LsiUnmappedColumns] but {reason}. Declare it as 'public Dictionary<string, string> Extra {{ get; set; }} = new();'.", d.GetMessage());
        Assert.Equal("LsiUnmappedColumns", Squiggled(d, source));
    }

    [Fact]
    public void CKPT215_two_unmapped_columns_members()
    {
        var d = Single(source = Record("""
            [LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string> Extra { get; set; } = new();
                [LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string> More { get; set; } = new();
            """, "[LsiRecord(Template = LsiTemplates.Acs)]"));

        Assert.Equal("CKPT215", d.Id);
        Assert.Equal("Type 'Book' has [LsiUnmappedColumns] on both 'Extra' and 'More'. Keep it on one member.", d.GetMessage());
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void CKPT216_unmapped_columns_without_a_template()
    {
        var d = Single(source = Record("""
            [LsiColumn("Title")] public string Title { get; set; } = "";
                [LsiUnmappedColumns] public System.Collections.Generic.Dictionary<string, string> Extra { get; set; } = new();
            """));

        Assert.Equal("CKPT216", d.Id);
        Assert.Equal("Member 'Extra' has [LsiUnmappedColumns] but 'Book' has no template, so it has no unmapped columns to keep. Set [LsiRecord(Template = ...)] (LsiTemplates.Acs or an AdditionalFiles header), or remove the member.", d.GetMessage());
        Assert.Equal("LsiUnmappedColumns", Squiggled(d, source));
    }

    [Fact]
    public void The_built_in_ACS_template_checks_column_names_without_an_additional_file()
    {
        var d = Single(source = Record("[LsiColumn(\"Reserved1\")] public string? Reserved { get; set; }", "[LsiRecord(Template = LsiTemplates.Acs)]"));

        Assert.Equal("CKPT202", d.Id);
        Assert.Equal("Column 'Reserved1' of 'Book.Reserved' is not in the LSI template 'builtin:lsi-acs-119'. Did you mean 'Reserved 1'?", d.GetMessage());
    }

    [Fact]
    public void A_fully_quoted_header_as_LSI_writes_it_is_a_template()
    {
        var outcome = LsiTestSources.Run(
            Record("[LsiColumn(\"Title\")] public string Title { get; set; } = \"\";", "[LsiRecord(Template = \"quoted.csv\")]"),
            new InMemoryAdditionalText("quoted.csv", "\"ISBN or SKU\",\"Title\",\"Say \"\"hi\"\"\"\r\n"));

        Assert.Empty(outcome.GeneratorDiagnostics);
        var generated = Assert.Single(outcome.RunResult.GeneratedTrees).ToString();
        // The header names the columns in LsiColumns, which the generated writer's WriteHeader loops over.
        Assert.Contains("new(\"Say \\\"hi\\\"\", null, global::Checkpointing.Lsi.LsiFormat.Default, false),", generated);
    }

    [Fact]
    public void Every_descriptor_of_the_LSI_generators_has_a_docs_page_and_a_release_entry()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Generators.sln")))
        {
            root = root.Parent!;
        }

        var unshipped = File.ReadAllText(Path.Combine(root.FullName, "src", "Checkpointing.Lsi.Generators", "AnalyzerReleases.Unshipped.md"));
        var ids = typeof(LsiGenerators::Checkpointing.Generators.Lsi.LsiRecordGenerator).Assembly.GetType("Checkpointing.Generators.Diagnostics.DiagnosticDescriptors")!
            .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)
            .Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>()
            .ToList();

        // CKPT201-217, and CKPT120-122 and CKPT124 of [CumulativeCsv] (IDs given when it was a [Checkpointed] setting).
        Assert.Equal(21, ids.Count);
        Assert.Equal(ids.Count, ids.Select(d => d.Id).Distinct().Count());
        foreach (var descriptor in ids)
        {
            var page = Path.Combine(root.FullName, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no docs page {page}");
            var text = File.ReadAllText(page);
            Assert.Contains("## Invalid", text);
            Assert.Contains("## Fixed", text);
            Assert.Contains(descriptor.Id + " |", unshipped);
            Assert.EndsWith("docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri);
        }
    }
}
