using System.Text;
using Checkpointing.Lsi;
using CsvHelper;

namespace Checkpointing.Tests.Lsi;

public sealed class LsiRecordTests
{
    private static readonly string[] TemplateColumns = File.ReadAllLines(TemplatePath())[0].TrimStart('\uFEFF').Split(',');

    internal static string TemplatePath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, "src", "Checkpointing.Lsi", "Lsi", "Templates", "lsi_acs_template.csv");
    }

    internal static LsiBook Book(string isbn = "9781234567897", string title = "A Book") => new()
    {
        Isbn = isbn,
        Title = title,
        PubDate = new DateOnly(2025, 3, 15),
        UsPrice = 24.99m,
        UsDiscount = 40m,
        Pages = 312,
        Returnable = "Yes-Destroy",
        Summary = "Summary, with a comma and \"quotes\"",
    };

    private static string Write<T>(IEnumerable<T> records, CsvWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, options ?? CsvWriterOptions.For<T>(), leaveOpen: true))
        {
            writer.WriteRecords(records);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static List<T> Read<T>(string csv)
    {
        using var reader = CsvReader.FromText(csv.TrimStart('\uFEFF'), CsvReaderOptions.For<T>());
        return reader.GetRecords<T>().ToList();
    }

    [Fact]
    public void Template_rows_have_every_template_column_in_template_order_with_LSI_formats()
    {
        var csv = Write([Book()]);

        Assert.StartsWith("\uFEFF", csv);
        var lines = csv.TrimStart('\uFEFF').Split("\r\n");
        Assert.Equal(string.Join(',', TemplateColumns), lines[0]);
        Assert.Equal(107, LsiBook.LsiColumns.Count);
        Assert.Equal(TemplateColumns, LsiBook.LsiColumns.Select(c => c.Name));
        // The header is written from this list: a caller cannot change it by casting it back.
        Assert.False(LsiBook.LsiColumns is LsiColumnInfo[]);
        Assert.True(((ICollection<LsiColumnInfo>)LsiBook.LsiColumns).IsReadOnly);

        using var reader = CsvReader.FromText(csv.TrimStart('\uFEFF'), CsvReaderOptions.For<LsiBook>());
        Assert.True(reader.Read());
        Assert.Equal(107, reader.FieldCount);
        Assert.Equal("9781234567897", reader.GetString("ISBN or SKU"));
        Assert.Equal("2025-03-15", reader.GetString("Pub Date"));
        // As LSI's own files write them: bare price and discount.
        Assert.Equal("24.99", reader.GetString("US Suggested List Price"));
        Assert.Equal("40", reader.GetString("US Wholesale Discount"));
        Assert.Equal("Yes-Destroy", reader.GetString("Returnable"));
        Assert.Equal("", reader.GetString("Lightning Source Account #"));
        Assert.Equal("", reader.GetString("LSI Special Category  (please consult LSI before using"));
    }

    [Fact]
    public void Isbn_hyphens_and_spaces_are_stripped_when_written()
    {
        var csv = Write([Book(isbn: "978-1-234 56789-7")]);

        using var reader = CsvReader.FromText(csv.TrimStart('\uFEFF'), CsvReaderOptions.For<LsiBook>());
        Assert.True(reader.Read());
        Assert.Equal("9781234567897", reader.GetString("ISBN or SKU"));
        Assert.Equal("9781234567897", Read<LsiBook>(csv).Single().Isbn);
    }

    [Fact]
    public void A_record_round_trips_through_all_107_template_columns()
    {
        var row = new FullLsiRow();
        var index = 0;
        foreach (var property in typeof(FullLsiRow).GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public))
        {
            index++;
            object value = property.PropertyType switch
            {
                var t when t == typeof(decimal?) => index + 0.25m,
                var t when t == typeof(int?) => index,
                var t when t == typeof(DateOnly?) => new DateOnly(2025, 1, 1).AddDays(index),
                var t when t == typeof(bool?) => index % 2 == 0,
                _ => $"value {index}, \"quoted\"\nline two",
            };
            property.SetValue(row, value);
        }

        // Columns with LSI code lists and numeric rules get valid values.
        row.RenditionBooktype = "POD: 6 x 9 in or 229 x 152 mm Case Laminate on Creme w/Matte Lam";
        row.ContributorOneRole = "A";
        row.ContributorTwoRole = "E";
        row.ContributorThreeRole = "I";
        row.Returnable = "Yes-Deliver";
        row.LanguageCode = "eng";
        row.MinAge = 8;
        row.MaxAge = 12;
        row.IsbnOrSku = "9781234567897";
        row.ParentIsbn = "9780306406157";
        row.Title = "Title";
        foreach (var property in typeof(FullLsiRow).GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public).Where(p => p.Name.Contains("Discount")))
        {
            property.SetValue(row, 37.5m);
        }

        Assert.True(row.Validate().IsValid, row.Validate().ToString());
        var csv = Write([row, row]);
        var back = Read<FullLsiRow>(csv);

        Assert.Equal(2, back.Count);
        Assert.Equal(107, FullLsiRow.LsiColumns.Count(c => c.Member is not null));
        foreach (var property in typeof(FullLsiRow).GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public))
        {
            Assert.Equal(property.GetValue(row), property.GetValue(back[0]));
        }

        // Writing what was read gives the same bytes: nothing is lost or reformatted on the way.
        Assert.Equal(csv, Write(back));
    }

    [Fact]
    public void Without_a_template_the_mapped_columns_come_in_declaration_order()
    {
        var csv = Write([new ShortLsiRow { Isbn = "978-0-306-40615-7", Title = "=HYPERLINK(\"x\")" }]);

        Assert.Equal("\uFEFFISBN or SKU,Title\r\n9780306406157,\"=HYPERLINK(\"\"x\"\")\"\r\n", csv);
        Assert.Equal(["ISBN or SKU", "Title"], ShortLsiRow.LsiColumns.Select(c => c.Name));
    }

    [Fact]
    public void Text_that_a_spreadsheet_would_run_as_a_formula_is_escaped_by_default_and_can_be_turned_off()
    {
        var book = Book(title: "=SUM(A1)");
        book.Summary = "@cmd";

        var escaped = Write([book]);
        // CsvHelper quotes an escaped field as well as prefixing it.
        Assert.Contains(",\"'=SUM(A1)\",", escaped, StringComparison.Ordinal);
        Assert.Contains(",\"'@cmd\",", escaped, StringComparison.Ordinal);

        var plain = Write([book], CsvWriterOptions.For<LsiBook>() with { Injection = CsvInjection.None });
        Assert.Contains(",=SUM(A1),", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void The_LSI_dialect_is_the_types_CsvHelper_options()
    {
        Assert.True(CsvWriterOptions.For<LsiBook>().WriteByteOrderMark);
        Assert.Equal(CsvInjection.Escape, CsvWriterOptions.For<LsiBook>().Injection);
        Assert.Equal(CsvInjection.None, CsvWriterOptions.For<ShortLsiRow>().Injection);
        Assert.Equal(',', CsvReaderOptions.For<LsiBook>().Separator);
    }

    [Fact]
    public void A_price_that_is_not_a_price_fails_to_read_naming_the_member_and_value()
    {
        var csv = Write([Book()]).Replace(",24.99,", ",$abc,");

        var error = Assert.ThrowsAny<Exception>(() => Read<LsiBook>(csv));

        var all = error.ToString();
        Assert.Contains("LsiBook.UsPrice", all);
        Assert.Contains("'$abc' is not a price", all);
    }

    [Fact]
    public void A_file_without_a_mapped_column_fails_to_read_naming_the_column_and_a_smaller_subset_reads()
    {
        // No field with a comma in it, so that a line splits into its fields at each comma.
        var book = Book();
        book.Summary = "Summary without a separator";
        var csv = Write([book]);
        var header = csv.Substring(0, csv.IndexOf('\n', StringComparison.Ordinal));
        Assert.Contains("Pages", header);
        Assert.Equal(header.Split(',').Length, csv.Split('\n')[1].Split(',').Length);

        var error = Assert.ThrowsAny<Exception>(() => Read<LsiBook>(csv.Replace("Pages", "Pagez")));
        Assert.Contains("'Pages'", error.ToString());

        // A column no member maps may be left out: LSI takes any subset of its template.
        var columns = header.TrimEnd('\r').Split(',');
        var unmapped = Array.FindIndex(columns, c => c.Trim('"') == "Carton Pack Quantity");
        Assert.True(unmapped >= 0, "the template has Carton Pack Quantity, which LsiBook does not map");
        var lines = csv.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r').Split(',').Where((_, i) => i != unmapped));
        var subset = string.Join("\n", lines.Select(l => string.Join(",", l))) + "\n";
        var read = Assert.Single(Read<LsiBook>(subset));
        Assert.Equal((book.Title, book.Summary, book.Pages), (read.Title, read.Summary, read.Pages));
    }

    [Fact]
    public void Validate_reports_every_error_naming_record_column_and_value()
    {
        var book = Book(isbn: "978-1-234-56789-0", title: "");
        book.UsPrice = -1m;
        book.UsDiscount = 140m;

        var result = book.Validate();

        Assert.False(result.IsValid);
        Assert.Collection(
            result.Errors,
            e =>
            {
                Assert.Equal("LsiBook 978-1-234-56789-0", e.Record);
                Assert.Equal("ISBN or SKU", e.Column);
                Assert.Contains("check digit 0 but should have 7", e.Message);
            },
            e =>
            {
                Assert.Equal("Title", e.Column);
                Assert.Equal("Title", e.Member);
                Assert.Equal("is required but empty", e.Message);
            },
            e => Assert.Equal(("US Suggested List Price", "-1"), (e.Column, e.Value)),
            e => Assert.Equal(("US Wholesale Discount", "140"), (e.Column, e.Value)));
        var thrown = Assert.Throws<LsiValidationException>(result.ThrowIfInvalid);
        Assert.Contains("column 'Title' (Title): is required but empty", thrown.Message);
    }

    [Fact]
    public void Validate_reports_missing_required_isbn_and_long_title()
    {
        var book = Book(isbn: "  ", title: new string('x', 61));

        var errors = book.Validate().Errors;

        Assert.Contains(errors, e => e.Column == "ISBN or SKU" && e.Message == "is required but empty");
        Assert.Contains(errors, e => e.Column == "Title" && e.Message.Contains("at most 60"));
        Assert.True(Book().Validate().IsValid);
    }
}
