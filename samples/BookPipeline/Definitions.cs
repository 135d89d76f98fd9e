using Checkpointing;

namespace BookPipeline;

/// <summary>Stage definitions for the runtime (what the [Checkpointed] generator writes for you).</summary>
public static class Definitions
{
    public static StageDefinition<BookSpec, BookMetadata> Metadata(MetadataStage stage) => new()
    {
        StageName = "metadata",
        GetKey = book => CheckpointKeys.From(book.Isbn),
        OutputTypeInfo = BookJsonContext.Default.BookMetadata,
        Validate = m => m.Description.Length >= 40 ? [] : ["Description is too short"],
        ProcessAsync = (book, context, ct) => new ValueTask<BookMetadata>(stage.DescribeAsync(book, context, ct)),
    };

    public static StageDefinition<BookSpec, InteriorPlan> Interior(InteriorStage stage) => new()
    {
        StageName = "interior",
        GetKey = book => CheckpointKeys.From(book.Isbn),
        OutputTypeInfo = BookJsonContext.Default.InteriorPlan,
        Validate = p => p.Pages is >= 24 and <= 1200 ? [] : ["Pages out of range"],
        ProcessAsync = (book, context, ct) => new ValueTask<InteriorPlan>(stage.PlanAsync(book, context, ct)),
    };

    public static StageDefinition<BookSpec, LsiRow> LsiRow(LsiRowStage stage) => new()
    {
        StageName = "lsi",
        GetKey = book => CheckpointKeys.From(book.Isbn),
        OutputTypeInfo = BookJsonContext.Default.LsiRow,
        ProcessAsync = (book, context, ct) => ValueTask.FromResult(stage.BuildRow(book, context)),
    };
}
