using System.Reflection;
using System.Runtime.Loader;
using Checkpointing.Generators.Tests.Infrastructure;
using Checkpointing.Store;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>
/// Compiles a user stage with the generator, loads the assembly into a collectible context and runs the
/// generated <c>RunAsync</c> over real files: resume, cost accumulation and validation on resume.
/// </summary>
public sealed class CheckpointedEndToEndTests : IDisposable
{
    private const string StageSource = """
        namespace EndToEnd
        {
            public sealed class PageText
            {
                public int Page { get; set; }
                [Required] public string Text { get; set; } = "";
            }

            [Checkpointed("ocr", OutputDirectory = "pages")]
            public partial class OcrStage
            {
                private int _calls;

                public int Calls => _calls;

                [ProcessItem]
                private async Task<PageText> OcrAsync(int page, ItemContext context, CancellationToken cancellationToken)
                {
                    Interlocked.Increment(ref _calls);
                    await Task.Yield();
                    context.AddCost(0.01m);
                    return new PageText { Page = page, Text = "page " + page };
                }

                [ValidateOutput]
                private static bool MatchesPage(PageText output) => output.Text.EndsWith(output.Page.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-e2e-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Generated_stage_runs_resumes_and_redoes_invalid_outputs()
    {
        var outcome = RunClean([StageSource], "CKPT113");
        using var stream = new MemoryStream();
        var emit = outcome.OutputCompilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;

        var context = new AssemblyLoadContext("checkpointed-e2e", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            var stageType = assembly.GetType("EndToEnd.OcrStage", throwOnError: true)!;
            var items = Enumerable.Range(1, 25).ToList();

            var (first, firstCalls) = await RunAsync(stageType, items);
            Assert.Equal((25, 0, 0), (first.Processed, first.Skipped, first.Failed));
            Assert.Equal(25, firstCalls);
            Assert.Equal(0.25m, first.TotalCostUsd);
            Assert.Equal(25, Directory.GetFiles(Path.Combine(_root, "run-1", "pages"), "*.json").Length);
            Assert.True(File.Exists(Path.Combine(_root, "run-1", "pages", "000007.json")));

            var (second, secondCalls) = await RunAsync(stageType, items);
            Assert.Equal((0, 25, 0), (second.Processed, second.Skipped, second.Failed));
            Assert.Equal(0, secondCalls);
            Assert.Equal(0.25m, second.TotalCostUsd);

            // An output that breaks [Required] or the [ValidateOutput] method is redone on resume.
            var emptied = Path.Combine(_root, "run-1", "pages", "000003.json");
            File.WriteAllText(emptied, File.ReadAllText(emptied).Replace("\"page 3\"", "\"\"", StringComparison.Ordinal));
            var mismatched = Path.Combine(_root, "run-1", "pages", "000004.json");
            File.WriteAllText(mismatched, File.ReadAllText(mismatched).Replace("\"page 4\"", "\"page 5\"", StringComparison.Ordinal));
            var (third, thirdCalls) = await RunAsync(stageType, items);
            Assert.Equal((2, 23), (third.Processed, third.Skipped));
            Assert.Equal(2, thirdCalls);
            Assert.Contains("\"page 3\"", File.ReadAllText(emptied));
            Assert.Contains("\"page 4\"", File.ReadAllText(mismatched));

            var readStatus = stageType.GetMethod("ReadStatus", BindingFlags.Public | BindingFlags.Static)!;
            var status = (StageCheckpointDocument?)readStatus.Invoke(null, [_root, "run-1"]);
            Assert.NotNull(status);
            Assert.Equal(StageStatus.Completed, status.Status);
            Assert.Equal(25, status.CompletedCount);
            Assert.Equal("ocr", stageType.GetField("StageName")!.GetValue(null));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void A_json_context_without_metadata_for_the_output_fails_with_a_clear_error()
    {
        var outcome = RunClean(["""
            namespace EndToEnd
            {
                public sealed class Out { public int Value { get; set; } }

                // Declares the type (so no CKPT114) but, unlike a generated context, has no metadata for it.
                [JsonSerializable(typeof(Out))]
                public sealed class EmptyContext : JsonSerializerContext
                {
                    public EmptyContext() : base(null) { }
                    public static EmptyContext Default { get; } = new();
                    protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
                    public override JsonTypeInfo? GetTypeInfo(Type type) => null;
                }

