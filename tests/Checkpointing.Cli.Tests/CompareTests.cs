using System.Text;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary><c>checkpoint compare</c>: a cumulative checkpoint CSV against its batch file, by key, cell by cell.</summary>
public sealed class CompareTests : IDisposable
{
    private readonly TempFolder _dir = new();

    [Fact]
    public async Task The_batch_written_from_a_cumulative_csv_is_identical_to_it()
    {
        var (cumulative, batch) = await Pipelines.WriteCsvAsync(_dir["csv"], 20);
        var result = await Tool.RunProcessAsync("compare", cumulative, batch);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("IDENTICAL", result.Out);
    }

    [Fact]
    public async Task Missing_extra_and_different_rows_are_named_with_their_lines_and_cells()
    {
        var (cumulative, batch) = await Pipelines.WriteCsvAsync(_dir["csv"], 6);
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(batch));
        var rows = text.Split("\r\n");
        var edited = new List<string> { rows[0], rows[1], rows[2].Replace("Book 2,", "Book two,").Replace(",11.99,", ",12.99,") };
        edited.AddRange(rows[3..5]);                                                             // drops book 5 and 6
        edited.Add(rows[1].Replace(TestBook.Isbn13(1), TestBook.Isbn13(99)));                  // an extra book
        File.WriteAllText(batch, string.Join("\r\n", edited) + "\r\n");

        var result = await Tool.RunProcessAsync("compare", cumulative, batch, "--key", "ISBN or SKU", "--json");
        Assert.True(result.ExitCode == 1, result.ToString());
        var report = result.Json();
        Shape.AssertSchema(report, "checkpointing.cli.compare", Shape.Compare);
        Shape.AssertEach(report.GetProperty("missing_from_batch"), Shape.RowRef, "missing row");
        Shape.AssertEach(report.GetProperty("extra_in_batch"), Shape.RowRef, "extra row");
        Shape.AssertEach(report.GetProperty("different"), Shape.RowDifference, "different row");
        Assert.False(report.GetProperty("identical").GetBoolean());
        Assert.Equal([TestBook.Isbn13(5), TestBook.Isbn13(6)], report.GetProperty("missing_from_batch").EnumerateArray().Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(10, report.GetProperty("missing_from_batch")[0].GetProperty("line").GetInt32());
        Assert.Equal(TestBook.Isbn13(99), report.GetProperty("extra_in_batch")[0].GetProperty("key").GetString());
        var different = report.GetProperty("different").EnumerateArray().Single();
        Assert.Equal(TestBook.Isbn13(2), different.GetProperty("key").GetString());
        var cells = different.GetProperty("cells").EnumerateArray().ToList();
        Shape.AssertEach(different.GetProperty("cells"), Shape.Cell, "cell");
        Assert.Equal(["Title", "US Suggested List Price"], cells.Select(c => c.GetProperty("column").GetString()));
        Assert.Equal("Book 2, \"volume\" 2", cells[0].GetProperty("cumulative").GetString());
        Assert.Equal("Book two, \"volume\" 2", cells[0].GetProperty("batch").GetString());

        var text2 = await Tool.RunAsync("compare", cumulative, batch);
        Assert.Contains($"missing from the batch: {TestBook.Isbn13(5)} (cumulative line 10)", text2.Out);
        Assert.Contains("DIFFERENT: 2 missing, 1 extra, 1 different row(s)", text2.Out);
    }

    [Fact]
    public async Task A_key_column_that_is_not_there_is_a_usage_error()
    {
        var (cumulative, batch) = await Pipelines.WriteCsvAsync(_dir["csv"], 2);
        var result = await Tool.RunAsync("compare", cumulative, batch, "--key", "SKU");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"checkpoint: Key column 'SKU' is not in the header of '{cumulative}'; name it with --key.", result.Error.Trim());
    }

    public void Dispose() => _dir.Dispose();
}
