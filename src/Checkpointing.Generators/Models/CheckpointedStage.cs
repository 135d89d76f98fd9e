using Checkpointing.Generators.Helpers;

namespace Checkpointing.Generators.Models;

/// <summary>Everything the emitter needs for one <c>[Checkpointed]</c> class: plain values only, so it caches.</summary>
internal sealed record CheckpointedStage(
    string? Namespace,
    EquatableArray<CheckpointedContainingType> ContainingTypes,
    string TypeDeclaration,
    string HintName,
    string StageName,
    string? OutputDirectory,
    string MemberAccessibility,
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
    EquatableArray<CheckpointedValidationRule> ValidationRules,
    string? ValidateMethod,
    bool ValidateIsStatic,
    bool ValidateReturnsBool);

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

/// <summary>One check of the generated validator, from a DataAnnotations attribute on an output property.</summary>
/// <param name="Kind">Which check.</param>
/// <param name="Member">The property or field name.</param>
/// <param name="Message">The error message, already formatted.</param>
/// <param name="Arguments">Kind-specific literals (C# source), e.g. bounds or a pattern.</param>
/// <param name="MemberIsNullable">True when the member can hold null (reference type or Nullable&lt;T&gt;).</param>
/// <param name="MemberIsString">True when the member is a string.</param>
internal sealed record CheckpointedValidationRule(
    CheckpointedRuleKind Kind,
    string Member,
    string Message,
    EquatableArray<string> Arguments,
    bool MemberIsNullable,
    bool MemberIsString);

/// <summary>The supported DataAnnotations checks.</summary>
internal enum CheckpointedRuleKind
{
    /// <summary>Not null; for strings (unless empty strings are allowed) not empty or white space.</summary>
    Required,

    /// <summary>Arguments: minimum, maximum, "&lt;" or "&lt;=" for each bound, optional cast prefix.</summary>
    Range,

    /// <summary>Arguments: minimum length, maximum length, length member ("Length" or "Count").</summary>
    Length,

    /// <summary>Arguments: the pattern as a C# literal.</summary>
    RegularExpression,
}
