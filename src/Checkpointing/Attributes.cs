namespace Checkpointing;

/// <summary>
/// Marks a <c>partial</c> class as a checkpointed pipeline stage. The source generator adds
/// <c>StageName</c>, <c>RunAsync(items, options, cancellationToken)</c> and <c>ReadStatus(root, runId)</c>,
/// wiring the single <see cref="ProcessItemAttribute"/> method to <see cref="StageRunner"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CheckpointedAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="stageName">The stage name: the checkpoint file is <c>checkpoints/&lt;stageName&gt;.json</c>.</param>
    public CheckpointedAttribute(string stageName) => StageName = stageName;

    /// <summary>The stage name, used as a file name.</summary>
    public string StageName { get; }

    /// <summary>The folder of the stage's outputs under <c>&lt;root&gt;/&lt;runId&gt;/</c>; defaults to the stage name.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>
    /// A <c>System.Text.Json.Serialization.JsonSerializerContext</c> that knows the output type, so the
    /// stage serializes without reflection (trim- and AOT-safe).
    /// </summary>
    public Type? JsonContext { get; set; }
}

/// <summary>
/// Marks the per-item work of a <see cref="CheckpointedAttribute"/> stage. Signature:
/// <c>T|Task&lt;T&gt;|ValueTask&lt;T&gt; Name(TItem item[, ItemContext context][, CancellationToken ct])</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ProcessItemAttribute : Attribute
{
}

/// <summary>Marks the property of an item type that is the item's checkpoint key.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class CheckpointKeyAttribute : Attribute
{
}

/// <summary>
/// Marks a stage method that validates an output beyond its DataAnnotations:
/// <c>IEnumerable&lt;string&gt; Name(TOutput output)</c> (errors; none means valid) or <c>bool Name(TOutput output)</c>.
/// It must not depend on instance state that differs between runs: resume uses it to decide what to redo.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ValidateOutputAttribute : Attribute
{
}
