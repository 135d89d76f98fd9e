namespace Checkpointing.SharedFiles;

/// <summary>
/// Makes a <see cref="CheckpointedAttribute"/> stage's outputs rows of one shared file, saved in batches by
/// <see cref="SharedFileRunner"/>, instead of one JSON file per item. The generator then adds
/// <c>SharedFileName</c>, <c>CreateSharedFileFormat()</c>, <c>CreateSharedFileOptions(root, runId)</c>,
/// <c>RunAsync(items, SharedFileOptions, CancellationToken)</c> and <c>ReadStatus(root, runId)</c>.
/// </summary>
/// <param name="format">
/// The file format: a class implementing <see cref="ISharedFileFormat{TRow}"/> of the stage's output type, with a
/// public parameterless constructor (CKPT123 otherwise).
/// </param>
/// <param name="fileName">
/// The shared file, relative to <c>&lt;Root&gt;/&lt;RunId&gt;/</c>: a file name or a relative path with <c>/</c>
/// separators, no <c>..</c> (CKPT125 otherwise).
/// </param>
/// <example>
/// <code>
/// [Checkpointed("review")]
/// [SharedFileOutput(typeof(ReviewCsvFormat), "package_review.csv")]
/// public partial class ReviewStage
/// {
///     [ProcessItem]
///     private Task&lt;ReviewRow&gt; ReviewAsync(string package, ItemContext context, CancellationToken ct) => ...;
/// }
///
/// var options = ReviewStage.CreateSharedFileOptions("data", "review-2026") with { Policy = SharedFileBatchPolicy.Items(25) };
/// var result = await new ReviewStage().RunAsync(packages, options);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SharedFileOutputAttribute(Type format, string fileName) : Attribute
{
    /// <summary>The format type: an <see cref="ISharedFileFormat{TRow}"/> of the stage's output type.</summary>
    public Type Format { get; } = format;

    /// <summary>The shared file, relative to the run folder.</summary>
    public string FileName { get; } = fileName;
}
