using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Diagnostics;

internal static partial class DiagnosticDescriptors
{
    private const string LsiCategory = "Checkpointing.LsiRecord";

    private static string LsiHelp(string id) => "https://github.com/checkpointing/checkpointing/blob/main/docs/diagnostics/" + id + ".md";

    public static readonly DiagnosticDescriptor LsiRecordNotPartial = new(
        "CKPT201", "LSI record type must be partial",
        "Type '{0}' has [LsiRecord] but is not partial. Add the 'partial' modifier so the generator can add its CSV writer and mapper.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT201"));

    // The last argument is a whole sentence (a suggestion or a fix), which RS1032 cannot see.
#pragma warning disable RS1032
    public static readonly DiagnosticDescriptor LsiUnknownColumn = new(
        "CKPT202", "LSI column is not in the template",
        "Column '{0}' of '{1}' is not in the LSI template '{2}'. {3}",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT202"));
#pragma warning restore RS1032

    public static readonly DiagnosticDescriptor LsiDuplicateColumn = new(
        "CKPT203", "LSI column is mapped twice",
        "Column '{0}' is mapped by both '{1}' and '{2}'. Map each LSI column to one member.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT203"));

    public static readonly DiagnosticDescriptor LsiUnsupportedMemberType = new(
        "CKPT204", "LSI column member has an unsupported type",
        "Member '{0}' has type '{1}', which an LSI column cannot hold. Use string, int, long, decimal, double, bool, DateOnly or DateTime (or their nullable forms).",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT204"));

    public static readonly DiagnosticDescriptor LsiTemplateNotFound = new(
        "CKPT205", "LSI template file not found",
        "The LSI template '{0}' of '{1}' is not an AdditionalFiles item. Add <AdditionalFiles Include=\"{0}\" /> to the project, or remove Template to write the mapped columns only.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT205"));

    public static readonly DiagnosticDescriptor LsiTemplateUnreadable = new(
        "CKPT206", "LSI template file cannot be used",
        "The LSI template '{0}' of '{1}' cannot be used: {2}. Its first line must be the LSI header: column names separated by commas, each bare or in double quotes.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT206"));

    public static readonly DiagnosticDescriptor LsiRequiredNeverEmpty = new(
        "CKPT207", "Required LSI column can never be empty",
        "Member '{0}' is a Required LSI column but its type '{1}' is a non-nullable value type, so it is never empty and the check can never fail. Make it '{1}?' or remove Required.",
        LsiCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT207"));

    // The last argument is a whole sentence (a suggestion or a fix), which RS1032 cannot see.
#pragma warning disable RS1032
    public static readonly DiagnosticDescriptor LsiFormatNotApplicable = new(
        "CKPT208", "LSI format does not fit the member type",
        "Format {0} cannot be used for member '{1}' of type '{2}'. {3}",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT208"));
#pragma warning restore RS1032

    public static readonly DiagnosticDescriptor LsiRecordNestedOrGeneric = new(
        "CKPT209", "LSI record type must be a top-level non-generic class",
        "Type '{0}' has [LsiRecord] but is {1}. Declare it as a top-level, non-generic class.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT209"));

    public static readonly DiagnosticDescriptor LsiMemberNotReadWrite = new(
        "CKPT210", "LSI column member must be readable and settable",
        "Member '{0}' cannot be an LSI column: {1}. Use an instance property with get and set accessors, or a non-readonly instance field.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT210"));

    public static readonly DiagnosticDescriptor LsiNoColumns = new(
        "CKPT211", "LSI record has no columns",
        "Type '{0}' has [LsiRecord] but no [LsiColumn] members and no template, so its rows would have no fields. Add [LsiColumn(\"...\")] to its members or set Template.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT211"));

    public static readonly DiagnosticDescriptor LsiRecordNotConstructible = new(
        "CKPT212", "LSI record type cannot be created by its mapper",
        "Type '{0}' has [LsiRecord] but {1}, so the generated mapper cannot create records when reading. Make it a non-abstract class with a parameterless constructor (any accessibility).",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT212"));

    public static readonly DiagnosticDescriptor LsiIsbnColumnWithoutFormat = new(
        "CKPT213", "ISBN column has no format",
        "Column '{0}' looks like an ISBN but member '{1}' has no Format, so its check digit is never validated. Add Format = LsiFormat.Isbn, or Format = LsiFormat.Text if it holds a SKU.",
        LsiCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT213"));

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsShape = new(
        "CKPT214", "Unmapped-columns member must be a settable Dictionary<string, string> property",
        "Member '{0}' has [LsiUnmappedColumns] but {1}. Declare it as 'public Dictionary<string, string> {0} {{ get; set; }} = new();'.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT214"));

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsTwice = new(
        "CKPT215", "Several unmapped-columns members",
        "Type '{0}' has [LsiUnmappedColumns] on both '{1}' and '{2}'. Keep it on one member.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT215"));

    public static readonly DiagnosticDescriptor LsiUnmappedColumnsWithoutTemplate = new(
        "CKPT216", "Unmapped columns need a template",
        "Member '{0}' has [LsiUnmappedColumns] but '{1}' has no template, so it has no unmapped columns to keep. Set [LsiRecord(Template = ...)] (LsiTemplates.Acs or an AdditionalFiles header), or remove the member.",
        LsiCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: LsiHelp("CKPT216"));
}
