using Checkpointing.Generators.Checkpointed;
using Checkpointing.Generators.Checkpointed.Parsing;
using Checkpointing.Generators.Tests.Infrastructure;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>
/// The parser's shortcuts (<see cref="StageSyntaxReader"/>) give what binding gives: each source runs once with the
/// shortcuts and once reading symbols only, and both runs must produce the same sources and the same diagnostics
/// (ID, location, message). Each test also says which shortcuts were taken, so a shortcut that silently stopped
/// answering, or answered where it must not, fails.
/// </summary>
public sealed class CheckpointedSyntaxShortcutTests
{
    private const string Output = "namespace MyApp { public sealed class Out { public int Value { get; set; } } }\n";

    private static string Stage(string item = "int", string output = "Out", string members = "") => $$"""
        namespace MyApp
        {
            [Checkpointed("ocr")]
            public partial class OcrStage
            {
                [ProcessItem] public {{output}} Process({{item}} item) => default!;
                {{members}}
            }
        }
        """;

    // ---- [ProcessItem] and [ValidateOutput] methods ----

    [Fact]
    public void The_process_method_is_found_from_its_declaration()
    {
        var probe = AssertSame(Output, Stage(members: "private int Helper(int x) => x; public string Name { get; set; } = \"\";"));
        Assert.Equal((1, 1), (probe.MethodsFromSyntax, probe.RulesSkipped));
    }

    [Fact]
    public void The_process_method_is_found_through_an_alias()
    {
        var probe = AssertSame(Output, """
            namespace MyApp
            {
                using PI = Checkpointing.ProcessItemAttribute;

                [Checkpointed("ocr")]
                public partial class OcrStage
                {
                    [PI] public Out Process(int item) => new();
                }
            }
            """);
        Assert.Equal(1, probe.MethodsFromSyntax);
    }

    [Fact]
    public void The_process_and_validate_methods_are_found_on_a_second_partial_declaration_in_another_file()
    {
        var probe = AssertSame(
            Output + """
            namespace MyApp
            {
                [Checkpointed("ocr")]
                public partial class OcrStage { }
            }
            """,
            """
            namespace MyApp
            {
                public partial class OcrStage
                {
                    [ProcessItem] public Out Process(int item) => new();
                    [ValidateOutput] private static bool Check(Out output) => output.Value > 0;
                }
            }
            """);
        Assert.Equal(1, probe.MethodsFromSyntax);
    }

    [Fact]
    public void A_same_named_attribute_from_another_namespace_is_not_process_item()
    {
        var probe = AssertSame(Output + """
            namespace MyApp.Other
            {
                public sealed class ProcessItemAttribute : System.Attribute { }
                public sealed class ValidateOutputAttribute : System.Attribute { }
            }

            namespace MyApp
            {
                [Checkpointed("ocr")]
                public partial class OcrStage
                {
                    [MyApp.Other.ProcessItem] public Out Process(int item) => new();
                    [ProcessItem] public Out Real(int item) => new();
                    [Other.ValidateOutput] private static bool Check(Out output) => true;
                }
            }
            """);
        Assert.Equal(1, probe.MethodsFromSyntax);
    }

    [Fact]
    public void An_inherited_process_method_is_not_the_stage_s_own()
    {
        // CKPT103 both ways: the stage's own members are read, not its base class's.
        var probe = AssertSame(Output + """
            namespace MyApp
            {
                public class StageBase
                {
                    [ProcessItem] public Out Process(int item) => new();
                }

                [Checkpointed("ocr")]
                public partial class OcrStage : StageBase { }
            }
            """);
        Assert.Equal(1, probe.MethodsFromSyntax);
    }

    [Fact]
    public void Several_process_methods_partial_methods_and_attributes_on_other_methods_are_read_from_the_members()
    {
        // CKPT104: the diagnostic names the methods in member order, so the members tell.
        Assert.Equal(0, AssertSame(Output, Stage(members: "[ProcessItem] public Out Second(int item) => new();")).MethodsFromSyntax);
        Assert.Equal(0, AssertSame(Output, Stage(members: "[ValidateOutput] static bool A(Out o) => true; [ValidateOutput] static bool B(Out o) => true;")).MethodsFromSyntax);

        // A partial method: its two declarations are one member.
        Assert.Equal(0, AssertSame(Output, """
            namespace MyApp
            {
                [Checkpointed("ocr")]
                public partial class OcrStage
                {
                    [ProcessItem] public partial Out Process(int item);
                    public partial Out Process(int item) => new();
                }
            }
            """).MethodsFromSyntax);

        // Attributes on an accessor, a constructor or with a method: target.
        Assert.Equal(0, AssertSame(Output, Stage(members: "public int Count { [ProcessItem] get; set; }")).MethodsFromSyntax);
        Assert.Equal(0, AssertSame(Output, Stage(members: "[ProcessItem] public OcrStage() { }")).MethodsFromSyntax);
        Assert.Equal(0, AssertSame(Output, Stage(members: "[method: ProcessItem] public event System.EventHandler? Changed;")).MethodsFromSyntax);
    }

