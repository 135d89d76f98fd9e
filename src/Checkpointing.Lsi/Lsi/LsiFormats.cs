using System.Globalization;

namespace Checkpointing.Lsi;

/// <summary>
/// The value formats of LSI ACS files, written as LSI's own files write them (prices <c>24.95</c>, discounts
/// <c>40</c>) and read as real files and spreadsheets hold them (<c>$24.95</c>, <c>£15.99</c>, <c>40%</c>,
/// <c>9/9/25</c>). Every <c>Parse</c> method accepts what the matching <c>Format</c> method writes and throws a
/// <see cref="FormatException"/> that names the expected format.
/// </summary>
public static class LsiFormats
{
    /// <summary>The date format written when a column or record names none.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    // M/d/yyyy before M/d/yy: a four-digit year must not be cut to two.
    private static readonly string[] ReadDateFormats = ["yyyy-MM-dd", "M/d/yyyy", "M/d/yy", "d-MMM-yy", "d-MMM-yyyy"];

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

    /// <summary>Formats a price as LSI takes it: a bare invariant number with two decimals, <c>24.95</c>, whatever the currency.</summary>
    public static string FormatPrice(decimal value) => value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats a price as <c>24.95</c> into <paramref name="destination"/> without allocating (the generated writers
    /// use it; 32 characters always suffice).
    /// </summary>
    /// <returns>The number of characters written.</returns>
    public static int FormatPrice(decimal value, Span<char> destination)
    {
        if (!value.TryFormat(destination, out var written, "F2", CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("The destination is too small for a price.", nameof(destination));
        }

        return written;
    }

    /// <summary>
    /// Parses a price in any currency: a number with or without a leading currency symbol (<c>$24.95</c>,
    /// <c>£15.99</c>, <c>€21.95</c>, <c>A$38.95</c>, <c>24.95</c>), surrounding spaces and a leading minus sign.
    /// </summary>
    /// <exception cref="FormatException">The text is not a price.</exception>
    public static decimal ParsePrice(string text)
    {
        var span = text.AsSpan().Trim();
        var negative = span.StartsWith("-");
        if (negative)
        {
            span = span[1..].TrimStart();
        }

        // A symbol with an optional country prefix of up to three letters: $, £, €, ¥, A$, C$, US$, HK$.
        var letters = 0;
        while (letters < span.Length && letters < 3 && char.IsAsciiLetter(span[letters]))
        {
            letters++;
        }

        if (letters < span.Length && CharUnicodeInfo.GetUnicodeCategory(span[letters]) == UnicodeCategory.CurrencySymbol)
        {
            span = span[(letters + 1)..].TrimStart();
        }

        if (!negative && span.StartsWith("-"))
        {
            // $-24.95
            negative = true;
            span = span[1..];
        }

        // No thousands separators: "24,99" is a European 24.99 as often as an American 2,499.
        if (span.IsEmpty || !decimal.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a price; expected a number such as 24.95 (a leading currency symbol such as $ or £ is allowed).");
        }

        return negative ? -value : value;
    }

    /// <summary>Formats a US price as LSI takes it, <c>24.95</c>; the same as <see cref="FormatPrice(decimal)"/>.</summary>
    public static string FormatUsdPrice(decimal value) => FormatPrice(value);

    /// <summary>Formats a US price as <c>24.95</c> into <paramref name="destination"/>; the same as <see cref="FormatPrice(decimal, Span{char})"/>.</summary>
    /// <returns>The number of characters written.</returns>
    public static int FormatUsdPrice(decimal value, Span<char> destination) => FormatPrice(value, destination);

    /// <summary>Parses a US price written as <c>24.95</c> or <c>$24.95</c>; the same as <see cref="ParsePrice(string)"/>.</summary>
    /// <exception cref="FormatException">The text is not a price.</exception>
    public static decimal ParseUsdPrice(string text) => ParsePrice(text);

    /// <summary>Formats a number of percent as LSI takes it, bare: <c>40</c> for 40% (invariant culture, the value's own decimals).</summary>
    public static string FormatPercent(decimal percent) => percent.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a number of percent as <c>40</c> into <paramref name="destination"/> without allocating (32 characters always suffice).</summary>
    /// <returns>The number of characters written.</returns>
    public static int FormatPercent(decimal percent, Span<char> destination)
    {
        // The default format keeps the value's own scale (40 -> 40, 37.5 -> 37.5) and is much faster than a custom one.
        if (!percent.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("The destination is too small for a percentage.", nameof(destination));
        }

        return written;
    }

    /// <summary>Parses a percentage written as <c>40</c> or <c>40%</c> into 40.</summary>
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
            throw new FormatException($"'{text}' is not a percentage; expected a number of percent such as 40 (or 40%).");
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

    /// <summary>Formats a date with a .NET date format, invariant culture, such as <c>M/d/yy</c> (<c>9/9/25</c>).</summary>
    public static string FormatDate(DateOnly date, string format) => date.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a date as LSI files and the spreadsheets they pass through write it (invariant culture):
    /// <c>yyyy-MM-dd</c> (<c>2025-09-09</c>), <c>M/d/yy</c> (<c>9/9/25</c>, years 1950 to 2049), <c>M/d/yyyy</c>
    /// (<c>9/9/2025</c>) or <c>d-MMM-yy</c> (<c>9-Sep-25</c>).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static DateOnly ParseDate(string text) => ParseDate(text, null);

    /// <summary>
    /// Parses a date written with <paramref name="format"/> (a column's <c>DateFormat</c>) or any format of
    /// <see cref="ParseDate(string)"/>.
    /// </summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static DateOnly ParseDate(string text, string? format)
    {
        var span = text.AsSpan().Trim();
        if (format is not null && DateOnly.TryParseExact(span, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        if (DateOnly.TryParseExact(span, ReadDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return date;
        }

        throw new FormatException(
            $"'{text}' is not a date; expected {(format is null ? "" : format + ", ")}yyyy-MM-dd (2025-09-09), M/d/yy (9/9/25), M/d/yyyy (9/9/2025) or d-MMM-yy (9-Sep-25).");
    }

    /// <summary>Formats a date and time as its date, <c>yyyy-MM-dd</c> (LSI columns hold dates only).</summary>
    public static string FormatDate(DateTime date) => FormatDate(DateOnly.FromDateTime(date));

    /// <summary>Parses a date as <see cref="ParseDate(string)"/> does into a <see cref="DateTime"/> at midnight.</summary>
    /// <exception cref="FormatException">The text is not such a date.</exception>
    public static DateTime ParseDateTime(string text) => ParseDate(text).ToDateTime(TimeOnly.MinValue);

    /// <summary>Parses a date as <see cref="ParseDate(string, string?)"/> does into a <see cref="DateTime"/> at midnight.</summary>
    /// <exception cref="FormatException">The text is not such a date.</exception>
    public static DateTime ParseDateTime(string text, string? format) => ParseDate(text, format).ToDateTime(TimeOnly.MinValue);

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
