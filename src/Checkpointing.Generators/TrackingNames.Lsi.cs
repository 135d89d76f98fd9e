namespace Checkpointing.Generators;

internal static partial class TrackingNames
{
    public const string LsiRecords = nameof(LsiRecords);
    public const string LsiTemplates = nameof(LsiTemplates);
    public const string LsiResolved = nameof(LsiResolved);
}
