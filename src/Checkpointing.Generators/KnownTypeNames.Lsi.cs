namespace Checkpointing.Generators;

internal static partial class KnownTypeNames
{
    public const string LsiRecord = "Checkpointing.Lsi.LsiRecordAttribute";
    public const string LsiColumn = "Checkpointing.Lsi.LsiColumnAttribute";
    public const string CsvRecord = "CsvHelper.CsvRecordAttribute";

    /// <summary>The LSI column that keys the rows of a cumulative CSV when the output has no [CheckpointKey].</summary>
    public const string LsiIsbnColumn = "ISBN or SKU";
}
