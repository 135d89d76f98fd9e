namespace Checkpointing.Lsi;

/// <summary>The LSI templates built into the package, for <see cref="LsiRecordAttribute.Template"/>.</summary>
public static class LsiTemplates
{
    /// <summary>
    /// The full 119-column ACS upload header, exactly as LSI names its columns (<c>Reserved 1</c> with a space,
    /// <c>Reserved5</c> without, <c>Reserved11</c> and <c>Reserved12</c> before <c>Reserved9</c>, ...):
    /// <c>[LsiRecord(Template = LsiTemplates.Acs)]</c> needs no AdditionalFiles item.
    /// </summary>
    public const string Acs = LsiAcsTemplate.Name;

    /// <summary>The columns of <see cref="Acs"/>, in file order.</summary>
    public static IReadOnlyList<string> AcsColumns { get; } = Array.AsReadOnly(LsiAcsTemplate.Columns);
}
