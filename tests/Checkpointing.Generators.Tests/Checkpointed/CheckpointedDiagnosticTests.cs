using Checkpointing.Generators.Checkpointed;
using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>
/// One test per diagnostic: the ID, the exact message and the marked span <c>[|...|]</c>; any other
/// diagnostic of the generator fails the test.
/// </summary>
public sealed class CheckpointedDiagnosticTests
{
    private const string Output = "public sealed class Out { public int Value { get; set; } }\n";

    [Fact]
    public void CKPT101_class_not_partial()
    {
        var outcome = AssertDiagnostics(Output + """
            [Checkpointed("ocr")]
            public class [|OcrStage|]
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT101", "The [Checkpointed] class 'OcrStage' must be partial so that the generator can add its members; add the 'partial' modifier"));
        Assert.Empty(outcome.RunResult.GeneratedTrees);
    }

    [Fact]
    public void CKPT102_containing_type_not_partial()
    {
        AssertDiagnostics(Output + """
            public class [|Outer|]
            {
                [Checkpointed("ocr")]
                public partial class OcrStage
                {
                    [ProcessItem] public Out Process(int page) => new();
                }
            }
            """,
            ("CKPT102", "The type 'Outer' contains the [Checkpointed] class 'Outer.OcrStage' and must be partial too; add the 'partial' modifier to 'Outer'"));
    }

    [Fact]
    public void CKPT103_no_process_item_method()
    {
        AssertDiagnostics(Output + """
            [Checkpointed("ocr")]
            public partial class [|OcrStage|]
            {
                public Out Process(int page) => new();
            }
            """,
            ("CKPT103", "The [Checkpointed] class 'OcrStage' has no [ProcessItem] method; mark the method that processes one item with [ProcessItem]"));
    }

    [Fact]
    public void CKPT104_several_process_item_methods()
    {
        AssertDiagnostics(Output + """
            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem] public Out First(int page) => new();
                [ProcessItem] public Out [|Second|](int page) => new();
            }
            """,
            ("CKPT104", "The [Checkpointed] class 'OcrStage' has several [ProcessItem] methods ('First' and 'Second'); keep the attribute on exactly one"));
    }

    [Theory]
    [InlineData("Out [|Process|](int page, CancellationToken ct, ItemContext context) => new();", "parameter 'context' is neither an ItemContext nor a CancellationToken in the expected order")]
    [InlineData("Out [|Process|]() => new();", "it takes 0 parameters")]
    [InlineData("Out [|Process|](ItemContext context) => new();", "the first parameter must be the item")]
    [InlineData("Out [|Process|](ref int page) => new();", "parameter 'page' is passed by reference")]
    [InlineData("Out [|Process|]<T>(int page) => new();", "it is generic")]
    public void CKPT105_unsupported_process_item_signature(string method, string problem)
    {
        AssertDiagnostics(Output + $$"""
            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem] public {{method}}
            }
            """,
            ("CKPT105", $"The [ProcessItem] method 'Process' has an unsupported signature: {problem}; use 'T|Task<T>|ValueTask<T> Process(TItem item[, ItemContext context][, CancellationToken cancellationToken])'"));
    }

    [Fact]
    public void CKPT106_item_type_without_key()
    {
        AssertDiagnostics(Output + """
            public sealed class Book { public string Isbn { get; set; } = ""; }

            [Checkpointed("books")]
            public partial class BookStage
            {
                [ProcessItem] public Out Process(Book [|book|]) => new();
            }
            """,
            ("CKPT106", "The item type 'Book' of stage 'BookStage' has no key; use a string, int, long or Guid item, or mark one property of 'Book' with [CheckpointKey]"));
    }

    [Fact]
    public void CKPT107_several_checkpoint_keys()
    {
        AssertDiagnostics(Output + """
            public sealed class Book
            {
                [CheckpointKey] public string Isbn { get; set; } = "";
                [CheckpointKey] public int [|Number|] { get; set; }
            }

            [Checkpointed("books")]
            public partial class BookStage
            {
                [ProcessItem] public Out Process(Book book) => new();
            }
            """,
            ("CKPT107", "The item type 'Book' has several [CheckpointKey] members ('Isbn' and 'Number'); keep the attribute on exactly one"));
    }

    [Fact]
    public void CKPT108_unsupported_key_type()
    {
        AssertDiagnostics(Output + """
            public sealed class Book { [CheckpointKey] public DateTime [|Published|] { get; set; } }

            [Checkpointed("books")]
            public partial class BookStage
            {
                [ProcessItem] public Out Process(Book book) => new();
            }
            """,
            ("CKPT108", "The [CheckpointKey] member 'Book.Published' has type 'System.DateTime'; a key must be a string, int, long or Guid"));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("a/b", "it contains a path separator")]
    [InlineData("..", "it names a directory")]
    [InlineData("a..b", "it contains '..'")]
    [InlineData("CON", "'CON' is a device name Windows reserves")]
    [InlineData("ocr.", "it starts with a space or ends with a space or a dot")]
    [InlineData("a:b", "it contains ':', which Windows file names cannot hold")]
    public void CKPT109_stage_name_not_a_file_name(string name, string problem)
    {
        AssertDiagnostics(Output + $$"""
            [Checkpointed([|"{{name}}"|])]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT109", $"The stage name \"{name}\" of 'OcrStage' cannot be used as a file name: {problem}; choose a short name such as \"ocr\""));
    }

    [Fact]
    public void CKPT109_control_characters_are_shown_escaped()
    {
        AssertDiagnostics(Output + """
            [Checkpointed([|"o\tcr"|])]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT109", "The stage name \"o\\u0009cr\" of 'OcrStage' cannot be used as a file name: it contains a control character; choose a short name such as \"ocr\""));
    }

    [Fact]
    public void CKPT110_output_directory_not_a_folder_name()
    {
        AssertDiagnostics(Output + """
            [Checkpointed("ocr", OutputDirectory = [|"../elsewhere"|])]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT110", "The OutputDirectory \"../elsewhere\" of 'OcrStage' cannot be used as a folder name: it contains a path separator; use a single folder name such as \"ocr\""));
    }

    private const string Context = """
        [JsonSerializable(typeof(Out))]
        public sealed class Ctx : JsonSerializerContext
        {
            public Ctx() : base(null) { }
            public static Ctx Default { get; } = new();
            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        """;

    [Theory]
    [InlineData("\"OCR\", OutputDirectory = \"pages\"", "stage name", "OCR", "checkpoint")]
    [InlineData("\"fix\", OutputDirectory = \"ocr\"", "output folder", "ocr", "outputs")]
    public void CKPT111_two_stages_share_a_stage_name_or_an_output_folder(string arguments, string what, string value, string files)
    {
        var first = Usings + Output + Context + """
            [Checkpointed("ocr", JsonContext = typeof(Ctx))]
            public partial class FirstStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }

            [Checkpointed("other", OutputDirectory = "elsewhere", JsonContext = typeof(Ctx))]
            public partial class UnrelatedStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """;
        var attribute = $"global::Checkpointing.Checkpointed({arguments}, JsonContext = typeof(global::Ctx))";
        var second = $$"""
            namespace Later
            {
                [{{attribute}}]
                public partial class SecondStage
                {
                    [global::Checkpointing.ProcessItem] public global::Out Process(int page) => new();
                }
            }
            """;
        var outcome = GeneratorHarness.Run(new CheckpointedGenerator(), [first, second]);
        var diagnostic = Assert.Single(outcome.RunResult.Diagnostics);
        Assert.Equal("CKPT111", diagnostic.Id);
        Assert.Equal($"The stages 'FirstStage' and 'Later.SecondStage' both use the {what} \"{value}\", so in one run they would overwrite each other's {files}; give one of them another {what}", diagnostic.GetMessage());
        Assert.Equal("Source1.cs", diagnostic.Location.GetLineSpan().Path);
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal(attribute, second.Substring(span.Start, span.Length));
        Assert.Equal(3, outcome.RunResult.GeneratedTrees.Length);
    }

    [Theory]
    [InlineData("object", "'object' says nothing about the shape to save", "object")]
    [InlineData("IDisposable", "it is an interface, which JSON cannot create on resume", "System.IDisposable")]
    [InlineData("Task", "the method returns no output", "System.Threading.Tasks.Task")]
    [InlineData("void", "the method returns no output", "void")]
    [InlineData("Base", "it is abstract, which JSON cannot create on resume", "Base")]
    [InlineData("List<T>", "it depends on a type parameter, which is only known at run time", "System.Collections.Generic.List<T>")]
    public void CKPT112_output_type_not_serializable(string returnType, string reason, string shown)
    {
        AssertDiagnostics($$"""
            public abstract class Base { }

            [Checkpointed("ocr")]
            public partial class OcrStage<T>
            {
                [ProcessItem] public [|{{returnType}}|] Process(int page) => throw new InvalidOperationException();
            }
            """,
            ("CKPT112", $"The output type '{shown}' of [ProcessItem] method 'Process' cannot be saved as JSON: {reason}; return a concrete class, record or struct"));
    }

    [Fact]
    public void CKPT113_reflection_json_is_an_info_and_the_stage_is_still_generated()
    {
        var outcome = AssertDiagnostics(Output + """
            [[|Checkpointed("ocr")|]]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT113", "Stage 'ocr' serializes 'Out' with reflection-based System.Text.Json, which is not trim- or AOT-safe; add a JsonSerializerContext with [JsonSerializable(typeof(Out))] and set JsonContext = typeof(YourContext) on [Checkpointed]"));
        Assert.Equal(DiagnosticSeverity.Info, outcome.RunResult.Diagnostics[0].Severity);
        Assert.Single(outcome.RunResult.GeneratedTrees);
    }

    [Fact]
    public void CKPT114_json_context_without_the_output_type()
    {
        AssertDiagnostics(Output + """
            [JsonSerializable(typeof(string))]
            public sealed class Ctx : JsonSerializerContext
            {
                public Ctx() : base(null) { }
                public static Ctx Default { get; } = new();
                protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
                public override JsonTypeInfo? GetTypeInfo(Type type) => null;
            }

            [Checkpointed("ocr", JsonContext = [|typeof(Ctx)|])]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT114", "The JsonContext 'Ctx' of stage 'ocr' has no [JsonSerializable(typeof(Out))]; add that attribute to 'Ctx', or the stage fails when it starts"));
    }

    [Fact]
    public void CKPT115_json_context_that_is_not_a_context()
    {
        AssertDiagnostics(Output + """
            public sealed class NotAContext { }

            [Checkpointed("ocr", JsonContext = [|typeof(NotAContext)|])]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT115", "The JsonContext 'NotAContext' of stage 'ocr' does not derive from System.Text.Json.Serialization.JsonSerializerContext; declare 'partial class NotAContext : JsonSerializerContext' with [JsonSerializable(typeof(TOutput))]"));
    }

    [Theory]
    [InlineData("bool [|Check|](int other) => true;", "it must take exactly one parameter of the output type 'Out'")]
    [InlineData("string [|Check|](Out output) => \"\";", "it returns 'string'")]
    [InlineData("bool [|Check|]<T>(Out output) => true;", "it is generic")]
    public void CKPT116_unsupported_validate_output_signature(string method, string problem)
    {
        AssertDiagnostics(Output + $$"""
            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
                [ValidateOutput] public {{method}}
            }
            """,
            ("CKPT116", $"The [ValidateOutput] method 'Check' has an unsupported signature: {problem}; use 'IEnumerable<string> Check(Out output)' or 'bool Check(Out output)'"));
    }

    [Fact]
    public void CKPT117_several_validate_output_methods()
    {
        AssertDiagnostics(Output + """
            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
                [ValidateOutput] public bool First(Out output) => true;
                [ValidateOutput] public bool [|Second|](Out output) => true;
            }
            """,
            ("CKPT117", "The [Checkpointed] class 'OcrStage' has several [ValidateOutput] methods ('First' and 'Second'); merge them into one"));
    }

    [Fact]
    public void CKPT118_static_stage_class()
    {
        AssertDiagnostics(Output + """
            [Checkpointed("ocr")]
            public static partial class [|OcrStage|]
            {
                [ProcessItem] public static Out Process(int page) => new();
            }
            """,
            ("CKPT118", "The [Checkpointed] class 'OcrStage' is static, but stages are run through an instance; remove the 'static' modifier"));
    }

    [Fact]
    public void CKPT119_validation_attribute_that_is_not_generated_is_a_warning_and_the_stage_is_still_generated()
    {
        var outcome = AssertDiagnostics("""
            public sealed class Out
            {
                [[|EmailAddress|]] public string? Email { get; set; }
                [[|Range(1, 5)|]] public string? Grade { get; set; }
            }

            [JsonSerializable(typeof(Out))]
            public sealed class Ctx : JsonSerializerContext
            {
                public Ctx() : base(null) { }
                public static Ctx Default { get; } = new();
                protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
                public override JsonTypeInfo? GetTypeInfo(Type type) => null;
            }

            [Checkpointed("ocr", JsonContext = typeof(Ctx))]
            public partial class OcrStage
            {
                [ProcessItem] public Out Process(int page) => new();
            }
            """,
            ("CKPT119", "[EmailAddress] on 'Email' is not checked by the generated validator: only Required, Range, StringLength, MinLength, MaxLength and RegularExpression are generated; move the rule into a [ValidateOutput] method"),
            ("CKPT119", "[Range] on 'Grade' is not checked by the generated validator: Range is generated for numeric members only; move the rule into a [ValidateOutput] method"));
        Assert.Single(outcome.RunResult.GeneratedTrees);
    }

    private const string CsvContext = """
        [JsonSerializable(typeof(Row))]
        public sealed class Ctx : JsonSerializerContext
        {
            public Ctx() : base(null) { }
            public static Ctx Default { get; } = new();
            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        """;

    [Fact]
    public void CKPT120_cumulative_csv_output_without_a_row_key()
    {
        var outcome = AssertDiagnostics(CsvContext + """
            [Checkpointing.Lsi.LsiRecord]
            public partial class Row
            {
                [Checkpointing.Lsi.LsiColumn("Title")] public string Title { get; set; } = "";
            }

            [Checkpointed("lsi", JsonContext = typeof(Ctx))]
            [Checkpointing.Csv.CumulativeCsv([|"nimble"|])]
            public partial class LsiStage
            {
                [ProcessItem] public Row Process(string isbn) => new();
            }
            """,
            ("CKPT120", "Stage 'lsi' appends its outputs to the cumulative CSV of imprint 'nimble', but the output type 'Row' has no row key, so a resumed run could not replace a redone book's row; mark its key property [CheckpointKey] or map its ISBN with [LsiColumn(\"ISBN or SKU\")]"));
        // The stage itself is generated (by the [Checkpointed] generator); its CSV members are not.
        Assert.DoesNotContain(outcome.RunResult.GeneratedTrees, t => t.FilePath.EndsWith(".CumulativeCsv.g.cs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nimble/books", "it contains a path separator")]
    [InlineData("", "it is empty")]
    public void CKPT121_imprint_that_cannot_be_part_of_a_file_name(string imprint, string problem)
    {
        var outcome = AssertDiagnostics(CsvContext + $$"""
            [Checkpointing.Lsi.LsiRecord]
            public partial class Row
            {
                [Checkpointing.Lsi.LsiColumn("ISBN or SKU")] public string Isbn { get; set; } = "";
            }

            [Checkpointed("lsi", JsonContext = typeof(Ctx))]
            [Checkpointing.Csv.CumulativeCsv([|"{{imprint}}"|])]
            public partial class LsiStage
            {
                [ProcessItem] public Row Process(string isbn) => new();
            }
            """,
            ("CKPT121", $"The [CumulativeCsv] imprint \"{imprint}\" of stage 'lsi' cannot be part of the checkpoint file name: {problem}; use letters, digits, '-' and '_'"));
        // The stage itself is generated (by the [Checkpointed] generator); its CSV members are not.
        Assert.DoesNotContain(outcome.RunResult.GeneratedTrees, t => t.FilePath.EndsWith(".CumulativeCsv.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void CKPT122_cumulative_csv_output_that_is_not_a_csv_record()
    {
        var outcome = AssertDiagnostics(CsvContext + """
            public sealed class Row { [CheckpointKey] public string Isbn { get; set; } = ""; }

            [Checkpointed("lsi", JsonContext = typeof(Ctx))]
            [Checkpointing.Csv.CumulativeCsv([|"nimble"|])]
            public partial class LsiStage
            {
                [ProcessItem] public Row Process(string isbn) => new();
            }
            """,
            ("CKPT122", "Stage 'lsi' has [CumulativeCsv], but its output type 'Row' is neither an [LsiRecord] nor a [CsvRecord] type, so it has no CSV row to append; mark 'Row' [LsiRecord] or remove the attribute"));
        // The stage itself is generated (by the [Checkpointed] generator); its CSV members are not.
        Assert.DoesNotContain(outcome.RunResult.GeneratedTrees, t => t.FilePath.EndsWith(".CumulativeCsv.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void CKPT217_cumulative_csv_on_a_class_that_is_not_a_stage()
    {
        var outcome = AssertDiagnostics(CsvContext + """
            [Checkpointing.Lsi.LsiRecord]
            public partial class Row
            {
                [Checkpointing.Lsi.LsiColumn("ISBN or SKU")] public string Isbn { get; set; } = "";
            }

            [Checkpointing.Csv.CumulativeCsv([|"nimble"|])]
            public partial class RowBuilder
            {
                public Row Build(string isbn) => new() { Isbn = isbn };
            }
            """,
            ("CKPT217", "The class 'RowBuilder' has [CumulativeCsv] but not [Checkpointed], so no stage appends to the CSV; add [Checkpointed(\"name\")] or remove the attribute"));
        Assert.Empty(outcome.RunResult.GeneratedTrees);
    }

    [Theory]
    [InlineData("[Checkpointed] public partial class A { }")]
    [InlineData("[Checkpointed(42)] public partial class A { [ProcessItem] public Out P(int i) => new(); }")]
    [InlineData("[Checkpointed(\"x\")] public partial class A { [ProcessItem] public Missing P(int i) => new(); }")]
    [InlineData("[Checkpointed(\"x\")] public partial class A { [ProcessItem] public Out P(Missing i) => new(); }")]
    [InlineData("[Checkpointed(\"x\")] public partial struct S { [ProcessItem] public Out P(int i) => new(); }")]
    [InlineData("[Checkpointed(\"x\", JsonContext = typeof(Missing))] public partial class A { [ProcessItem] public Out P(int i) => new(); }")]
    [InlineData("[Checkpointed(\"x\")] public partial class A { [ProcessItem] public Out P(int i) => ")]
    [InlineData("[Checkpointed(\"x\")] public partial class A { [ProcessItem] public Out P(int i) => new(); } [Checkpointed(\"y\")] public partial class A { }")]
    public void Malformed_code_gives_compiler_errors_but_never_a_generator_crash(string code)
    {
        var outcome = Run(Output + code);
        Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.All(outcome.RunResult.Results, r => Assert.Null(r.Exception));
        Assert.NotEmpty(Errors(outcome));
    }
}
