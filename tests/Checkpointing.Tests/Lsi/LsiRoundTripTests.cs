using Checkpointing.Lsi;

namespace Checkpointing.Tests.Lsi;

/// <summary>
/// Our own fixtures, in the shapes of the real files: a tranche file as the publisher uploaded it (LF, no byte order
/// mark, no final line break, M/d/yy dates, multi-line and HTML cells, a one-space cell, a stray JSON block) and a
/// file of everything LSI would reject later (symbols in prices, a bad check digit, code-list misses).
/// </summary>
public sealed class LsiRoundTripTests
{
    private static readonly byte[] Tranche = File.ReadAllBytes(LsiFiles.Fixture("tranche_fixture.csv"));

    [Fact]
    public void A_file_read_and_written_back_in_its_own_dialect_is_the_same_bytes()
    {
        var file = LsiCsv.Read<TrancheBook>(Tranche, "tranche_fixture.csv");

        Assert.Equal(3, file.Records.Count);
        Assert.Equal(new LsiFileDialect { ByteOrderMark = false, NewLine = "\n", FinalLineBreak = false }, file.Dialect);
        var book = file.Records[0];
        Assert.Equal(new DateOnly(2025, 9, 9), book.PubDate);
        Assert.Equal(24.95m, book.UsPrice);
        Assert.Equal(40m, book.UsDiscount);
        Assert.Equal(" ", book.Other["Carton Pack Quantity"]);
        Assert.Contains("\n", book.TableOfContents);
        Assert.StartsWith("```json\n{", file.Records[1].Other["# Illustrations"]);
        Assert.Equal(96 - 40, book.Other.Count);
        Assert.All(file.Records, r => Assert.True(r.Validate().IsValid, r.Validate().ToString()));

        Assert.Equal(LsiFiles.Text(Tranche), LsiFiles.Text(LsiCsv.Write(file.Records, file.Dialect)));
    }

    [Fact]
    public void Changing_three_fields_changes_exactly_those_three_cells()
    {
        var file = LsiCsv.Read<TrancheBook>(Tranche, "tranche_fixture.csv");
        var book = file.Records[1];
        book.UsPrice = 26.5m;
        book.Title = "Storms: Fear vs. Awe";
        book.Other["Review Quote(s)"] = "\"A storm of a book.\"";

        var before = LsiFiles.Cells(Tranche);
        var after = LsiFiles.Cells(LsiCsv.Write(file.Records, file.Dialect));

        var changed = Differences(before, after);
        Assert.Equal(
            [(2, "Title", "Storms: Fear vs. Awe"), (2, "Review Quote(s)", "\"A storm of a book.\""), (2, "US Suggested List Price", "26.50")],
            changed.OrderBy(c => Array.IndexOf(before[0], c.Column)).ToList());
    }

    [Fact]
    public void Written_with_our_defaults_every_cell_is_equal_but_the_canonical_date()
    {
        var books = LsiCsv.Read<TrancheBookDefaults>(Tranche, "tranche_fixture.csv").Records;

        var written = LsiCsv.Write(books);

        Assert.StartsWith("\uFEFF", LsiFiles.Text(written));
        Assert.Contains("\r\n", LsiFiles.Text(written));
        var changed = Differences(LsiFiles.Cells(Tranche), LsiFiles.Cells(written));
        Assert.Equal([(1, "2025-09-09"), (2, "2025-09-16"), (3, "2025-10-07")], changed.Select(c => (c.Row, c.Value)).ToList());
        Assert.All(changed, c => Assert.Equal("Pub Date", c.Column));
    }

    [Fact]
    public void Without_the_dictionary_unmapped_columns_are_written_empty()
    {
        var books = LsiCsv.Read<LsiBook>(File.ReadAllBytes(LsiFiles.Fixture("tranche_fixture.csv")), "tranche_fixture.csv").Records;

        var written = LsiFiles.Cells(LsiCsv.Write(books));

        var keywords = Array.IndexOf(written[0], "Keywords");
        Assert.Equal("", written[1][keywords]);
        Assert.Equal("Clouds: Watching vs. Naming", written[1][Array.IndexOf(written[0], "Title")]);
    }

    [Fact]
    public void A_dictionary_key_that_is_not_an_unmapped_template_column_is_a_validation_error()
    {
        var book = LsiCsv.Read<TrancheBook>(Tranche, "tranche_fixture.csv").Records[0];
        book.Other["Reserved 1"] = "not in this template";
        book.Other["Title"] = "mapped by a member";

        var errors = book.Validate().Errors;

        Assert.Equal(["Reserved 1", "Title"], errors.Select(e => e.Column).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Contains("is not an unmapped column of the record's template", e.Message));
        Assert.Contains(errors, e => e.Member == "Other[\"Reserved 1\"]" && e.Record == "TrancheBook 9780306406157");
    }