    // ---- the item key ----

    [Fact]
    public void The_key_of_a_positional_record_is_found_from_its_parameter()
    {
        // Read without building the record's members (its synthesized ones included).
        var probe = AssertSame(Output + "namespace MyApp { public sealed record Page([property: CheckpointKey] string Key, int Number); }\n", Stage(item: "Page"));
        Assert.Equal(1, probe.KeysWithoutMembers);

        probe = AssertSame(Output + "namespace MyApp { public sealed record Page([property: CheckpointKey] string? Key, int Number); }\n", Stage(item: "Page"));
        Assert.Equal(1, probe.KeysWithoutMembers);
    }

    [Fact]
    public void The_key_is_found_through_an_alias_and_beside_a_same_named_attribute_from_another_namespace()
    {
        var probe = AssertSame(Output + """
            namespace MyApp.Other
            {
                public sealed class CheckpointKeyAttribute : System.Attribute { }
            }

            namespace MyApp
            {
                using CK = Checkpointing.CheckpointKeyAttribute;

                public sealed class Page
                {
                    [Other.CheckpointKey] public string Decoy { get; set; } = "";
                    [CK] public long Id { get; set; }
                    [JsonPropertyName("n")] public int Number { get; set; }
                }
            }
            """, Stage(item: "Page"));
        Assert.Equal(1, probe.KeysFromSyntax);
    }

    [Fact]
    public void The_key_is_found_on_a_second_partial_declaration_in_another_file()
    {
        var probe = AssertSame(
            Output + "namespace MyApp { public sealed partial class Page { public int Number { get; set; } } }\n" + Stage(item: "Page"),
            "namespace MyApp { public sealed partial class Page { [CheckpointKey] public Guid Id; } }\n");
        Assert.Equal(1, probe.KeysWithoutMembers);
    }

    [Fact]
    public void Keys_that_only_the_members_can_tell_are_read_from_them()
    {
        // Inherited: the base type's members.
        Assert.Equal(0, AssertSame(Output + """
            namespace MyApp
            {
                public class PageBase { [CheckpointKey] public string Key { get; set; } = ""; }
                public sealed class Page : PageBase { public int Number { get; set; } }
            }
            """, Stage(item: "Page")).KeysFromSyntax);

        // On the backing field (CKPT: not accessible from the stage), two keys (CKPT: several), none (a static one,
        // or one on the parameter rather than the property): the diagnostics come from the members.
        Assert.Equal(0, AssertSame(Output + "namespace MyApp { public sealed class Page { [field: CheckpointKey] public string Key { get; set; } = \"\"; } }\n", Stage(item: "Page")).KeysFromSyntax);
        Assert.Equal(0, AssertSame(Output + "namespace MyApp { public sealed record Page([property: CheckpointKey] string Key, [property: CheckpointKey] int Number); }\n", Stage(item: "Page")).KeysFromSyntax);
        Assert.Equal(0, AssertSame(Output + "namespace MyApp { public sealed class Page { [CheckpointKey] public static string Key { get; set; } = \"\"; } }\n", Stage(item: "Page")).KeysFromSyntax);
        Assert.Equal(0, AssertSame(Output + "namespace MyApp { public sealed record Page([CheckpointKey] string Key); }\n", Stage(item: "Page")).KeysFromSyntax);
    }

