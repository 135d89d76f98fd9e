namespace Checkpointing.Generators;

internal static partial class TrackingNames
{
    public const string LsiRecords = nameof(LsiRecords);
    public const string LsiRecordsRead = nameof(LsiRecordsRead);
    public const string LsiRecordsBound = nameof(LsiRecordsBound);
    public const string LsiTemplates = nameof(LsiTemplates);
    public const string LsiResolved = nameof(LsiResolved);
    public const string LsiDiagnostics = nameof(LsiDiagnostics);
    public const string LsiModels = nameof(LsiModels);
    public const string CumulativeCsvParse = nameof(CumulativeCsvParse);
    public const string CumulativeCsvStages = nameof(CumulativeCsvStages);
    public const string CumulativeCsvDiagnostics = nameof(CumulativeCsvDiagnostics);
}
