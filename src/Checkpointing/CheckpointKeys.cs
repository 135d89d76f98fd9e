using System.Globalization;

namespace Checkpointing;

/// <summary>
/// Item keys become file names (<c>&lt;key&gt;.json</c>); these helpers format keys and reject keys that
/// could escape the output folder or that a file system reserves.
/// </summary>
public static class CheckpointKeys
{
    /// <summary>The minimum width of numeric keys, zero-padded so that file names sort in numeric order.</summary>
    public const int NumericWidth = 6;

    /// <summary>The longest key accepted, in UTF-16 code units (file names are at most 255 bytes).</summary>
    public const int MaxLength = FileNameRules.MaxLength;

    /// <summary>The key of an <see cref="int"/> item: zero-padded to <see cref="NumericWidth"/> digits.</summary>
    public static string From(int item) => From((long)item);

    /// <summary>The key of a <see cref="long"/> item: zero-padded to <see cref="NumericWidth"/> digits.</summary>
    public static string From(long item) =>
        item < 0
            ? "-" + (-(decimal)item).ToString(new string('0', NumericWidth), CultureInfo.InvariantCulture)
            : item.ToString(new string('0', NumericWidth), CultureInfo.InvariantCulture);

    /// <summary>The key of a <see cref="Guid"/> item: 32 lower-case hex digits.</summary>
    public static string From(Guid item) => item.ToString("N");

    /// <summary>The key of a <see cref="string"/> item: the string itself, validated.</summary>
    public static string From(string item) => Validate(item);

    /// <summary>
    /// Returns <paramref name="key"/> when it is usable as a file name on every supported system;
    /// otherwise throws an <see cref="ArgumentException"/> that quotes it.
    /// </summary>
    public static string Validate(string key)
    {
        if (GetProblem(key) is { } problem)
        {
            throw new ArgumentException($"Item key \"{Escape(key)}\" cannot be used as a file name: {problem}.", nameof(key));
        }

        return key;
    }

    /// <summary>Why <paramref name="key"/> is not a usable key, or <see langword="null"/> when it is.</summary>
    public static string? GetProblem(string? key) => FileNameRules.GetProblem(key);

    private static string Escape(string? key)
    {
        if (key is null)
        {
            return "(null)";
        }

        var builder = new System.Text.StringBuilder(key.Length);
        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
