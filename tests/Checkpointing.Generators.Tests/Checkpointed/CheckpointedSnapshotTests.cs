using Checkpointing.Generators.Tests.Infrastructure;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>Snapshots of the generated source, one per meaningful stage shape; each must compile without warnings.</summary>
public sealed class CheckpointedSnapshotTests
{
    [Fact]
    public void Sync_method_with_int_items()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                [Checkpointed("ocr")]
                public partial class OcrStage
                {
                    [ProcessItem]
                    public PageText Ocr(int page) => new() { Page = page, Text = "text" };
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Task_method_with_long_items_context_and_output_directory()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                [Checkpointed("ocr", OutputDirectory = "pages")]
                public partial class OcrStage
                {
                    [ProcessItem]
                    private async Task<PageText> OcrAsync(long page, ItemContext context)
                    {
                        await Task.Yield();
                        context.AddCost(0.01m);
                        return new PageText { Page = (int)page };
                    }
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Static_ValueTask_method_with_guid_items_and_cancellation()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                [Checkpointed("tag")]
                internal partial class TagStage
                {
                    [ProcessItem]
                    private static ValueTask<PageText> TagAsync(Guid id, ItemContext context, CancellationToken cancellationToken) =>
                        new(new PageText { Text = id.ToString() });
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void String_items_with_cancellation_only()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                [Checkpointed("names")]
                public partial class NameStage
                {
                    [ProcessItem]
                    public Task<PageText> RunOneAsync(string name, CancellationToken cancellationToken) =>
                        Task.FromResult(new PageText { Text = name });
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Record_items_with_a_checkpoint_key_and_a_json_context()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                public sealed record Book([property: CheckpointKey] string Isbn, string Title);

                [JsonSerializable(typeof(PageText))]
                public sealed class AppJsonContext : JsonSerializerContext
                {
                    public AppJsonContext() : base(null) { }
                    public static AppJsonContext Default { get; } = new();
                    protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
                    public override JsonTypeInfo? GetTypeInfo(Type type) => null;
                }

                [Checkpointed("books", JsonContext = typeof(AppJsonContext))]
                public partial class BookStage
                {
                    [ProcessItem]
                    public async ValueTask<PageText> ProcessAsync(Book book, ItemContext context, CancellationToken cancellationToken)
                    {
                        await Task.Delay(1, cancellationToken);
                        return new PageText { Text = book.Title };
                    }
                }
            }
            """]);
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Class_items_with_an_int_key_field_inherited_and_a_nullable_string_key()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                public class Entity { [CheckpointKey] public int Id; }
                public sealed class Page : Entity { }
                public sealed class Chapter { [CheckpointKey] public string? Slug { get; init; } }

                [Checkpointed("pages")]
                public partial class PageStage
                {
                    [ProcessItem]
                    public PageText Process(Page page) => new() { Page = page.Id };
                }

                [Checkpointed("chapters")]
                public partial class ChapterStage
                {
                    [ProcessItem]
                    public PageText Process(Chapter chapter) => new() { Text = chapter.Slug ?? "" };
                }
            }
            """], "CKPT113", "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Validation_attributes_and_an_errors_validator()
    {
        var outcome = RunClean(["""
            namespace MyApp.Pipeline
            {
                public sealed class Summary
                {
                    [Required] public string Title { get; set; } = "";
                    [Required(AllowEmptyStrings = true, ErrorMessage = "{0} must be present")] public string? Subtitle { get; set; }
                    [Required] public int? Year { get; set; }
                    [Required] public int Pages { get; set; }
                    [Range(1, 10)] public int Rating { get; set; }
                    [Range(0.5, 99.5, MaximumIsExclusive = true)] public decimal Score { get; set; }
                    [Range(typeof(decimal), "0", "1000.50")] public decimal? Price { get; set; }
                    [StringLength(80, MinimumLength = 3)] public string? Headline { get; set; }
                    [MinLength(1), MaxLength(5)] public List<string> Tags { get; set; } = new();
                    [MaxLength(3, ErrorMessage = "At most {1} authors in {0}")] public string[]? Authors { get; set; }
                    [RegularExpression(@"^[0-9]{13}$")] public string? Isbn { get; set; }
                    [RegularExpression("[a-z]+")] public string? Slug { get; set; }
                }

                [Checkpointed("summaries")]
                public partial class SummaryStage
                {
                    [ProcessItem]
                    public Summary Summarize(int page) => new() { Title = "t" };

                    [ValidateOutput]
                    private static IEnumerable<string> Check(Summary summary)
                    {
                        if (summary.Title == "draft")
                        {
                            yield return "Drafts are not outputs.";
                        }
                    }
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Lsi_record_output_appended_to_a_cumulative_csv()
    {
        var outcome = RunClean(["""
            namespace MyApp.Pipeline
            {
                using Checkpointing.Lsi;

                [LsiRecord]
                public partial class LsiBook
                {
                    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
                    [LsiColumn("Title")] public string? Title { get; set; }
                }

                [Checkpointed("lsi")]
                [Checkpointing.Csv.CumulativeCsv("xynapse_traces")]
                public partial class LsiRowStage
                {
                    [ProcessItem]
                    public LsiBook Build(string isbn) => new() { Isbn = isbn, Title = "t" };
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Csv_record_output_keyed_by_a_checkpoint_key()
    {
        var outcome = RunClean(["""
            namespace MyApp.Pipeline
            {
                [CsvHelper.CsvRecord]
                public partial class Row
                {
                    [CheckpointKey] public int Id { get; set; }
                    public string? Title { get; set; }
                }

                [Checkpointed("rows")]
                [Checkpointing.Csv.CumulativeCsv("rows")]
                internal partial class RowStage
                {
                    [ProcessItem]
                    public Task<Row> BuildAsync(int id, CancellationToken cancellationToken) => Task.FromResult(new Row { Id = id });
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Struct_output_with_an_instance_bool_validator()
    {
        var outcome = RunClean(["""
            namespace MyApp.Pipeline
            {
                public readonly record struct Score(int Value);

                [Checkpointed("scores")]
                public partial class ScoreStage
                {
                    private readonly int _limit = 10;

                    [ProcessItem]
                    public Score Process(int item) => new(item);

                    [ValidateOutput]
                    public bool IsAcceptable(Score score) => score.Value <= _limit;
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Nested_class_in_generic_containing_types_with_private_item_type()
    {
        var outcome = RunClean([PageText, """
            namespace MyApp.Pipeline
            {
                public static partial class Stages<T>
                {
                    internal partial record Outer
                    {
                        [Checkpointed("nested")]
                        public sealed partial class NestedStage
                        {
                            private sealed record Work([property: CheckpointKey] long Number);

                            [ProcessItem]
                            private PageText Process(Work work) => new() { Page = (int)work.Number };
                        }
                    }
                }
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public void Stage_in_the_global_namespace()
    {
        var outcome = RunClean(["""
            public sealed class Output
            {
                public string Value { get; set; } = "";
            }

            [Checkpointed("global")]
            public partial class GlobalStage
            {
                [ProcessItem]
                public static Output Process(string item) => new() { Value = item };
            }
            """], "CKPT113");
        Snapshot.Verify(outcome.RunResult);
    }
}
