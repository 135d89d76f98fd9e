using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Diagnostics;

/// <summary>
/// Diagnostics of the <c>[Checkpointed]</c> generator (CKPT1xx). IDs are never reused; each has a page
/// in docs/diagnostics and a row in AnalyzerReleases.
/// </summary>
internal static partial class DiagnosticDescriptors
{
    private const string CheckpointedCategory = "Checkpointing.Checkpointed";

    public static readonly DiagnosticDescriptor StageClassNotPartial = Checkpointed(
        "CKPT101", "Stage class is not partial",
        "The [Checkpointed] class '{0}' must be partial so that the generator can add its members; add the 'partial' modifier",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Checkpointed(
        "CKPT102", "Containing type is not partial",
        "The type '{0}' contains the [Checkpointed] class '{1}' and must be partial too; add the 'partial' modifier to '{0}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoProcessItemMethod = Checkpointed(
        "CKPT103", "No [ProcessItem] method",
        "The [Checkpointed] class '{0}' has no [ProcessItem] method; mark the method that processes one item with [ProcessItem]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralProcessItemMethods = Checkpointed(
        "CKPT104", "Several [ProcessItem] methods",
        "The [Checkpointed] class '{0}' has several [ProcessItem] methods ('{1}' and '{2}'); keep the attribute on exactly one",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedProcessItemSignature = Checkpointed(
        "CKPT105", "Unsupported [ProcessItem] signature",
        "The [ProcessItem] method '{0}' has an unsupported signature: {1}; use 'T|Task<T>|ValueTask<T> {0}(TItem item[, ItemContext context][, CancellationToken cancellationToken])'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ItemTypeWithoutKey = Checkpointed(
        "CKPT106", "Item type has no key",
        "The item type '{0}' of stage '{1}' has no key; use a string, int, long or Guid item, or mark one property of '{0}' with [CheckpointKey]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralCheckpointKeys = Checkpointed(
        "CKPT107", "Several checkpoint keys",
        "The item type '{0}' has several [CheckpointKey] members ('{1}' and '{2}'); keep the attribute on exactly one",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedKeyType = Checkpointed(
        "CKPT108", "Unsupported checkpoint key type",
        "The [CheckpointKey] member '{0}' has type '{1}'; a key must be a string, int, long or Guid",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidStageName = Checkpointed(
        "CKPT109", "Stage name is not a valid file name",
        "The stage name \"{0}\" of '{1}' cannot be used as a file name: {2}; choose a short name such as \"ocr\"",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidOutputDirectory = Checkpointed(
        "CKPT110", "Output directory is not a valid folder name",
        "The OutputDirectory \"{0}\" of '{1}' cannot be used as a folder name: {2}; use a single folder name such as \"ocr\"",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateStage = Checkpointed(
        "CKPT111", "Two stages share a file name",
        "The stages '{0}' and '{1}' both use the {2} \"{3}\", so in one run they would overwrite each other's {4}; give one of them another {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor OutputTypeNotSerializable = Checkpointed(
        "CKPT112", "Output type cannot be serialized",
        "The output type '{0}' of [ProcessItem] method '{1}' cannot be saved as JSON: {2}; return a concrete class, record or struct",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ReflectionJson = Checkpointed(
        "CKPT113", "Output is serialized with reflection",
        "Stage '{0}' serializes '{1}' with reflection-based System.Text.Json, which is not trim- or AOT-safe; add a JsonSerializerContext with [JsonSerializable(typeof({1}))] and set JsonContext = typeof(YourContext) on [Checkpointed]",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor JsonContextMissingType = Checkpointed(
        "CKPT114", "JsonContext does not declare the output type",
        "The JsonContext '{0}' of stage '{1}' has no [JsonSerializable(typeof({2}))]; add that attribute to '{0}', or the stage fails when it starts",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor JsonContextNotAContext = Checkpointed(
        "CKPT115", "JsonContext is not a JsonSerializerContext",
        "The JsonContext '{0}' of stage '{1}' does not derive from System.Text.Json.Serialization.JsonSerializerContext; declare 'partial class {0} : JsonSerializerContext' with [JsonSerializable(typeof(TOutput))]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedValidateOutputSignature = Checkpointed(
        "CKPT116", "Unsupported [ValidateOutput] signature",
        "The [ValidateOutput] method '{0}' has an unsupported signature: {1}; use 'IEnumerable<string> {0}({2} output)' or 'bool {0}({2} output)'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralValidateOutputMethods = Checkpointed(
        "CKPT117", "Several [ValidateOutput] methods",
        "The [Checkpointed] class '{0}' has several [ValidateOutput] methods ('{1}' and '{2}'); merge them into one",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StaticStageClass = Checkpointed(
        "CKPT118", "Stage class is static",
        "The [Checkpointed] class '{0}' is static, but stages are run through an instance; remove the 'static' modifier",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedValidationAttribute = Checkpointed(
        "CKPT119", "Validation attribute is not checked",
        "[{0}] on '{1}' is not checked by the generated validator: {2}; move the rule into a [ValidateOutput] method",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnsupportedSharedFileFormat = Checkpointed(
        "CKPT123", "Shared-file format cannot be used",
        "The shared-file format '{0}' of stage '{1}' cannot be used: {2}; name a class with a public parameterless constructor that implements ISharedFileFormat<{3}>",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SharedFileStageSetting = Checkpointed(
        "CKPT124", "Setting does not apply to a shared-file stage",
        "Stage '{0}' saves its outputs as rows of one shared file, so {1} has no effect; remove it (the format checks each saved file by reading it back)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidSharedFileName = Checkpointed(
        "CKPT125", "Shared file name is not a relative path in the run folder",
        "The shared file \"{0}\" of stage '{1}' is not a usable path inside the run folder: {2}; use a file name such as \"review.csv\", or folders separated by '/'",
        DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Checkpointed(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, CheckpointedCategory, severity, isEnabledByDefault: true,
            helpLinkUri: HelpLink(id));
}
