using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Lsi.Model;

/// <summary>The CLR shape of a mapped member (the underlying type of a nullable).</summary>
internal enum LsiMemberKind
{
    String,
    Int32,
    Int64,
    Decimal,
    Double,
    Boolean,
    DateOnly,
    DateTime,
}

/// <summary>Mirrors <c>Checkpointing.Lsi.LsiFormat</c>; the generator never references the runtime.</summary>
internal enum LsiFormatKind
{
    Default = 0,
    Text = 1,
    Isbn = 2,
    UsdPrice = 3,
    Percent = 4,
    Date = 5,
    YesNo = 6,
    Decimal = 7,
    Price = 8,
}

/// <summary>A member with <c>[LsiColumn]</c>.</summary>
/// <remarks><see cref="Location"/> serves diagnostics only; the model given to the emitter has none, so moving a line re-emits nothing.</remarks>
internal sealed record LsiMemberModel(
    string MemberName,
    string ColumnName,
    LsiMemberKind Kind,
    bool IsNullable,
    LsiFormatKind Format,
    bool Required,
    int MaxLength,
    string? DateFormat,
    LocationInfo? Location);

/// <summary>What the parser found on one <c>[LsiRecord]</c> type, before the template is known.</summary>
internal sealed record LsiRecordSyntaxModel(
    string? Namespace,
    string TypeName,
    string HintName,
    string FullyQualifiedName,
    bool IsRecord,
    string? Template,
    LocationInfo? AttributeLocation,
    bool EscapeInjection,
    string? DateFormat,
    string? UnmappedMember,
    LocationInfo? UnmappedLocation,
    EquatableArray<LsiMemberModel> Members,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>The header of an LSI template additional file.</summary>
internal sealed record LsiTemplate(string FileName, EquatableArray<string> Columns, string? Error);

/// <summary>One output column: a template or member column, mapped to a member (index into Members) or not (-1).</summary>
internal sealed record LsiColumnModel(string Name, int MemberIndex);

/// <summary>Everything the emitter needs for one type: values only, no locations.</summary>
internal sealed record LsiRecordModel(
    string? Namespace,
    string TypeName,
    string HintName,
    string FullyQualifiedName,
    bool IsRecord,
    string? Template,
    bool EscapeInjection,
    string? DateFormat,
    string? UnmappedMember,
    EquatableArray<LsiMemberModel> Members,
    EquatableArray<LsiColumnModel> Columns);

/// <summary>
/// What resolving a record against its template gave: the model to emit (null when an error was found) and
/// every diagnostic of parsing and template checks, which the generator reports apart from the source.
/// </summary>
internal sealed record LsiResolveResult(LsiRecordModel? Record, EquatableArray<DiagnosticInfo> Diagnostics);
