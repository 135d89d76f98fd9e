using System.Globalization;

namespace Checkpointing.Cli;

/// <summary>How values look in tables (JSON keeps them exact).</summary>
internal static class Format
{
    public static string Money(decimal value) =>
        "$" + value.ToString(Math.Abs(value) < 10 ? "0.00##" : "#,0.00", CultureInfo.InvariantCulture);

    public static string Money(decimal? value) => value is null ? "?" : Money(value.Value);

    public static string Count(int? value) => value is null ? "?" : value.Value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value) =>
        value is null ? "-" : value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>A message on one line: errors are one line unless --verbose.</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>Durations on the command line: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>, or <c>hh:mm:ss</c>.</summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1]))
        {
            var unit = char.ToLowerInvariant(text[^1]);
            var ms = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase);
            var number = ms ? text[..^2] : text[..^1];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0 || double.IsInfinity(amount))
            {
                return false;
            }

            TimeSpan? parsed = ms ? TimeSpan.FromMilliseconds(amount) : unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                'w' => TimeSpan.FromDays(7 * amount),
                _ => null,
            };
            if (parsed is null)
            {
                return false;
            }

            value = parsed.Value;
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