    [Fact]
    public void The_key_is_read_without_members_where_every_name_on_the_items_members_is_certain()
    {
        static StageSyntaxReader.Probe Item(string declarations) => AssertSame(Output + "namespace MyApp\n{\n" + declarations + "\n}\n", Stage(item: "Page"));

        Assert.Equal(1, Item("""
            public sealed class Page
            {
                [CheckpointKey] public int Id { get; set; }
                [JsonPropertyName("n")] public string Name { get; set; } = "";
                [JsonIgnore] private int cache;
                public int Cache() => cache;
            }
            """).KeysWithoutMembers);
        Assert.Equal(1, Item("#nullable disable\npublic sealed record Page([property: CheckpointKey] string? Key);\n#nullable restore").KeysWithoutMembers);
        Assert.Equal(1, Item("public struct Page { [CheckpointKeyAttribute] internal long Id; }").KeysWithoutMembers);
        Assert.Equal(1, Item("public sealed record Page([property: CheckpointKey] string Key, [param: CheckpointKey] int Number, [JsonPropertyName(\"n\")] int Other);").KeysWithoutMembers);
        Assert.Equal(1, Item("using CK = Checkpointing.CheckpointKeyAttribute; public sealed class Page { [CK] public Guid Id; }").KeysWithoutMembers);
        Assert.Equal(1, AssertSame(Output + "namespace MyApp { public sealed class Page<T> { [CheckpointKey] public string Id = \"\"; public T? Value; } }\n", Stage(item: "Page<int>")).KeysWithoutMembers);
    }

