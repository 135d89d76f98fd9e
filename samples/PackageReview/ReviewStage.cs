using Checkpointing;
using Checkpointing.SharedFiles;

namespace PackageReview;

/// <summary>
/// The review as a <c>[Checkpointed]</c> stage whose outputs are rows of one shared workbook: the generator adds
/// <c>CreateSharedFileOptions</c>, <c>RunAsync</c> (over <see cref="SharedFileRunner"/>, keyed by
/// <see cref="Package.Name"/>) and <c>ReadStatus</c>.
/// </summary>
[Checkpointed("review")]
[SharedFileOutput(typeof(ReviewWorkbookFormat), "package_review.xlsx")]
public sealed partial class ReviewStage(PackageLookup lookup)
{
    [ProcessItem]
    private async Task<ReviewRow> ReviewAsync(Package package, ItemContext context, CancellationToken cancellationToken) =>
        await lookup.ReviewAsync(package, context.AddCost, cancellationToken);
}
