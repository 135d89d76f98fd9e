using System.Collections.Frozen;

namespace Checkpointing.Lsi;

/// <summary>
/// LSI's code lists, shipped with the package (generated from the lists LSI publishes for ACS files), which
/// <c>Validate()</c> checks the columns that carry them against, so a bad code is found now rather than days later
/// in LSI's rejection report.
/// </summary>
public static class LsiCodeLists
{
    /// <summary>The valid values of <c>Rendition /Booktype</c> (compared exactly, after trimming surrounding spaces).</summary>
    public static IReadOnlySet<string> RenditionBooktypes { get; } = LsiCodeListData.RenditionBooktypes.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The contributor role codes of <c>Contributor One Role</c> and the other role columns, such as <c>A</c> (Author)
    /// or <c>E</c> (Editor); values are trimmed before they are compared.
    /// </summary>
    public static IReadOnlySet<string> ContributorRoles { get; } = LsiCodeListData.ContributorRoles.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The language codes of <c>Language Code</c> (ISO 639-2/B; LSI lists them upper case, files often hold <c>eng</c>: compared ignoring case).</summary>
    public static IReadOnlySet<string> LanguageCodes { get; } = LsiCodeListData.LanguageCodes.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The values of <c>Returnable</c>: <c>Yes-Destroy</c>, <c>Yes-Deliver</c>, <c>No</c>.</summary>
    public static IReadOnlySet<string> ReturnableValues { get; } = new[] { "Yes-Destroy", "Yes-Deliver", "No" }.ToFrozenSet(StringComparer.Ordinal);
}
