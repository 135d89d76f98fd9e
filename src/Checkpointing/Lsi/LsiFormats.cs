using System.Globalization;

namespace Checkpointing.Lsi;

/// <summary>
/// The value formats of LSI ACS files, written and read back. Every <c>Parse</c> method accepts exactly what
/// the matching <c>Format</c> method writes (and a little slack a spreadsheet introduces: surrounding spaces,
/// a missing <c>$</c> or <c>%</c>) and throws a <see cref="FormatException"/> that names the expected format.
/// </summary>
public static class LsiFormats
{
    /// <summary>The date format of LSI files.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Removes hyphens and spaces from an ISBN (<c>978-1-23-456789-7</c> becomes <c>9781234567897</c>).</summary>
    public static string NormalizeIsbn(string? isbn)
    {
        if (string.IsNullOrEmpty(isbn))
        {
            return "";
        }

        return string.Create(isbn.Length - CountSeparators(isbn), isbn, static (span, source) =>
        {
            var i = 0;
            foreach (var c in source)
            {
                if (c is not ('-' or ' '))
                {
                    span[i++] = c;
                }
            }
        });
    }

    /// <summary>
    /// Removes hyphens and spaces from an ISBN without allocating in the usual cases (the generated writers use
    /// it): the ISBN itself when it has none, else the clean-up written into <paramref name="buffer"/>; only an
    /// ISBN with separators longer than the buffer gets a new string.
    /// </summary>
    /// <returns>The ISBN without hyphens and spaces; empty for <see langword="null"/>.</returns>
    public static ReadOnlySpan<char> NormalizeIsbn(string? isbn, Span<char> buffer)
    {
        if (string.IsNullOrEmpty(isbn))
        {
            return default;
        }

        if (isbn.AsSpan().IndexOfAny('-', ' ') < 0)
        {
            return isbn;
        }

        if (isbn.Length > buffer.Length)
        {
            return NormalizeIsbn(isbn);
        }

        var length = 0;
        foreach (var c in isbn)
        {
            if (c is not ('-' or ' '))
            {
                buffer[length++] = c;
            }
        }

        return buffer[..length];
    }

    /// <summary>
    /// Checks an ISBN after <see cref="NormalizeIsbn(string?)"/>: 13 digits with a valid ISBN-13 check digit, or
    /// 10 characters with a valid ISBN-10 check digit.
    /// </summary>
    /// <param name="isbn">The ISBN, with or without hyphens.</param>
    /// <param name="error">Why it is not valid; <see langword="null"/> when it is.</param>
    /// <returns>Whether the ISBN is valid.</returns>
    public static bool TryValidateIsbn(string? isbn, out string? error)
    {
        var normalized = NormalizeIsbn(isbn);
        if (normalized.Length == 13)
        {
            if (!IsAllDigits(normalized))
            {
                error = $"ISBN-13 '{normalized}' must contain only digits";
                return false;
            }

            var sum = 0;
            for (var i = 0; i < 12; i++)
            {
                sum += (normalized[i] - '0') * (i % 2 == 0 ? 1 : 3);
            }

            var check = (10 - (sum % 10)) % 10;
            if (normalized[12] - '0' != check)
            {
                error = $"ISBN-13 '{normalized}' has check digit {normalized[12]} but should have {check}";
                return false;
            }

            error = null;
            return true;
        }

        if (normalized.Length == 10)
        {
            if (!IsAllDigits(normalized.AsSpan(0, 9)) || !(char.IsAsciiDigit(normalized[9]) || normalized[9] is 'X' or 'x'))
            {
                error = $"ISBN-10 '{normalized}' must be 9 digits followed by a digit or X";
                return false;
            }

            var sum = 0;
            for (var i = 0; i < 9; i++)
            {
                sum += (normalized[i] - '0') * (10 - i);
            }

            var check = (11 - (sum % 11)) % 11;
            var actual = normalized[9] is 'X' or 'x' ? 10 : normalized[9] - '0';
            if (actual != check)
            {
                error = $"ISBN-10 '{normalized}' has check digit {normalized[9]} but should have {(check == 10 ? "X" : check.ToString(CultureInfo.InvariantCulture))}";
                return false;
            }

            error = null;
            return true;
        }

        error = $"ISBN '{isbn}' has {normalized.Length} characters after removing hyphens and spaces; expected 13 (ISBN-13) or 10 (ISBN-10)";
        return false;
    }

