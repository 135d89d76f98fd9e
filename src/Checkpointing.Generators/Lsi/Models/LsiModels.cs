using System.Linq;
using Checkpointing.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Lsi.Models;

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

/// <summary>A diagnostic with its location, held by value in pipeline models.</summary>
internal sealed record LsiDiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static LsiDiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Select(a => (object)a).ToArray());
}

/// <summary>What the parser found on one <c>[LsiRecord]</c> type, before the template is known.</summary>
internal sealed record LsiRecordSyntaxModel(
    string? Namespace,
    string TypeName,
    string FullyQualifiedName,
    bool IsRecord,
    string? Template,
    LocationInfo? AttributeLocation,
    bool EscapeInjection,
    string? DateFormat,
    string? UnmappedMember,
    LocationInfo? UnmappedLocation,
    EquatableArray<LsiMemberModel> Members,
    EquatableArray<LsiDiagnosticInfo> Diagnostics);

/// <summary>The header of an LSI template additional file.</summary>
internal sealed record LsiTemplate(string FileName, EquatableArray<string> Columns, string? Error);

/// <summary>One output column: a template or member column, mapped to a member (index into Members) or not (-1).</summary>
internal sealed record LsiColumnModel(string Name, int MemberIndex);

/// <summary>Everything the emitter needs for one type, with the diagnostics of parsing and template checks.</summary>
internal sealed record LsiRecordModel(
    string? Namespace,
    string TypeName,
    string FullyQualifiedName,
    bool IsRecord,
    string? Template,
    bool EscapeInjection,
    string? DateFormat,
    string? UnmappedMember,
    EquatableArray<LsiMemberModel> Members,
    EquatableArray<LsiColumnModel> Columns,
    EquatableArray<LsiDiagnosticInfo> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
}
