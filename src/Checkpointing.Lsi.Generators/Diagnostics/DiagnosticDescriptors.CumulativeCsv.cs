using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Diagnostics;

/// <summary>
/// Diagnostics of <c>[CumulativeCsv]</c> stages. Their IDs were given when the setting was part of
/// <c>[Checkpointed]</c> (CKPT120-122, CKPT124) and are kept; CKPT217 is new with the attribute.
/// </summary>
internal static partial class DiagnosticDescriptors
{
    private const string CumulativeCsvCategory = "Checkpointing.CumulativeCsv";

    public static readonly DiagnosticDescriptor CumulativeCsvWithoutKey = CumulativeCsv(
        "CKPT120", "Cumulative CSV rows have no key",
        "Stage '{0}' appends its outputs to the cumulative CSV of imprint '{1}', but the output type '{2}' has no row key, so a resumed run could not replace a redone book's row; mark its key property [CheckpointKey] or map its ISBN with [LsiColumn(\"ISBN or SKU\")]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidCumulativeCsvImprint = CumulativeCsv(
        "CKPT121", "Cumulative CSV imprint is not a valid file name part",
        "The [CumulativeCsv] imprint \"{0}\" of stage '{1}' cannot be part of the checkpoint file name: {2}; use letters, digits, '-' and '_'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor CumulativeCsvUnsupportedOutput = CumulativeCsv(
        "CKPT122", "Output type has no CSV row",
        "Stage '{0}' has [CumulativeCsv], but its output type '{1}' is neither an [LsiRecord] nor a [CsvRecord] type, so it has no CSV row to append; mark '{1}' [LsiRecord] or remove the attribute",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor CumulativeCsvOnSharedFileStage = CumulativeCsv(
        "CKPT124", "Setting does not apply to a shared-file stage",
        "Stage '{0}' saves its outputs as rows of one shared file, so {1} has no effect; remove it (the format checks each saved file by reading it back)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor CumulativeCsvWithoutStage = CumulativeCsv(
        "CKPT217", "[CumulativeCsv] class is not a [Checkpointed] stage",
        "The class '{0}' has [CumulativeCsv] but not [Checkpointed], so no stage appends to the CSV; add [Checkpointed(\"name\")] or remove the attribute",
        DiagnosticSeverity.Error);

    private static DiagnosticDescriptor CumulativeCsv(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, CumulativeCsvCategory, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
