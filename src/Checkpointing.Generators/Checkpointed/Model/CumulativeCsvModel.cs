namespace Checkpointing.Generators.Checkpointed.Model;

/// <summary>A stage whose saved outputs are also appended, as rows, to the cumulative CSV of an imprint.</summary>
/// <param name="Imprint">The imprint in the CSV's file name.</param>
/// <param name="KeyMember">The output member that keys a row: a redone item replaces the row of the same key.</param>
/// <param name="KeyKind">How that member becomes the row key.</param>
internal sealed record CumulativeCsvModel(string Imprint, string KeyMember, CsvRowKeyKind KeyKind);

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