    /// <summary>Formats a US price as <c>$24.99</c> (two decimals, invariant culture).</summary>
    public static string FormatUsdPrice(decimal value) =>
        value < 0
            ? "-$" + (-value).ToString("F2", CultureInfo.InvariantCulture)
            : "$" + value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats a US price as <c>$24.99</c> into <paramref name="destination"/> without allocating (the generated
    /// writers use it; 32 characters always suffice).
    /// </summary>
    /// <returns>The number of characters written.</returns>
    public static int FormatUsdPrice(decimal value, Span<char> destination)
    {
        var start = 0;
        if (value < 0)
        {
            destination[start++] = '-';
            value = -value;
        }

        destination[start++] = '$';
        if (!value.TryFormat(destination[start..], out var written, "F2", CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("The destination is too small for a price.", nameof(destination));
        }

        return start + written;
    }

    /// <summary>Parses a US price written as <c>$24.99</c> (the <c>$</c> may be missing).</summary>
    /// <exception cref="FormatException">The text is not a price.</exception>
    public static decimal ParseUsdPrice(string text)
    {
        var span = text.AsSpan().Trim();
        var negative = span.StartsWith("-");
        if (negative)
        {
            span = span[1..];
        }

        if (span.StartsWith("$"))
        {
            span = span[1..];
        }

        if (span.IsEmpty || !decimal.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a US price; expected a value such as $24.99.");
        }

        return negative ? -value : value;
    }

    /// <summary>Formats a number of percent as <c>40%</c> (invariant culture, the value's own decimals).</summary>
    public static string FormatPercent(decimal percent) =>
        percent.ToString(CultureInfo.InvariantCulture) + "%";

    /// <summary>Formats a number of percent as <c>40%</c> into <paramref name="destination"/> without allocating (32 characters always suffice).</summary>
    /// <returns>The number of characters written.</returns>
    public static int FormatPercent(decimal percent, Span<char> destination)
    {
        // The default format keeps the value's own scale (40 -> 40, 37.5 -> 37.5) and is much faster than a custom one.
        if (!percent.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture) || written >= destination.Length)
        {
            throw new ArgumentException("The destination is too small for a percentage.", nameof(destination));
        }

        destination[written] = '%';
        return written + 1;
    }

    /// <summary>Parses a percentage written as <c>40%</c> (the <c>%</c> may be missing) into 40.</summary>
    /// <exception cref="FormatException">The text is not a percentage.</exception>
    public static decimal ParsePercent(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.EndsWith("%"))
        {
            span = span[..^1].TrimEnd();
        }

        if (span.IsEmpty || !decimal.TryParse(span, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a percentage; expected a value such as 40%.");
        }

        return value;
    }

    /// <summary>Formats a plain number with the invariant culture (<c>12.5</c>).</summary>
    public static string FormatDecimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a plain number written with the invariant culture.</summary>
    /// <exception cref="FormatException">The text is not a number.</exception>
    public static decimal ParseDecimal(string text)
    {
        if (!decimal.TryParse(text.AsSpan().Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a number; expected an invariant-culture decimal such as 12.50.");
        }

        return value;
    }

    /// <summary>Formats a date as <c>yyyy-MM-dd</c>.</summary>
    public static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a date written as <c>yyyy-MM-dd</c>.</summary>
    /// <exception cref="FormatException">The text is not such a date.</exception>
    public static DateOnly ParseDate(string text)
    {
        if (!DateOnly.TryParseExact(text.AsSpan().Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new FormatException($"'{text}' is not a date; expected yyyy-MM-dd such as 2025-03-15.");
        }

        return date;
    }

    /// <summary>Formats a date and time as its date, <c>yyyy-MM-dd</c> (LSI columns hold dates only).</summary>
    public static string FormatDate(DateTime date) => FormatDate(DateOnly.FromDateTime(date));

    /// <summary>Parses a date written as <c>yyyy-MM-dd</c> into a <see cref="DateTime"/> at midnight.</summary>
    /// <exception cref="FormatException">The text is not such a date.</exception>
    public static DateTime ParseDateTime(string text) => ParseDate(text).ToDateTime(TimeOnly.MinValue);

    /// <summary>Formats a boolean as LSI's <c>Yes</c> or <c>No</c>.</summary>
    public static string FormatYesNo(bool value) => value ? "Yes" : "No";

    /// <summary>Parses <c>Yes</c>/<c>No</c> (also <c>Y</c>/<c>N</c>, <c>True</c>/<c>False</c>), ignoring case.</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static bool ParseYesNo(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.Equals("yes", StringComparison.OrdinalIgnoreCase) || span.Equals("y", StringComparison.OrdinalIgnoreCase) || span.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (span.Equals("no", StringComparison.OrdinalIgnoreCase) || span.Equals("n", StringComparison.OrdinalIgnoreCase) || span.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new FormatException($"'{text}' is not a yes/no value; expected Yes or No.");
    }

    /// <summary>Parses an integer written with the invariant culture.</summary>
    /// <exception cref="FormatException">The text is not an integer.</exception>
    public static long ParseInteger(string text)
    {
        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a whole number.");
        }

        return value;
    }

    private static int CountSeparators(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (c is '-' or ' ')
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
