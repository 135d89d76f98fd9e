using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Diagnostics;

internal static partial class DiagnosticDescriptors
{
    private const string LsiCategory = "Checkpointing.LsiRecord";

    public static readonly DiagnosticDescriptor LsiRecordNotPartial = Lsi(
        "CKPT201", "LSI record type must be partial",
        "Type '{0}' has [LsiRecord] but is not partial. Add the 'partial' modifier so the generator can add its CSV writer and mapper.",
        DiagnosticSeverity.Error);

    // The last argument is a whole sentence (a suggestion or a fix), which RS1032 cannot see.
#pragma warning disable RS1032
    public static readonly DiagnosticDescriptor LsiUnknownColumn = Lsi(
        "CKPT202", "LSI column is not in the template",
        "Column '{0}' of '{1}' is not in the LSI template '{2}'. {3}",
        DiagnosticSeverity.Error);
#pragma warning restore RS1032

    public static readonly DiagnosticDescriptor LsiDuplicateColumn = Lsi(
        "CKPT203", "LSI column is mapped twice",
        "Column '{0}' is mapped by both '{1}' and '{2}'. Map each LSI column to one member.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiUnsupportedMemberType = Lsi(
        "CKPT204", "LSI column member has an unsupported type",
        "Member '{0}' has type '{1}', which an LSI column cannot hold. Use string, int, long, decimal, double, bool, DateOnly or DateTime (or their nullable forms).",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiTemplateNotFound = Lsi(
        "CKPT205", "LSI template file not found",
        "The LSI template '{0}' of '{1}' is not an AdditionalFiles item. Add <AdditionalFiles Include=\"{0}\" /> to the project, or remove Template to write the mapped columns only.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiTemplateUnreadable = Lsi(
        "CKPT206", "LSI template file cannot be used",
        "The LSI template '{0}' of '{1}' cannot be used: {2}. Its first line must be the LSI header: column names separated by commas, each bare or in double quotes.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiRequiredNeverEmpty = Lsi(
        "CKPT207", "Required LSI column can never be empty",
        "Member '{0}' is a Required LSI column but its type '{1}' is a non-nullable value type, so it is never empty and the check can never fail. Make it '{1}?' or remove Required.",
        DiagnosticSeverity.Warning);

    // The last argument is a whole sentence (a suggestion or a fix), which RS1032 cannot see.
#pragma warning disable RS1032
    public static readonly DiagnosticDescriptor LsiFormatNotApplicable = Lsi(
        "CKPT208", "LSI format does not fit the member type",
        "Format {0} cannot be used for member '{1}' of type '{2}'. {3}",
        DiagnosticSeverity.Error);
#pragma warning restore RS1032

    public static readonly DiagnosticDescriptor LsiRecordNestedOrGeneric = Lsi(
        "CKPT209", "LSI record type must be a top-level non-generic class",
        "Type '{0}' has [LsiRecord] but is {1}. Declare it as a top-level, non-generic class.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiMemberNotReadWrite = Lsi(
        "CKPT210", "LSI column member must be readable and settable",
        "Member '{0}' cannot be an LSI column: {1}. Use an instance property with get and set accessors, or a non-readonly instance field.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiNoColumns = Lsi(
        "CKPT211", "LSI record has no columns",
        "Type '{0}' has [LsiRecord] but no [LsiColumn] members and no template, so its rows would have no fields. Add [LsiColumn(\"...\")] to its members or set Template.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiRecordNotConstructible = Lsi(
        "CKPT212", "LSI record type cannot be created by its mapper",
        "Type '{0}' has [LsiRecord] but {1}, so the generated mapper cannot create records when reading. Make it a non-abstract class with a parameterless constructor (any accessibility).",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiIsbnColumnWithoutFormat = Lsi(
        "CKPT213", "ISBN column has no format",
        "Column '{0}' looks like an ISBN but member '{1}' has no Format, so its check digit is never validated. Add Format = LsiFormat.Isbn, or Format = LsiFormat.Text if it holds a SKU.",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsShape = Lsi(
        "CKPT214", "Unmapped-columns member must be a settable Dictionary<string, string> property",
        "Member '{0}' has [LsiUnmappedColumns] but {1}. Declare it as 'public Dictionary<string, string> {0} {{ get; set; }} = new();'.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsTwice = Lsi(
        "CKPT215", "Several unmapped-columns members",
        "Type '{0}' has [LsiUnmappedColumns] on both '{1}' and '{2}'. Keep it on one member.",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsWithoutTemplate = Lsi(
        "CKPT216", "Unmapped columns need a template",
        "Member '{0}' has [LsiUnmappedColumns] but '{1}' has no template, so it has no unmapped columns to keep. Set [LsiRecord(Template = ...)] (LsiTemplates.Acs or an AdditionalFiles header), or remove the member.",
        DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Lsi(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, LsiCategory, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
