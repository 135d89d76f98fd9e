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
/// <param name="Header">What the type says of itself.</param>
/// <param name="Diagnostics">The header's diagnostics and those about the members.</param>
internal sealed record LsiRecordSyntaxModel(
    LsiRecordHeader Header,
    string? UnmappedMember,
    LocationInfo? UnmappedLocation,
    EquatableArray<LsiMemberModel> Members,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>What an <c>[LsiRecord]</c> type says of itself (its attribute, name, shape), with the diagnostics about it.</summary>
internal sealed record LsiRecordHeader(
    string? Namespace,
    string TypeName,
    string HintName,
    string FullyQualifiedName,
    bool IsRecord,
    string? Template,
    LocationInfo? AttributeLocation,
    bool EscapeInjection,
    string? DateFormat,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// The first step's output for one record: either the record read from symbols (<see cref="Record"/>), or its
/// declaration and the meaning of the names its members use (<see cref="Names"/>), for the next step to read them.
/// </summary>
/// <remarks>
/// Unlike every other step's value this one holds a syntax node, on purpose: a node is equal only to itself, and the
/// same node comes back exactly when its syntax tree did not change, so the step that reads the members is served from
/// its cache after an edit elsewhere. It holds no symbol and no compilation, and its tree is in the compilation anyway.
/// </remarks>
internal sealed record LsiRecordInput(
    LsiRecordHeader Header,
    Parsing.LsiRecordSyntaxReader.NameFacts? Names,
    Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax? Declaration,
    LsiRecordSyntaxModel? Record);

/// <summary>The second step's output: the record read, or the input to read again with symbols.</summary>
internal sealed record LsiRecordRead(LsiRecordSyntaxModel? Record, LsiRecordInput? NeedsBinding);

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