    [Fact]
    public void Where_a_name_or_a_declaration_is_less_than_certain_the_key_comes_from_the_members()
    {
        static StageSyntaxReader.Probe Item(string declarations) => AssertSame(Output + "namespace MyApp\n{\n" + declarations + "\n}\n", Stage(item: "Page"));

        // A Guid of the user's own (CKPT: unsupported key type), a CheckpointKeyAttribute of the user's own in the
        // item's namespace (no key), and one that makes [CheckpointKey] ambiguous (the compiler's error).
        Assert.Equal(0, Item("public struct Guid { } public sealed class Page { [CheckpointKey] public Guid Id; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class CheckpointKeyAttribute : System.Attribute { } public sealed class Page { [CheckpointKey] public string Id = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class CheckpointKey : System.Attribute { } public sealed class Page { [CheckpointKey] public string Id = \"\"; }").KeysWithoutMembers);

        // A nested type or a type parameter that the attribute's name (or the key type's) means on the members.
        Assert.Equal(0, Item("public sealed class Page { public sealed class CheckpointKeyAttribute : System.Attribute { } [CheckpointKey] public string Id = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("using CK = Checkpointing.CheckpointKeyAttribute; public sealed class Page { public sealed class CK : System.Attribute { } [CK] public string Id = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { public struct Guid { } [CheckpointKey] public Guid Id; }").KeysWithoutMembers);

        // A record parameter whose property the body declares again, a class's primary constructor parameter, a
        // qualified name, a nullable int, a key in a nested scope of the compiler's own (static, explicit).
        Assert.Equal(0, Item("public sealed record Page([property: CheckpointKey] string Key) { public string Key { get; init; } = Key; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page([property: CheckpointKey] string key) { public string Key => key; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [Checkpointing.CheckpointKey] public string Id = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [CheckpointKey] public int? Id { get; set; } }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [CheckpointKey] public static string Id = \"\"; [CheckpointKey] public string Other = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public interface IKeyed { string Key { get; } } public sealed class Page : IKeyed { [CheckpointKey] public string Id = \"\"; [CheckpointKey] string IKeyed.Key => Id; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [CheckpointKey] private string Id = \"\"; public string Key => Id; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [CheckpointKey] public string A = \"\", B = \"\"; }").KeysWithoutMembers);
        Assert.Equal(0, Item("public sealed class Page { [CheckpointKey] public string Id = \"\"; [CheckpointKey] public string Other = \"\"; }").KeysWithoutMembers);
    }

    [Fact]
    public void A_key_found_from_syntax_is_still_checked_by_the_key_rules()
    {
        // Found from its declaration, then CKPT: unsupported key type / not accessible, exactly as from the members.
        Assert.Equal(1, AssertSame(Output + "namespace MyApp { public sealed class Page { [CheckpointKey] public double Key { get; set; } } }\n", Stage(item: "Page")).KeysFromSyntax);
        Assert.Equal(1, AssertSame(Output + "namespace MyApp { public sealed class Page { [CheckpointKey] private string Key = \"\"; public string Other => Key; } }\n", Stage(item: "Page")).KeysFromSyntax);
    }

    // ---- validation rules ----

    [Fact]
    public void An_output_without_member_attributes_has_no_rules_and_its_members_are_not_read()
    {
        Assert.Equal(1, AssertSame("namespace MyApp { public sealed record Out(string Text, int Tokens); }\n", Stage()).RulesSkipped);
        Assert.Equal(1, AssertSame("namespace MyApp { public struct Out { public int Value { get; set; } } }\n", Stage()).RulesSkipped);
        Assert.Equal(1, AssertSame("namespace MyApp { public class OutBase { public int Value { get; set; } } public sealed class Out : OutBase { } }\n", Stage()).RulesSkipped);
    }

    [Fact]
    public void An_output_with_attributes_anywhere_in_its_declarations_or_bases_is_read_from_its_members()
    {
        Assert.Equal(0, AssertSame("namespace MyApp { public sealed record Out([property: Required] string Text, [property: Range(0, 10)] int Tokens); }\n", Stage()).RulesSkipped);
        Assert.Equal(0, AssertSame("namespace MyApp { public class OutBase { [Range(1, 5)] public int Value { get; set; } } public sealed class Out : OutBase { public new int Value { get; set; } } }\n", Stage()).RulesSkipped);
        Assert.Equal(0, AssertSame("namespace MyApp { public class OutBase { [Range(1, 5)] public int Value { get; set; } } public sealed class Out : OutBase { } }\n", Stage()).RulesSkipped);
        Assert.Equal(0, AssertSame(
            "namespace MyApp { public sealed partial class Out { public string Text { get; set; } = \"\"; } }\n" + Stage(),
            "namespace MyApp { using Req = System.ComponentModel.DataAnnotations.RequiredAttribute; public sealed partial class Out { [Req] public string? Note { get; set; } } }\n").RulesSkipped);

        // A base type not declared in source.
        Assert.Equal(0, AssertSame("namespace MyApp { public sealed class Out : List<string> { } }\n", Stage()).RulesSkipped);
    }

    // ---- names compared without display strings ----

    [Theory]
    [InlineData("Task", "System.Threading.Tasks.Task")]
    [InlineData("ValueTask", "System.Threading.Tasks.ValueTask")]
    [InlineData("Task<Task>", "System.Threading.Tasks.Task")]
    [InlineData("ValueTask<ValueTask>", "System.Threading.Tasks.ValueTask")]
    public void A_task_without_a_result_is_no_output(string returnType, string shown)
    {
        var outcome = GeneratorHarness.Run(new CheckpointedGenerator(), [Usings + Stage(output: returnType)]);
        var diagnostic = Assert.Single(outcome.RunResult.Diagnostics);
        Assert.Equal("CKPT112", diagnostic.Id);
        Assert.Contains($"'{shown}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("the method returns no output", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_guid_item_is_its_own_key_and_a_type_named_guid_elsewhere_is_not()
    {
        Assert.Empty(GeneratorHarness.Run(new CheckpointedGenerator(), [Usings + Output + Stage(item: "Guid")]).RunResult.Diagnostics.Where(d => d.Id != "CKPT113"));
        var outcome = GeneratorHarness.Run(new CheckpointedGenerator(), [Usings + Output + "namespace MyApp.Ids { public struct Guid { } }\n" + Stage(item: "Ids.Guid")]);
        Assert.Equal("CKPT106", Assert.Single(outcome.RunResult.Diagnostics).Id);
    }

    /// <summary>Runs the sources with the shortcuts and reading symbols only; asserts the same outcome and returns what the shortcuts did.</summary>
    private static StageSyntaxReader.Probe AssertSame(params string[] sources)
    {
        var withUsings = sources.Select(s => Usings + s).ToArray();
        var fast = new StageSyntaxReader.Probe();
        var slow = new StageSyntaxReader.Probe { SymbolsOnly = true };
        var fastOutcome = RunWith(fast, withUsings);
        var slowOutcome = RunWith(slow, withUsings);

        Assert.Equal(Describe(slowOutcome), Describe(fastOutcome));
        Assert.Equal((0, 0, 0, 0), (slow.MethodsFromSyntax, slow.KeysFromSyntax, slow.KeysWithoutMembers, slow.RulesSkipped));
        return fast;
    }

    private static GeneratorOutcome RunWith(StageSyntaxReader.Probe probe, string[] sources)
    {
        StageSyntaxReader.TestProbe.Value = probe;
        try
        {
            return GeneratorHarness.Run(new CheckpointedGenerator(), sources);
        }
        finally
        {
            StageSyntaxReader.TestProbe.Value = null;
        }
    }

    private static string Describe(GeneratorOutcome outcome)
    {
        var result = Assert.Single(outcome.RunResult.Results);
        Assert.Null(result.Exception);
        var sources = result.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => $"// {s.HintName}\n{s.SourceText}");
        var diagnostics = outcome.RunResult.Diagnostics.Select(d => d.ToString()).OrderBy(d => d, StringComparer.Ordinal);
        return string.Join("\n", diagnostics) + "\n" + string.Join("\n", sources);
    }
}
