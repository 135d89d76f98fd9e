namespace Checkpointing.Generators;

/// <summary>Names of tracked pipeline steps, asserted by the incrementality tests.</summary>
internal static partial class TrackingNames
{
    public const string CheckpointedParse = "CheckpointedParse";
    public const string CheckpointedStages = "CheckpointedStages";
    public const string CheckpointedDiagnostics = "CheckpointedDiagnostics";
    public const string CheckpointedIdentities = "CheckpointedIdentities";
}
