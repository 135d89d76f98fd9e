using System.Linq;
using Checkpointing.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Models;

/// <summary>A diagnostic as a value: descriptor, location and message arguments, but no symbols or syntax.</summary>
internal sealed record CheckpointedDiagnostic(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static CheckpointedDiagnostic Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor, LocationInfo.From(location), arguments.ToEquatableArray());

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.ToArray<object?>());
}

/// <summary>What parsing one <c>[Checkpointed]</c> class gave: a stage to emit (unless an error was found) and diagnostics.</summary>
internal sealed record CheckpointedParseResult(
    CheckpointedStage? Stage,
    CheckpointedStageIdentity? Identity,
    EquatableArray<CheckpointedDiagnostic> Diagnostics);

/// <summary>What two stages of one assembly must not share, with where to report a clash.</summary>
internal sealed record CheckpointedStageIdentity(string TypeName, string StageName, string OutputDirectory, LocationInfo? Location);
