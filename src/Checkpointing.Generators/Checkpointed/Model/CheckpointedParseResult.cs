using Checkpointing.Generators.Shared;

namespace Checkpointing.Generators.Checkpointed.Model;

/// <summary>What parsing one <c>[Checkpointed]</c> class gave: a stage to emit (unless an error was found) and diagnostics.</summary>
internal sealed record CheckpointedParseResult(
    CheckpointedStage? Stage,
    CheckpointedStageIdentity? Identity,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>What two stages of one assembly must not share, with where to report a clash.</summary>
internal sealed record CheckpointedStageIdentity(string TypeName, string StageName, string OutputDirectory, LocationInfo? Location);
