namespace Checkpointing.Generators;

internal static partial class KnownTypeNames
{
    public const string LsiRecord = "Checkpointing.Lsi.LsiRecordAttribute";
    public const string LsiColumn = "Checkpointing.Lsi.LsiColumnAttribute";
    public const string LsiUnmappedColumns = "Checkpointing.Lsi.LsiUnmappedColumnsAttribute";

    /// <summary>The name of the built-in 119-column ACS template (<c>LsiTemplates.Acs</c>).</summary>
    public const string LsiBuiltInAcsTemplate = global::Checkpointing.Lsi.LsiAcsTemplate.Name;
    public const string CsvRecord = "CsvHelper.CsvRecordAttribute";
    public const string CumulativeCsv = "Checkpointing.Csv.CumulativeCsvAttribute";

    /// <summary>The LSI column that keys the rows of a cumulative CSV when the output has no [CheckpointKey].</summary>
    public const string LsiIsbnColumn = "ISBN or SKU";
}