    [Fact]
    public void The_built_in_template_reads_symbols_in_prices_and_finds_what_LSI_would_reject()
    {
        var file = LsiCsv.ReadFile<AcsBook>(LsiFiles.Fixture("problem_fixture.csv"));

        Assert.Equal(119, AcsBook.LsiColumns.Count);
        Assert.Equal(LsiTemplates.AcsColumns, AcsBook.LsiColumns.Select(c => c.Name));
        Assert.True(file.Dialect.ByteOrderMark);
        var good = file.Records[0];
        Assert.Equal((19.95m, 40m, 15.99m, 16.96m), (good.UsPrice!.Value, good.UsDiscount!.Value, good.UkPrice!.Value, good.EuPrice!.Value));
        Assert.True(good.Validate().IsValid, good.Validate().ToString());

        var bad = file.Records[1];
        Assert.Equal(new DateOnly(2025, 7, 28), bad.PubDate);
        var errors = bad.Validate().Errors.ToDictionary(e => e.Column);
        Assert.Equal(
            ["Contributor Two Role", "ISBN or SKU", "Language Code", "Max Age", "Rendition /Booktype", "Returnable", "Short Description"],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("check digit 0 but should have 7", errors["ISBN or SKU"].Message);
        Assert.Equal("Other[\"Max Age\"]", errors["Max Age"].Member);
        Assert.Equal("Adult", errors["Max Age"].Value);
        Assert.Contains("whole number of years", errors["Max Age"].Message);
        Assert.Contains("'Contributor Two' is empty", errors["Contributor Two Role"].Message);
        Assert.Equal("Yes - Destroy", errors["Returnable"].Value);
        Assert.Contains("Yes-Destroy, Yes-Deliver or No", errors["Returnable"].Message);
        Assert.Contains("636 book types", errors["Rendition /Booktype"].Message);
        Assert.Contains("351 characters long; LSI takes at most 350", errors["Short Description"].Message);
        Assert.All(errors.Values, e => Assert.Equal("AcsBook 9781234567890", e.Record));
    }

    [Fact]
    public void A_date_in_no_known_form_fails_the_read_naming_file_line_member_and_value()
    {
        var text = LsiFiles.Text(Tranche).Replace(",9/16/25,", ",16.09.2025,");

        var error = Assert.Throws<InvalidDataException>(() => LsiCsv.Read<TrancheBook>(System.Text.Encoding.UTF8.GetBytes(text), "tranche.csv"));

        Assert.StartsWith("tranche.csv, line ", error.Message);
        Assert.Contains("TrancheBook.PubDate", error.Message);
        Assert.Contains("'16.09.2025' is not a date", error.Message);
    }

    [Theory]
    [InlineData("A", true)]
    [InlineData(" E ", true)]
    [InlineData("Author", false)]
    public void Contributor_roles_are_trimmed_and_checked(string role, bool valid)
    {
        var book = LsiCsv.Read<TrancheBook>(Tranche, "tranche_fixture.csv").Records[0];
        book.ContributorOneRole = role;

        Assert.Equal(valid, book.Validate().IsValid);
    }

    [Fact]
    public void Min_age_above_max_age_and_a_long_annotation_are_errors()
    {
        var book = LsiCsv.Read<TrancheBook>(Tranche, "tranche_fixture.csv").Records[0];
        book.Other["Min Age"] = "12";
        book.Other["Max Age"] = "8";
        book.Annotation = new string('a', 4001);

        var errors = book.Validate().Errors;

        Assert.Contains(errors, e => e.Column == "Min Age" && e.Message == "is greater than Max Age (8)");
        Assert.Contains(errors, e => e.Column == "Annotation / Summary" && e.Member == "Annotation" && e.Message.Contains("at most 4000"));
    }

    [Fact]
    public void The_shipped_code_lists_hold_what_LSI_lists()
    {
        Assert.Equal(636, LsiCodeLists.RenditionBooktypes.Count);
        Assert.Contains("POD: 6 x 9 in or 229 x 152 mm Case Laminate on White w/Matte Lam", LsiCodeLists.RenditionBooktypes);
        Assert.Equal(57, LsiCodeLists.ContributorRoles.Count);
        Assert.Contains("eng", LsiCodeLists.LanguageCodes);
        Assert.Equal(["No", "Yes-Deliver", "Yes-Destroy"], LsiCodeLists.ReturnableValues.Order(StringComparer.Ordinal));
    }

    /// <summary>The cells that differ, by row (1 = first book) and column name of <paramref name="before"/>'s header.</summary>
    internal static List<(int Row, string Column, string Value)> Differences(List<string[]> before, List<string[]> after)
    {
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(before[0], after[0]);
        var changed = new List<(int, string, string)>();
        for (var row = 1; row < before.Count; row++)
        {
            Assert.Equal(before[row].Length, after[row].Length);
            for (var column = 0; column < before[row].Length; column++)
            {
                if (before[row][column] != after[row][column])
                {
                    changed.Add((row, before[0][column], after[row][column]));
                }
            }
        }

        return changed;
    }
}
