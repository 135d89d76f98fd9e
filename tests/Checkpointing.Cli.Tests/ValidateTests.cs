using System.Text;
using Checkpointing.Csv;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary><c>checkpoint validate</c> on stages and CSVs written by the runtime, then damaged or edited by hand.</summary>
public sealed class ValidateTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private string Root => _dir["data"];

    private string Checkpoints => Path.Combine(Root, "r", "checkpoints");

    [Fact]
    public async Task A_whole_stage_is_valid_and_the_json_has_the_documented_shape()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 12);
        var result = await Tool.RunProcessAsync("validate", Path.Combine(Checkpoints, "ocr.json"), "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var root = result.Json();
        Shape.AssertSchema(root, "checkpointing.cli.validate", Shape.Validate);
        Shape.AssertEach(root.GetProperty("checked"), Shape.Checked, "checked");
        Shape.AssertEach(root.GetProperty("findings"), Shape.Finding, "finding");
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetInt32());
        Assert.Contains("12 done", root.GetProperty("checked")[0].GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Missing_and_invalid_outputs_of_completed_items_are_errors_naming_the_item()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 12);
        var outputs = Path.Combine(Root, "r", "ocr");
        File.Delete(Path.Combine(outputs, "000003.json"));
        File.WriteAllText(Path.Combine(outputs, "000005.json"), "{\"key\": \"000005\", \"cost_usd\": 0.05, \"outp");
        File.Copy(Path.Combine(outputs, "000007.json"), Path.Combine(outputs, "000008.json"), overwrite: true);
        File.WriteAllText(Path.Combine(outputs, ".000009.json.0123456789ab.ckpt.tmp"), "partial");

        var result = await Tool.RunProcessAsync("validate", outputs);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"error\s+│\s+\S*000003\.json\s+│\s+│\s+000003\s+│ the item is complete but its output is missing", result.Out);
        Assert.Matches(@"000005\s+│ the item is complete but its output is unreadable", result.Out);
        Assert.Matches(@"000008\s+│ the item is complete but its output belongs to item '000007'", result.Out);
        Assert.Contains("a temp file left by an interrupted write", result.Out);
        Assert.Contains("PROBLEMS FOUND: 3 error(s), 1 warning(s)", result.Out);
    }

    [Fact]
    public async Task A_torn_journal_tail_is_a_warning_and_damage_in_the_middle_an_error_with_its_line()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 6);
        var journal = Path.Combine(Checkpoints, "ocr.journal");
        var record = "{\"seq\":100,\"type\":\"completed\",\"at\":\"2026-11-30T09:00:00Z\",\"key\":\"000010\",\"cost_usd\":0.1}";
        File.WriteAllText(journal, Line(record)[..20]);
        var torn = await Tool.RunAsync("validate", journal, "--json");
        Assert.True(torn.ExitCode == 0, torn.ToString());
        var finding = torn.Json().GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("file").GetString() == journal);
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal(1, finding.GetProperty("line").GetInt32());
        Assert.Contains("torn by a crash", finding.GetProperty("message").GetString());

        var second = record.Replace("\"seq\":100", "\"seq\":101").Replace("000010", "000011");
        var third = record.Replace("\"seq\":100", "\"seq\":102").Replace("000010", "000012");
        File.WriteAllText(journal, Line(record) + Line(second).Replace("0.1}", "0.2}") + Line(third));
        var damaged = await Tool.RunAsync("validate", journal, "--json");
        Assert.Equal(1, damaged.ExitCode);
        var error = damaged.Json().GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("severity").GetString() == "error" && f.GetProperty("file").GetString() == journal);
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Contains("fails its checksum", error.GetProperty("message").GetString());
        Assert.Contains("1 whole line(s) follow it", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_truncated_or_hand_edited_snapshot_is_an_error_naming_the_file()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 6);
        var snapshot = Path.Combine(Checkpoints, "ocr.json");
        var text = File.ReadAllText(snapshot);
        File.WriteAllText(snapshot, text.Replace("\"000002\"", "\"../../x\""));
        var edited = await Tool.RunAsync("validate", snapshot);
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("key '../../x' cannot name an output file", edited.Out);

        File.WriteAllText(snapshot, text[..(text.Length / 3)]);
        var truncated = await Tool.RunProcessAsync("validate", snapshot);
        Assert.True(truncated.ExitCode == 1, truncated.ToString());
        Assert.Contains("the snapshot is unreadable", truncated.Out);
        Assert.Contains("ocr.json", truncated.Out);
        Assert.Equal("", truncated.Error);
    }

    [Fact]
    public async Task A_cumulative_csv_written_by_the_runtime_is_valid_against_the_template()
    {
        var (cumulative, batch) = await Pipelines.WriteCsvAsync(_dir["csv"], 25);
        var result = await Tool.RunProcessAsync("validate", cumulative, "--template", Tool.TemplatePath);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("25 row(s), 107 column(s), key 'ISBN or SKU', against the template", result.Out);

        var folder = await Tool.RunAsync("validate", _dir["csv"], "--json");
        Assert.True(folder.ExitCode == 0, folder.ToString());
        Assert.Equal([cumulative, batch], folder.Json().GetProperty("checked").EnumerateArray().Select(c => c.GetProperty("path").GetString()).Order());
    }

    [Fact]
    public async Task A_damaged_csv_gets_one_finding_per_problem_with_its_line_and_column()
    {
        var (cumulative, _) = await Pipelines.WriteCsvAsync(_dir["csv"], 6);
        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(cumulative)).Split("\r\n");

        // Line numbers count the lines inside quoted cells: each row here spans two lines.
        string Row(int n) => lines[n];
        var bad = new StringBuilder(lines[0] + "\r\n");
        bad.Append(Row(1) + "\r\n");                                                                         // lines 2-3
        bad.Append(Row(2).Replace(TestBook.Isbn13(2), "9781234567890") + "\r\n");                              // 4-5: check digit
        bad.Append(Row(3).Replace(TestBook.Isbn13(3), TestBook.Isbn13(1)) + "\r\n");                           // 6-7: duplicate
        bad.Append(Row(4).Replace("Book 4,", "=HYPERLINK(\"\"x\"\"),") + "\r\n");                              // 8-9: formula
        bad.Append(Row(5).Replace(",14.99,", ",1x.99,").Replace("2025-01-06", "2025-02-30") + "\r\n");         // 10-11: price, date
        bad.Append(Row(6)[..40]);                                                                            // 12: torn
        File.WriteAllText(cumulative, bad.ToString());

        var result = await Tool.RunAsync("validate", cumulative, "--template", Tool.TemplatePath, "--json");
        Assert.True(result.ExitCode == 1, result.ToString());
        var findings = result.Json().GetProperty("findings").EnumerateArray()
            .Select(f => (Line: f.GetProperty("line").GetInt32(), Column: f.GetProperty("column").GetString(), Severity: f.GetProperty("severity").GetString(), Message: f.GetProperty("message").GetString()!))
            .ToList();
        Assert.Contains(findings, f => f is { Line: 4, Column: "ISBN or SKU", Severity: "error" } && f.Message.Contains("check digit", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(findings, f => f is { Line: 6, Column: "ISBN or SKU", Severity: "error" } && f.Message.Contains("also on line 2"));
        Assert.Contains(findings, f => f is { Line: 8, Column: "Title", Severity: "warning" } && f.Message.Contains("formula"));
        Assert.Contains(findings, f => f is { Line: 10, Column: "US Suggested List Price", Severity: "error" });
        Assert.Contains(findings, f => f is { Line: 10, Column: "Pub Date", Severity: "error" } && f.Message.Contains("2025-02-30"));
        Assert.Contains(findings, f => f is { Line: 12, Severity: "warning" } && f.Message.Contains("cut by a crash"));
        Assert.Equal(6, findings.Count(f => f.Severity is "error" or "warning"));
    }

    [Fact]
    public async Task A_header_that_does_not_follow_the_template_is_an_error_on_line_1()
    {
        var file = _dir["bad.csv"];
        File.WriteAllText(file, "ISBN or SKU,Titel,Pub Date\n9780000000019,A,2025-01-01\n");
        var result = await Tool.RunAsync("validate", file, "--template", Tool.TemplatePath);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("column 'Titel' is not in the template; did you mean 'Title'?", result.Out);
        Assert.Contains("the file has 3 of the template's 107 columns", result.Out);
    }

    [Fact]
    public async Task Code_lists_check_the_values_of_their_column()
    {
        var codes = _dir["returnable.txt"];
        File.WriteAllLines(codes, ["Yes-Destroy", "Yes-Deliver", "No"]);
        var file = _dir["books.csv"];
        File.WriteAllText(file, "ISBN or SKU,Returnable\n9780000000019,Yes-Destroy\n9780000000026,Maybe\n");
        var result = await Tool.RunAsync("validate", file, "--codes", "Returnable=" + codes, "--json");
        Assert.Equal(1, result.ExitCode);
        var finding = result.Json().GetProperty("findings").EnumerateArray().Single();
        Assert.Equal(3, finding.GetProperty("line").GetInt32());
        Assert.Contains("'Maybe' is not in the code list", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_lsi_csv_is_checked_against_the_code_lists_built_into_the_runtime_without_codes()
    {
        // Written by the runtime (valid rows), then edited by hand as a user would in a spreadsheet.
        var (cumulative, _) = await WriteRuleBooksAsync(_dir["rules"], 4);
        var text = File.ReadAllText(cumulative);
        text = ReplaceInRow(text, 2, "Perfect Bound CREME", "Perfect Bound CREAM");                     // line 3
        text = ReplaceInRow(text, 3, ",Yes-Destroy,", ",Yes - Destroy,");                              // line 4
        text = ReplaceInRow(text, 4, ",eng,", ",english,");                                             // line 5
        text = ReplaceInRow(text, 4, ",A,", ",ZZ,");                                                    // line 5
        File.WriteAllText(cumulative, text);

        var result = await Tool.RunAsync("validate", cumulative, "--json");
        Assert.True(result.ExitCode == 1, result.ToString());
        var findings = result.Json().GetProperty("findings").EnumerateArray()
            .Select(f => (Line: f.GetProperty("line").GetInt32(), Column: f.GetProperty("column").GetString(), Key: f.GetProperty("key").GetString(), Message: f.GetProperty("message").GetString()!))
            .ToList();
        Assert.Contains(findings, f => f is { Line: 3, Column: "Rendition /Booktype" } && f.Key == RuleBook.Isbn13(2)
            && f.Message.Contains("book types") && f.Message.Contains("did you mean 'POD: 5 x 8 in or 203 x 127 mm Perfect Bound CREME'?"));
        Assert.Contains(findings, f => f is { Line: 4, Column: "Returnable" } && f.Message.Contains("'Yes - Destroy' must be Yes-Destroy, Yes-Deliver or No"));
        Assert.Contains(findings, f => f is { Line: 5, Column: "Language Code" } && f.Message.Contains("'english'"));
        Assert.Contains(findings, f => f is { Line: 5, Column: "Contributor One Role" } && f.Message.Contains("'ZZ' is not an LSI contributor role code"));
        Assert.Equal(4, findings.Count);

        // The unedited rows, and the file before the edit, pass.
        var (clean, _) = await WriteRuleBooksAsync(_dir["clean"], 4);
        var ok = await Tool.RunAsync("validate", clean, "--json");
        Assert.True(ok.ExitCode == 0, ok.ToString());
    }

    [Fact]
    public async Task Codes_given_for_a_column_replace_its_built_in_list()
    {
        var (cumulative, _) = await WriteRuleBooksAsync(_dir["rules"], 3);
        File.WriteAllText(cumulative, ReplaceInRow(File.ReadAllText(cumulative), 2, ",Yes-Destroy,", ",Maybe,"));
        var codes = _dir["returnable.txt"];

        // A list that has the value: the built-in list is not consulted for that column.
        File.WriteAllLines(codes, ["Yes-Destroy", "Maybe"]);
        var allowed = await Tool.RunAsync("validate", cumulative, "--codes", "Returnable=" + codes, "--json");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());

        // A list without it: one finding, from the given list.
        File.WriteAllLines(codes, ["Yes-Destroy"]);
        var refused = await Tool.RunAsync("validate", cumulative, "--codes", "Returnable=" + codes, "--json");
        Assert.Equal(1, refused.ExitCode);
        var finding = refused.Json().GetProperty("findings").EnumerateArray().Single();
        Assert.Equal(3, finding.GetProperty("line").GetInt32());
        Assert.Contains("'Maybe' is not in the code list of this column", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_publishers_real_batch_file_passes_the_built_in_code_lists_and_an_edited_copy_does_not()
    {
        var external = FindExternal("codexes-factory");
        if (external is null)
        {
            Console.WriteLine("SKIPPED: ../shared/external/codexes-factory is not there; the real LSI file was not checked against the built-in code lists.");
            return;
        }

        var real = Path.Combine(external, "xynapse_traces_tranche1_processed.csv");
        var result = await Tool.RunAsync("validate", real, "--template", Path.Combine(external, "LSI_ACS_header.csv"), "--json");
        var root = result.Json();
        Assert.Contains("68 row(s), 96 column(s)", root.GetProperty("checked")[0].GetProperty("summary").GetString());
        string[] ruleColumns = ["Rendition /Booktype", "Returnable", "Language Code", "Contributor One Role", "Contributor Two Role", "Contributor Three Role"];
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.DoesNotContain(findings, f => ruleColumns.Contains(f.GetProperty("column").GetString()));

        // A copy (outside the repository) with the first book's type misspelt: found on its line, with the near value.
        var copy = _dir["edited.csv"];
        var lines = File.ReadAllText(real).Split('\n');
        var value = FirstRowCell(real, "Rendition /Booktype");
        Assert.False(string.IsNullOrEmpty(value), "the real file's first book has no book type");
        lines[1] = lines[1].Replace(value, value.Replace(" on ", " in ", StringComparison.Ordinal), StringComparison.Ordinal);
        File.WriteAllText(copy, string.Join('\n', lines));
        var edited = await Tool.RunAsync("validate", copy, "--json");
        Assert.Contains(edited.Json().GetProperty("findings").EnumerateArray(), f =>
            f.GetProperty("line").GetInt32() == 2 && f.GetProperty("column").GetString() == "Rendition /Booktype"
            && f.GetProperty("message").GetString()!.Contains($"did you mean '{value}'?"));
    }

    [Fact]
    public async Task The_real_lsi_files_of_the_publisher_are_read_when_present()
    {
        var external = FindExternal("codexes-factory");
        if (external is null)
        {
            Console.WriteLine("SKIPPED: ../shared/external/codexes-factory is not there; the real LSI files were not checked.");
            return;
        }

        var result = await Tool.RunAsync("validate", Path.Combine(external, "xynapse_traces_tranche1_processed.csv"),
            "--template", Path.Combine(external, "LSI_ACS_header.csv"),
            "--codes", "Rendition /Booktype=" + Path.Combine(external, "lsi_valid_rendition_booktypes.txt"), "--json");
        var root = result.Json();
        Assert.Contains("68 row(s), 96 column(s)", root.GetProperty("checked")[0].GetProperty("summary").GetString());
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.DoesNotContain(findings, f => f.GetProperty("column").GetString() == "ISBN or SKU");
        Assert.DoesNotContain(findings, f => f.GetProperty("column").GetString() == "Rendition /Booktype");
        Assert.DoesNotContain(findings, f => f.GetProperty("message").GetString()!.Contains("malformed", StringComparison.Ordinal));
    }

    private static async Task<(string Cumulative, string Batch)> WriteRuleBooksAsync(string directory, int books)
    {
        await using var checkpoint = await CumulativeCsvCheckpoint<RuleBook>.OpenOrCreateAsync(directory, "xynapse_traces", b => b.Isbn);
        for (var i = 1; i <= books; i++)
        {
            await checkpoint.AppendAsync(RuleBook.Create(i));
        }

        var batch = Path.Combine(directory, "lsi_csv", "tranche_lsi.csv");
        await checkpoint.FinalizeAsync(batch);
        return (checkpoint.FilePath, batch);
    }

    // Replaces text in the row of book n (line n + 1: the rows hold no line breaks).
    private static string ReplaceInRow(string text, int book, string from, string to)
    {
        var lines = text.Split('\n');
        Assert.Contains(from, lines[book]);
        lines[book] = lines[book].Replace(from, to, StringComparison.Ordinal);
        return string.Join('\n', lines);
    }

    private static string FirstRowCell(string path, string column)
    {
        using var reader = CsvHelper.CsvReader.Create(File.ReadAllBytes(path), Checkpointing.Lsi.LsiCsvDialect.CreateReaderOptions());
        var index = reader.Headers.ToList().IndexOf(column);
        Assert.True(index >= 0 && reader.Read(), $"no column '{column}' or no row in {path}");
        return reader.GetString(index);
    }

    private static string Line(string json) => $"{Crc(json):x8} {json}\n";

    private static uint Crc(string text)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }

    internal static string? FindExternal(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        var path = directory is null ? null : Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "external", name));
        return path is not null && Directory.Exists(path) ? path : null;
    }

    public void Dispose() => _dir.Dispose();
}
