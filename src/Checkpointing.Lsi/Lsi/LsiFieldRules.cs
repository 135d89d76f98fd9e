using System.Globalization;

namespace Checkpointing.Lsi;

/// <summary>
/// The field rules LSI enforces on ACS rows, checked by the generated <c>Validate()</c> on whichever of their columns a
/// record has (mapped to a member or kept in its <see cref="LsiUnmappedColumnsAttribute"/> dictionary): code lists
/// (<see cref="LsiCodeLists"/>), the lengths of <c>Short Description</c> (350) and <c>Annotation / Summary</c>
/// (4,000), numeric <c>Min Age</c>/<c>Max Age</c> with min &lt;= max, and each contributor with its role.
/// </summary>
public sealed class LsiFieldRules
{
    /// <summary>The longest <c>Short Description</c> LSI takes.</summary>
    public const int ShortDescriptionMaxLength = 350;

    /// <summary>The longest <c>Annotation / Summary</c> LSI takes.</summary>
    public const int AnnotationMaxLength = 4000;

    private static readonly (string Name, string Role)[] Contributors =
    [
        ("Contributor One", "Contributor One Role"),
        ("Contributor Two", "Contributor Two Role"),
        ("Contributor Three", "Contributor Three Role"),
    ];

    private readonly Dictionary<string, string> _members;

    private LsiFieldRules(Dictionary<string, string> members) => _members = members;

    /// <summary>
    /// The rules of a record type: those of its columns (generated code calls this once per type).
    /// </summary>
    /// <param name="columns">The record's columns (its generated <c>LsiColumns</c>).</param>
    /// <param name="unmappedMember">The <see cref="LsiUnmappedColumnsAttribute"/> member, or <see langword="null"/> when unmapped columns are always empty.</param>
    public static LsiFieldRules For(IReadOnlyList<LsiColumnInfo> columns, string? unmappedMember)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Member is { } member)
            {
                members[column.Name] = member;
            }
            else if (unmappedMember is not null)
            {
                members[column.Name] = $"{unmappedMember}[\"{column.Name}\"]";
            }
        }

        return new LsiFieldRules(members);
    }

    /// <summary>Adds an error for each rule a record breaks.</summary>
    /// <param name="errors">Where errors are added.</param>
    /// <param name="record">The record, such as <c>LsiBook 9781608884131</c>.</param>
    /// <param name="text">The text of a column as written, or <see langword="null"/> when it is empty.</param>
    public void Check(List<LsiValidationError> errors, string record, Func<string, string?> text)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(errors, record, text, "Short Description", ShortDescriptionMaxLength);
        CheckLength(errors, record, text, "Annotation / Summary", AnnotationMaxLength);
        CheckCode(errors, record, text, "Rendition /Booktype", LsiCodeLists.RenditionBooktypes, "is not one of LSI's 636 book types (LsiCodeLists.RenditionBooktypes)", suggest: true);
        CheckCode(errors, record, text, "Returnable", LsiCodeLists.ReturnableValues, "must be Yes-Destroy, Yes-Deliver or No", suggest: false);
        CheckCode(errors, record, text, "Language Code", LsiCodeLists.LanguageCodes, "is not one of LSI's language codes (ISO 639-2/B such as eng; LsiCodeLists.LanguageCodes)", suggest: false);
        foreach (var (name, role) in Contributors)
        {
            CheckCode(errors, record, text, role, LsiCodeLists.ContributorRoles, "is not an LSI contributor role code (such as A for Author, E for Editor; LsiCodeLists.ContributorRoles)", suggest: false);
            var hasName = Value(text, name) is not null;
            var hasRole = Value(text, role) is not null;
            if (hasRole && !hasName && _members.ContainsKey(name))
            {
                Add(errors, record, role, Value(text, role), $"gives a role but '{name}' is empty; LSI rejects a role without a contributor");
            }
            else if (hasName && !hasRole && _members.ContainsKey(role))
            {
                Add(errors, record, name, Value(text, name), $"names a contributor but '{role}' is empty; LSI needs the role of each contributor");
            }
        }

        var minAge = CheckAge(errors, record, text, "Min Age");
        var maxAge = CheckAge(errors, record, text, "Max Age");
        if (minAge > maxAge)
        {
            Add(errors, record, "Min Age", Value(text, "Min Age"), $"is greater than Max Age ({maxAge})");
        }
    }

    private string? Value(Func<string, string?> text, string column)
    {
        if (!_members.ContainsKey(column))
        {
            return null;
        }

        var value = text(column);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private void Add(List<LsiValidationError> errors, string record, string column, string? value, string message) =>
        errors.Add(new LsiValidationError(record, column, _members[column], value is { Length: > 60 } ? value[..60] + "…" : value, message));

    private void CheckLength(List<LsiValidationError> errors, string record, Func<string, string?> text, string column, int maxLength)
    {
        if (Value(text, column) is { } value && value.Length > maxLength)
        {
            Add(errors, record, column, value, $"is {value.Length} characters long; LSI takes at most {maxLength}");
        }
    }

    private void CheckCode(List<LsiValidationError> errors, string record, Func<string, string?> text, string column, IReadOnlySet<string> codes, string message, bool suggest)
    {
        if (Value(text, column) is not { } value || codes.Contains(value.Trim()))
        {
            return;
        }

        var hint = suggest && Closest(value.Trim(), codes) is { } closest ? $"; did you mean '{closest}'?" : "";
        Add(errors, record, column, value, message + hint);
    }

    private int? CheckAge(List<LsiValidationError> errors, string record, Func<string, string?> text, string column)
    {
        if (Value(text, column) is not { } value)
        {
            return null;
        }

        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var age))
        {
            return age;
        }

        Add(errors, record, column, value, "must be a whole number of years (such as 12); LSI takes no words here, leave it empty for adults");
        return null;
    }

    private static string? Closest(string value, IReadOnlySet<string> codes)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var code in codes)
        {
            var distance = EditDistance(value, code, bestDistance);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (code, distance);
            }
        }

        return bestDistance <= Math.Max(2, value.Length / 4) ? best : null;
    }

    /// <summary>Levenshtein distance, ignoring case; stops early once a row exceeds <paramref name="limit"/>. Also the
    /// `checkpoint` tool's "did you mean" for header names.</summary>
    internal static int EditDistance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) >= limit)
        {
            return limit;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin >= limit)
            {
                return limit;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
