using Checkpointing.Generators.Shared;

namespace Checkpointing.Generators.Checkpointed.Model;

/// <summary>Everything the emitter needs for one <c>[Checkpointed]</c> class: plain values only, so it caches.</summary>
/// <remarks>
/// Type names (<see cref="ItemType"/>, <see cref="OutputType"/>, ...) are fully qualified names as the compiler
/// displays them; everything else is meaning (kinds, names, flags, rule values), never C# code to paste.
/// </remarks>
internal sealed record CheckpointedStage(
    string? Namespace,
    EquatableArray<CheckpointedContainingType> ContainingTypes,
    string TypeDeclaration,
    string HintName,
    string StageName,
    string? OutputDirectory,
    GeneratedAccessibility MemberAccessibility,
    string ItemType,
    string OutputType,
    string OutputTypeOfName,
    bool OutputIsReferenceType,
    CheckpointedKeyKind KeyKind,
    string? KeyMember,
    bool KeyMayBeNull,
    string ProcessMethod,
    bool ProcessIsStatic,
    CheckpointedReturnKind ReturnKind,
    bool TakesContext,
    bool TakesCancellationToken,
    string? JsonContextType,
    EquatableArray<ValidationRule> ValidationRules,
    string? ValidateMethod,
    bool ValidateIsStatic,
    bool ValidateReturnsBool,
    SharedFileModel? SharedFile = null);

/// <summary>A type that contains the stage class, written as a partial declaration around it.</summary>
/// <param name="Declaration">For example <c>partial class Outer&lt;T&gt;</c>.</param>
internal sealed record CheckpointedContainingType(string Declaration);

/// <summary>How the [ProcessItem] method returns its output.</summary>
internal enum CheckpointedReturnKind
{
    Sync,
    Task,
    ValueTask,
}

/// <summary>Where an item's key comes from.</summary>
internal enum CheckpointedKeyKind
{
    /// <summary>The item is a string, int, long or Guid.</summary>
    Self,

    /// <summary>A [CheckpointKey] property or field of the item.</summary>
    Member,
}
