using Checkpointing.Lsi;

namespace Checkpointing.Tests.Lsi;

public sealed class LsiFormatsTests
{
    [Theory]
    [InlineData(null, 8)]
    [InlineData("", 8)]
    [InlineData("9781234567897", 8)]
    [InlineData("978-1-23-456789-7", 32)]
    [InlineData("978 1 23 456789 7", 8)]
    [InlineData(" - ", 8)]
    public void The_span_isbn_clean_up_matches_the_string_one(string? isbn, int bufferLength)
    {
        Span<char> buffer = stackalloc char[bufferLength];

        Assert.Equal(LsiFormats.NormalizeIsbn(isbn), LsiFormats.NormalizeIsbn(isbn, buffer).ToString());
    }

    [Theory]
    [InlineData("978-1-234-56789-7", true)]
    [InlineData("9780306406157", true)]
    [InlineData("978 0 306 40615 7", true)]
    [InlineData("0-306-40615-2", true)]
    [InlineData("080442957X", true)]
    [InlineData("9780306406158", false)]
    [InlineData("97803064061", false)]
    [InlineData("97803064061AB", false)]
    public void Isbn_check_digits_are_validated(string isbn, bool valid)
    {
        Assert.Equal(valid, LsiFormats.TryValidateIsbn(isbn, out var error));
        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData(24.95, "24.95")]
    [InlineData(5, "5.00")]
    [InlineData(0.5, "0.50")]
    public void Prices_are_written_bare_as_LSI_takes_them_and_read_back(double value, string text)
    {
        var price = (decimal)value;
        Assert.Equal(text, LsiFormats.FormatUsdPrice(price));
        Assert.Equal(text, LsiFormats.FormatPrice(price));
        Assert.Equal(price, LsiFormats.ParseUsdPrice(text));
        Assert.Equal(price, LsiFormats.ParsePrice(text));
    }

    [Theory]
    [InlineData("$24.95", 24.95)]
    [InlineData(" $24.95 ", 24.95)]
    [InlineData("£15.99", 15.99)]
    [InlineData("€21.95", 21.95)]
    [InlineData("A$38.95", 38.95)]
    [InlineData("US$ 24.95", 24.95)]
    [InlineData("-$5.00", -5)]
    [InlineData("$-5.00", -5)]
    public void Prices_are_read_with_a_currency_symbol_and_spaces(string text, double expected)
    {
        Assert.Equal((decimal)expected, LsiFormats.ParsePrice(text));
    }

    [Theory]
    [InlineData("$abc")]
    [InlineData("$")]
    [InlineData("24,99")]
    [InlineData("24.95 USD")]
    public void Bad_prices_throw_naming_the_value_and_the_format(string text)
    {
        var error = Assert.Throws<FormatException>(() => LsiFormats.ParseUsdPrice(text));
        Assert.Contains($"'{text}'", error.Message);
        Assert.Contains("24.95", error.Message);
    }

    [Theory]
    [InlineData("2025-09-09")]
    [InlineData("9/9/25")]
    [InlineData("09/09/25")]
    [InlineData("9/9/2025")]
    [InlineData("9-Sep-25")]
    [InlineData(" 9/9/25 ")]
    public void Dates_are_read_in_every_form_real_files_hold(string text)
    {
        Assert.Equal(new DateOnly(2025, 9, 9), LsiFormats.ParseDate(text));
        Assert.Equal(new DateTime(2025, 9, 9), LsiFormats.ParseDateTime(text));
    }

    [Fact]
    public void Dates_are_written_yyyy_MM_dd_or_in_a_named_format_and_read_back_with_it()
    {
        var date = new DateOnly(2025, 12, 31);
        Assert.Equal("2025-12-31", LsiFormats.FormatDate(date));
        Assert.Equal("12/31/25", LsiFormats.FormatDate(date, "M/d/yy"));
        Assert.Equal(date, LsiFormats.ParseDate("20251231", "yyyyMMdd"));
        Assert.Equal(date, LsiFormats.ParseDate("2025-12-31", "yyyyMMdd"));
    }

    [Theory]
    [InlineData("15/03/2025")]
    [InlineData("March 15, 2025")]
    [InlineData("2025-13-01")]
    public void A_date_in_no_known_form_throws_naming_the_value_and_the_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => LsiFormats.ParseDate(text));
        Assert.Contains($"'{text}' is not a date", error.Message);
        Assert.Contains("M/d/yy", error.Message);
    }

    [Fact]
    public void Percentages_are_written_bare_and_read_with_or_without_the_sign()
    {
        Assert.Equal("40", LsiFormats.FormatPercent(40m));
        Assert.Equal("37.5", LsiFormats.FormatPercent(37.5m));
        Assert.Equal(37.5m, LsiFormats.ParsePercent("37.5%"));
        Assert.Equal(40m, LsiFormats.ParsePercent(" 40 "));
        Assert.Contains("'forty' is not a percentage", Assert.Throws<FormatException>(() => LsiFormats.ParsePercent("forty")).Message);
    }

    [Fact]
    public void Decimals_and_yes_no_round_trip()
    {
        Assert.Equal("1234.5", LsiFormats.FormatDecimal(1234.5m));
        Assert.Equal(1234.5m, LsiFormats.ParseDecimal("1234.5"));
        Assert.Equal("Yes", LsiFormats.FormatYesNo(true));
        Assert.False(LsiFormats.ParseYesNo("no"));
        Assert.Throws<FormatException>(() => LsiFormats.ParseYesNo("maybe"));
    }

    [Theory]
    [InlineData(24.99, "24.99", "24.99")]
    [InlineData(-5, "-5.00", "-5")]
    [InlineData(123456789.125, "123456789.13", "123456789.125")]
    public void Span_formatting_writes_what_the_string_formatting_writes(double value, string price, string percent)
    {
        var number = (decimal)value;
        Span<char> buffer = stackalloc char[32];

        Assert.Equal(price, buffer[..LsiFormats.FormatPrice(number, buffer)].ToString());
        Assert.Equal(price, LsiFormats.FormatUsdPrice(number));
        Assert.Equal(percent, buffer[..LsiFormats.FormatPercent(number, buffer)].ToString());
        Assert.Equal(percent, LsiFormats.FormatPercent(number));
        Assert.Equal(number, LsiFormats.ParsePercent(percent));
        Assert.Equal(Math.Round(number, 2, MidpointRounding.AwayFromZero), LsiFormats.ParsePrice(price));
    }
}
