using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Checkpointing;
using Checkpointing.Csv;
using Checkpointing.Lsi;

namespace BookPipeline;

public sealed record BookMetadata
{
    [Required] public required string Isbn { get; init; }
    [Required, StringLength(120, MinimumLength = 3)] public required string Title { get; init; }
    [StringLength(200)] public string? Subtitle { get; init; }
    [Required, MinLength(40)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Aot.ValidatedAtCompileTime)]
    public required string Description { get; init; }

    [MinLength(3)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Aot.ValidatedAtCompileTime)]
    public required string[] Keywords { get; init; }
}

internal static class Aot
{
    // [MinLength]'s constructor is marked RequiresUnreferencedCode for DataAnnotations' reflection-based
    // Validator. Nothing here calls that Validator: [Checkpointed] turns the attribute into compiled checks.
    public const string ValidatedAtCompileTime = "Read by the [Checkpointed] generator at compile time; DataAnnotations' reflection-based Validator is never used.";
}

public sealed record InteriorPlan
{
    [Required] public required string Isbn { get; init; }
    [Range(24, 1200)] public required int Pages { get; init; }
    [Range(1, 80)] public required int Chapters { get; init; }
    public required decimal TrimWidthInches { get; init; }
    public required decimal TrimHeightInches { get; init; }
}

/// <summary>
/// A book's row of the Lightning Source (LSI) ACS CSV: every column of the template, in its order, with
/// the mapped ones filled and checked at compile time against the template's header.
/// </summary>
[LsiRecord(Template = "lsi_acs_template.csv")]
public sealed partial class LsiBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Publisher")] public string? Publisher { get; set; }
    [LsiColumn("Imprint")] public string? Imprint { get; set; }
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("Pages")] public int? Pages { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("Annotation / Summary")] public string? Annotation { get; set; }

    // Columns with LSI code lists: Validate() checks them against the lists shipped with the package.
    [LsiColumn("Rendition /Booktype")] public string? Rendition { get; set; }
    [LsiColumn("Contributor One")] public string? Contributor { get; set; }
    [LsiColumn("Contributor One Role")] public string? ContributorRole { get; set; }
    [LsiColumn("Returnable")] public string? Returnable { get; set; }
    [LsiColumn("Language Code")] public string? Language { get; set; }
}

[JsonSerializable(typeof(BookMetadata))]
[JsonSerializable(typeof(InteriorPlan))]
[JsonSerializable(typeof(LsiBook))]
public sealed partial class BookJsonContext : JsonSerializerContext
{
}

/// <summary>Stage 1: title, description and keywords from the working title.</summary>
[Checkpointed("metadata", JsonContext = typeof(BookJsonContext))]
public sealed partial class MetadataStage(FakeLlm llm)
{
    [ProcessItem]
    public async Task<BookMetadata> DescribeAsync(BookSpec book, ItemContext context, CancellationToken cancellationToken)
    {
        var reply = await llm.CompleteAsync($"Write catalogue copy for '{book.WorkingTitle}'", context, cancellationToken);
        return new BookMetadata
        {
            Isbn = book.Isbn,
            Title = book.WorkingTitle,
            Subtitle = "An illustrated companion",
            Description = $"{book.WorkingTitle} is a short, practical book for curious readers. {reply.Text}",
            Keywords = [.. book.WorkingTitle.Split(' ').Where(w => w.Length > 3).Select(w => w.ToLowerInvariant()), "nonfiction", "reference"],
        };
    }
}

/// <summary>Stage 2: the interior plan, from the book's metadata (stage 1's output, read with its generated accessor).</summary>
[Checkpointed("interior", JsonContext = typeof(BookJsonContext))]
public sealed partial class InteriorStage(FakeLlm llm, StageRunOptions run, int failAt)
{
    [ProcessItem]
    public async Task<InteriorPlan> PlanAsync(BookSpec book, ItemContext context, CancellationToken cancellationToken)
    {
        if (book.Index == failAt)
        {
            throw new InvalidOperationException($"Injected failure at book {book.Index} ({book.Isbn}); rerun without --fail-at to resume.");
        }

        var metadata = MetadataStage.ReadOutput(run, book.Isbn);
        var reply = await llm.CompleteAsync($"Plan the interior of '{metadata.Title}'", context, cancellationToken);
        return new InteriorPlan
        {
            Isbn = book.Isbn,
            Pages = 96 + (reply.Tokens % 200),
            Chapters = 6 + (reply.Tokens % 12),
            TrimWidthInches = 5.5m,
            TrimHeightInches = 8.5m,
        };
    }
}

/// <summary>
/// Stage 3: the Lightning Source row, from stages 1 and 2. Each saved row is also appended to the tranche's
/// cumulative checkpoint CSV before the book counts as done, so the batch CSV can be rebuilt after a crash.
/// </summary>
[Checkpointed("lsi", JsonContext = typeof(BookJsonContext))]
[CumulativeCsv("xynapse_traces")]
public sealed partial class LsiRowStage(string publisher, string imprint, StageRunOptions run)
{
    [ProcessItem]
    public LsiBook BuildRow(BookSpec book, ItemContext context)
    {
        var metadata = MetadataStage.ReadOutput(run, book.Isbn);
        var interior = InteriorStage.ReadOutput(run, book.Isbn);
        context.AddCost(0m); // no API call: assembling the row is free
        return new LsiBook
        {
            Isbn = book.Isbn,
            Title = metadata.Title,
            Publisher = publisher,
            Imprint = imprint,
            PubDate = new DateOnly(2026, 3, 1).AddDays(7 * book.Index),
            Pages = interior.Pages,
            UsPrice = interior.Pages < 160 ? 14.99m : 19.99m,
            UsDiscount = 40m,
            Annotation = metadata.Description,
            Rendition = "POD: 6 x 9 in or 229 x 152 mm Perfect Bound on White w/Matte Lam",
            Contributor = "AI Lab for Book-Lovers",
            ContributorRole = "A",
            Returnable = "Yes-Destroy",
            Language = "eng",
        };
    }

    /// <summary>A row LSI would reject (bad ISBN check digit, missing title) is redone rather than kept.</summary>
    [ValidateOutput]
    private static IEnumerable<string> CheckRow(LsiBook row) => row.Validate().Errors.Select(e => e.ToString());
}