                [Checkpointed("empty", JsonContext = typeof(EmptyContext))]
                public partial class EmptyStage
                {
                    [ProcessItem] public Out Process(int item) => new() { Value = item };
                }
            }
            """]);
        using var stream = new MemoryStream();
        Assert.True(outcome.OutputCompilation.Emit(stream).Success);
        var context = new AssemblyLoadContext("checkpointed-json", isCollectible: true);
        try
        {
            var stageType = context.LoadFromStream(new MemoryStream(stream.ToArray())).GetType("EndToEnd.EmptyStage", throwOnError: true)!;
            var stage = Activator.CreateInstance(stageType);
            var error = Assert.Throws<TargetInvocationException>(() => stageType.GetMethod("CreateDefinition")!.Invoke(stage, null));
            var inner = Assert.IsType<InvalidOperationException>(error.InnerException);
            Assert.Equal("EndToEnd.EmptyContext has no JSON metadata for EndToEnd.Out; add [JsonSerializable(typeof(EndToEnd.Out))] to it.", inner.Message);
        }
        finally
        {
            context.Unload();
        }
    }

    [Theory]
    [InlineData("""{"Title":"A book","Rating":5,"Score":10,"Headline":"Fine","Tags":["a"],"Isbn":"9780000000001"}""")]
    [InlineData("""{"Title":"","Rating":5,"Score":10,"Tags":["a"]}""")]
    [InlineData("""{"Title":"t","Rating":0,"Score":10,"Tags":["a"]}""")]
    [InlineData("""{"Title":"t","Rating":11,"Score":99.5,"Tags":["a"]}""")]
    [InlineData("""{"Title":"t","Rating":1,"Score":0.4,"Tags":[],"Headline":"ab"}""")]
    [InlineData("""{"Title":"t","Rating":1,"Score":1,"Tags":["a","b","c","d","e","f"],"Headline":"x"}""")]
    [InlineData("""{"Title":"t","Rating":1,"Score":1,"Tags":["a"],"Isbn":"978x","Code":"abc"}""")]
    [InlineData("""{"Title":"t","Rating":1,"Score":1,"Tags":["a"],"Isbn":"","Code":"ABC","Price":1000.51}""")]
    [InlineData("""{"Title":"t","Rating":1,"Score":1,"Tags":["a"],"Code":"ab","Price":-1,"Authors":["a","b","c","d"]}""")]
    public void Generated_validation_agrees_with_DataAnnotations(string json)
    {
        var outcome = RunClean(["""
            namespace EndToEnd
            {
                public sealed class Summary
                {
                    [Required] public string? Title { get; set; }
                    [Range(1, 10)] public int Rating { get; set; }
                    [Range(0.5, 99.5, MaximumIsExclusive = true)] public double Score { get; set; }
                    [Range(typeof(decimal), "0", "1000.50")] public decimal? Price { get; set; }
                    [StringLength(80, MinimumLength = 3)] public string? Headline { get; set; }
                    [MinLength(1), MaxLength(5)] public List<string>? Tags { get; set; }
                    [MaxLength(3, ErrorMessage = "At most {1} in {0}")] public string[]? Authors { get; set; }
                    [RegularExpression(@"^[0-9]{13}$")] public string? Isbn { get; set; }
                    [RegularExpression("[A-Z]+"), MinLength(3)] public string? Code { get; set; }
                }

                [Checkpointed("summaries")]
                public partial class SummaryStage
                {
                    [ProcessItem] public Summary Summarize(int page) => new();
                }
            }
            """], "CKPT113");
        using var stream = new MemoryStream();
        Assert.True(outcome.OutputCompilation.Emit(stream).Success);
        var context = new AssemblyLoadContext("checkpointed-validation", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(stream.ToArray()));
            var outputType = assembly.GetType("EndToEnd.Summary", throwOnError: true)!;
            var stageType = assembly.GetType("EndToEnd.SummaryStage", throwOnError: true)!;
            var output = System.Text.Json.JsonSerializer.Deserialize(json, outputType)!;

            var definition = stageType.GetMethod("CreateDefinition")!.Invoke(Activator.CreateInstance(stageType), null)!;
            var validate = (Delegate)definition.GetType().GetProperty("Validate")!.GetValue(definition)!;
            var generated = ((IReadOnlyList<string>)validate.DynamicInvoke(output)!).Order(StringComparer.Ordinal).ToList();

            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            System.ComponentModel.DataAnnotations.Validator.TryValidateObject(output, new(output), results, validateAllProperties: true);
            var expected = results.Select(r => r.ErrorMessage!).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(expected, generated);

            // Only the first case is valid; the others must each break at least one rule.
            Assert.Equal(json.Contains("A book", StringComparison.Ordinal), expected.Count == 0);
        }
        finally
        {
            context.Unload();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<(StageRunResult Result, int Calls)> RunAsync(Type stageType, IEnumerable<int> items)
    {
        var stage = Activator.CreateInstance(stageType)!;
        var run = stageType.GetMethod("RunAsync")!;
        var options = new StageRunOptions { Root = _root, RunId = "run-1", MaxDegreeOfParallelism = 3 };
        var result = await (Task<StageRunResult>)run.Invoke(stage, [items, options, CancellationToken.None])!;
        return (result, (int)stageType.GetProperty("Calls")!.GetValue(stage)!);
    }
}
