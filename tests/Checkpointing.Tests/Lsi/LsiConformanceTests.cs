using System.Globalization;
using System.Text;
using System.Text.Json;
using Checkpointing.Csv;
using Checkpointing.Lsi;
using CsvHelper;
using Xunit.Abstractions;

namespace Checkpointing.Tests.Lsi;

/// <summary>
/// Conformance with the files a publisher really uploaded to IngramSpark (../shared/external/codexes-factory, read in
/// place and never copied into the repository): skipped, with a message, where they are not on the machine.
/// </summary>
public sealed class LsiConformanceTests(ITestOutputHelper output)
{
    private static string Real(string name) => Path.Combine(LsiFiles.External!, name);

    private static byte[] Batch => File.ReadAllBytes(Real("xynapse_traces_tranche1_processed.csv"));

    [RealLsiFilesFact]
    public void All_68_books_read_validate_and_write_back_byte_for_byte_in_the_files_dialect()
    {
        var bytes = Batch;
        var file = LsiCsv.Read<TrancheBook>(bytes, "xynapse_traces_tranche1_processed.csv");

        Assert.Equal(68, file.Records.Count);
        Assert.Equal(new LsiFileDialect { ByteOrderMark = false, NewLine = "\n", FinalLineBreak = false }, file.Dialect);
        Assert.Equal(Encoding.UTF8.GetString(bytes).Split('\n')[0], string.Join(',', TrancheBook.LsiColumns.Select(c => c.Name)));
        Assert.True(TrancheBook.LsiColumns.Count(c => c.Member is not null) >= 30);
        foreach (var book in file.Records)
        {
            Assert.True(book.Validate().IsValid, book.Validate().ToString());
        }

        Assert.Equal(new DateOnly(2025, 9, 9), file.Records[0].PubDate);
        var written = LsiCsv.Write(file.Records, file.Dialect);
        Assert.True(bytes.AsSpan().SequenceEqual(written), FirstDifference(bytes, written));
    }

    [RealLsiFilesFact]
    public void Written_with_our_defaults_every_cell_is_equal_but_the_canonical_date()
    {
        var bytes = Batch;
        var books = LsiCsv.Read<TrancheBookDefaults>(bytes, "batch").Records;

        var changed = LsiRoundTripTests.Differences(LsiFiles.Cells(bytes), LsiFiles.Cells(LsiCsv.Write(books)));

        // Prices (24.95) and discounts (40) are already in the canonical form; only M/d/yy dates change.
        Assert.Equal(68, changed.Count);
        Assert.All(changed, c => Assert.Equal("Pub Date", c.Column));
        Assert.All(changed, c => Assert.Matches(@"^202[56]-\d\d-\d\d$", c.Value));
    }

    [RealLsiFilesFact]
    public void Changing_three_fields_of_the_real_file_changes_exactly_three_cells()
    {
        var bytes = Batch;
        var file = LsiCsv.Read<TrancheBook>(bytes, "batch");
        var book = file.Records[10];
        book.UsPrice = 27.95m;
        book.Keywords += "; Transcription";
        book.Other["Review Quote(s)"] = "A quiet, useful book.";

        var changed = LsiRoundTripTests.Differences(LsiFiles.Cells(bytes), LsiFiles.Cells(LsiCsv.Write(file.Records, file.Dialect)));

        Assert.Equal(["Keywords", "Review Quote(s)", "US Suggested List Price"], changed.Select(c => c.Column).Order(StringComparer.Ordinal));
        Assert.All(changed, c => Assert.Equal(11, c.Row));
    }

