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
    [InlineData(24.99, "$24.99")]
    [InlineData(5, "$5.00")]
    [InlineData(0.5, "$0.50")]
    public void Usd_prices_are_written_and_read_back(double value, string text)
    {
        var price = (decimal)value;
        Assert.Equal(text, LsiFormats.FormatUsdPrice(price));
        Assert.Equal(price, LsiFormats.ParseUsdPrice(text));
        Assert.Equal(price, LsiFormats.ParseUsdPrice(text.TrimStart('$')));
    }

    [Theory]
    [InlineData("$abc")]
    [InlineData("$")]
    [InlineData("24,99")]
    public void Bad_prices_throw_naming_the_value_and_the_format(string text)
    {
        var error = Assert.Throws<FormatException>(() => LsiFormats.ParseUsdPrice(text));
        Assert.Contains($"'{text}'", error.Message);
        Assert.Contains("$24.99", error.Message);
    }

    [Fact]
    public void Percentages_dates_decimals_and_yes_no_round_trip()
    {
        Assert.Equal("40%", LsiFormats.FormatPercent(40m));
        Assert.Equal("37.5%", LsiFormats.FormatPercent(37.5m));
        Assert.Equal(37.5m, LsiFormats.ParsePercent("37.5%"));
        Assert.Equal("2025-03-15", LsiFormats.FormatDate(new DateOnly(2025, 3, 15)));
        Assert.Equal(new DateOnly(2025, 3, 15), LsiFormats.ParseDate("2025-03-15"));
        Assert.Throws<FormatException>(() => LsiFormats.ParseDate("15/03/2025"));
        Assert.Equal("1234.5", LsiFormats.FormatDecimal(1234.5m));
        Assert.Equal(1234.5m, LsiFormats.ParseDecimal("1234.5"));
        Assert.Equal("Yes", LsiFormats.FormatYesNo(true));
        Assert.False(LsiFormats.ParseYesNo("no"));
        Assert.Throws<FormatException>(() => LsiFormats.ParseYesNo("maybe"));
    }

    [Theory]
    [InlineData(24.99, "$24.99", "24.99%")]
    [InlineData(-5, "-$5.00", "-5%")]
    [InlineData(123456789.125, "$123456789.13", "123456789.125%")]
    public void Span_formatting_writes_what_the_string_formatting_writes(double value, string price, string percent)
    {
        var number = (decimal)value;
        Span<char> buffer = stackalloc char[32];

        Assert.Equal(price, buffer[..LsiFormats.FormatUsdPrice(number, buffer)].ToString());
        Assert.Equal(price, LsiFormats.FormatUsdPrice(number));
        Assert.Equal(percent, buffer[..LsiFormats.FormatPercent(number, buffer)].ToString());
        Assert.Equal(percent, LsiFormats.FormatPercent(number));
        Assert.Equal(number, LsiFormats.ParsePercent(percent));
    }
}
