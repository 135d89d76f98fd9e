using Checkpointing.Generators.Shared;

namespace Checkpointing.Generators.CumulativeCsv.Model;

/// <summary>
/// A <c>[Checkpointed]</c> stage with <c>[CumulativeCsv]</c>: its saved outputs are also appended, as rows, to the
/// cumulative CSV of an imprint. Plain values only, so it caches; type names are fully qualified.
/// </summary>
/// <param name="Imprint">The imprint in the CSV's file name.</param>
/// <param name="OutputDirectory">The stage's <c>OutputDirectory</c>, or null for the stage name.</param>
/// <param name="KeyMember">The output member that keys a row: a redone item replaces the row of the same key.</param>
/// <param name="KeyKind">How that member becomes the row key.</param>
internal sealed record CumulativeCsvStage(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string TypeDeclaration,
    string HintName,
    GeneratedAccessibility MemberAccessibility,
    string OutputType,
    string Imprint,
    string? OutputDirectory,
    string KeyMember,
    CsvRowKeyKind KeyKind);

/// <summary>How the row key is read from the key member.</summary>
internal enum CsvRowKeyKind
{
    /// <summary>A non-nullable string, used as it is.</summary>
    String,

    /// <summary>A nullable string; null keys as the empty string.</summary>
    NullableString,

    /// <summary>The LSI "ISBN or SKU" column, normalized as the LSI writer writes it so a row read back has its key.</summary>
    Isbn,

    /// <summary>An int, long or Guid, formatted as a checkpoint key (<c>CheckpointKeys.From</c>).</summary>
    CheckpointKey,
}

/// <summary>What parsing one <c>[CumulativeCsv]</c> class gave: the stage (null on error) and the diagnostics, apart.</summary>
internal sealed record CumulativeCsvParseResult(CumulativeCsvStage? Stage, EquatableArray<DiagnosticInfo> Diagnostics);