    [RealLsiFilesFact]
    public void A_compare_against_the_tranches_expected_list_names_the_missing_book()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Real("xynapse_tranche_1_config.json")));
        var bookCount = config.RootElement.GetProperty("tranche_info").GetProperty("book_count").GetInt32();
        var expected = Enumerable.Range(1, bookCount).Select(n => n.ToString(CultureInfo.InvariantCulture));
        var options = LsiFileDialect.Detect(Batch).Apply(CsvWriterOptions.For<TrancheBook>());

        var comparison = CumulativeCsv.CompareKeys<TrancheBook>(
            expected, Real("xynapse_traces_tranche1_processed.csv"), book => book.NumberInSeries?.ToString(CultureInfo.InvariantCulture) ?? "", options);

        output.WriteLine(comparison.ToString());
        Assert.Equal(69, bookCount);
        Assert.Equal(["1"], comparison.Missing);
        Assert.Empty(comparison.Unexpected);
        Assert.Empty(comparison.Repeated);
        Assert.Empty(comparison.Problems);
    }

    [RealLsiFilesFact]
    public void The_built_in_template_is_LSIs_119_column_header_and_reads_its_one_book_fixtures()
    {
        using (var reader = CsvReader.FromFile(Real("LSI_ACS_header.csv"), CsvReaderOptions.Default with { HasHeader = true }))
        {
            Assert.Equal(LsiTemplates.AcsColumns, reader.Headers);
        }

        var full = LsiCsv.ReadFile<AcsBook>(Real("fixture_test_lsi_full.csv")).Records.Single();
        Assert.Equal((19.95m, 15.99m), (full.UsPrice!.Value, full.UkPrice!.Value));
        var final = LsiCsv.ReadFile<AcsBook>(Real("fixture_test_final_check.csv")).Records.Single();
        var errors = final.Validate().Errors.Select(e => e.Column).ToList();
        Assert.Contains("ISBN or SKU", errors);
        Assert.Contains("Rendition /Booktype", errors);
    }

    /// <summary>The hook of the shipped code lists: they hold exactly the facts of LSI's lists (regenerate with ACCEPT_LSI_CODE_LISTS=1).</summary>
    [RealLsiFilesFact]
    public void The_shipped_code_lists_are_LSIs_lists()
    {
        var booktypes = File.ReadAllText(Real("lsi_valid_rendition_booktypes.txt")).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        var roles = new List<string>();
        using (var reader = CsvReader.FromFile(Real("lsi_valid_contributor_codes.csv"), CsvReaderOptions.Default with { HasHeader = true }))
        {
            while (reader.Read())
            {
                roles.Add(reader.GetString(0).Trim());
            }
        }

        var languages = new List<string>();
        using (var reader = CsvReader.FromFile(Real("ACS-codes-and-descriptions.csv"), CsvReaderOptions.Default with { HasHeader = false }))
        {
            reader.Read();
            reader.Read(); // two header rows: list names, then Code/Description
            while (reader.Read())
            {
                if (reader.FieldCount > 11 && reader.GetString(11).Trim() is { Length: > 0 } code)
                {
                    languages.Add(code);
                }
            }
        }

        var expected = LsiCodeListSource.Render(booktypes, roles, languages);
        var path = Path.Combine(LsiFiles.RepositoryRoot, "src", "Checkpointing.Lsi", "Lsi", "LsiCodeLists.Data.cs");
        if (Environment.GetEnvironmentVariable("ACCEPT_LSI_CODE_LISTS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.Equal(booktypes.ToHashSet(), LsiCodeLists.RenditionBooktypes);
        Assert.Equal(roles.ToHashSet(), LsiCodeLists.ContributorRoles);
        Assert.True(languages.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(LsiCodeLists.LanguageCodes));
        Assert.True(expected == File.ReadAllText(path), $"{path} is not what LSI's lists give; rerun with ACCEPT_LSI_CODE_LISTS=1 to regenerate it.");
    }

    private static string FirstDifference(byte[] expected, byte[] actual)
    {
        var i = expected.AsSpan().CommonPrefixLength(actual);
        var from = Math.Max(0, i - 40);
        return $"first difference at byte {i} of {expected.Length}/{actual.Length}: expected '{Encoding.UTF8.GetString(expected, from, Math.Min(80, expected.Length - from))}', " +
               $"got '{Encoding.UTF8.GetString(actual, from, Math.Min(80, actual.Length - from))}'";
    }
}

/// <summary>Writes <c>LsiCodeLists.Data.cs</c>: LSI's code lists as sorted C# strings, our own format.</summary>
internal static class LsiCodeListSource
{
    public static string Render(IEnumerable<string> booktypes, IEnumerable<string> roles, IEnumerable<string> languages)
    {
        var text = new StringBuilder();
        text.Append("""
            // <auto-generated/>
            // LSI's code lists, as facts in our own format (sorted, trimmed, one C# string each), generated from the lists LSI
            // publishes for ACS files. LsiConformanceTests checks them against those lists when they are at hand and rewrites
            // this file with ACCEPT_LSI_CODE_LISTS=1. Do not edit by hand.
            namespace Checkpointing.Lsi;

            internal static class LsiCodeListData
            {

            """);
        Array(text, "RenditionBooktypes", "Valid <c>Rendition /Booktype</c> values.", booktypes);
        text.Append('\n');
        Array(text, "ContributorRoles", "Contributor role codes (LSI pads their descriptions; the codes are trimmed).", roles);
        text.Append('\n');
        Array(text, "LanguageCodes", "Language codes (ISO 639-2/B, upper case as LSI lists them).", languages);
        text.Append("}\n");
        return text.ToString();
    }

    private static void Array(StringBuilder text, string name, string summary, IEnumerable<string> values)
    {
        text.Append($"    /// <summary>{summary}</summary>\n    public static readonly string[] {name} =\n    [\n");
        foreach (var value in values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append("        ").Append(JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })).Append(",\n");
        }

        text.Append("    ];\n");
    }
}
