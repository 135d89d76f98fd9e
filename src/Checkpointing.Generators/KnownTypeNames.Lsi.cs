namespace Checkpointing.Generators;

internal static partial class KnownTypeNames
{
    public const string LsiRecord = "Checkpointing.Lsi.LsiRecordAttribute";
    public const string LsiColumn = "Checkpointing.Lsi.LsiColumnAttribute";
}
