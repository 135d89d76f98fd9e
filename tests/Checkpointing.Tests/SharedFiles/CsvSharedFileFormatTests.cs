using System.Text;
using Checkpointing.Csv;
using Checkpointing.SharedFiles;
using Checkpointing.Tests.Lsi;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.SharedFiles;

public sealed class CsvSharedFileFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Write<T>(ISharedFileFormat<T> format, byte[]? previous, params SharedFileRow<T>[] updates)
    {
        using var destination = new MemoryStream();
        using var before = previous is null ? null : new MemoryStream(previous);
        format.Write(before, updates, destination, CancellationToken.None);
        return destination.ToArray();
    }

    private static IReadOnlyList<SharedFileRow<T>> Read<T>(ISharedFileFormat<T> format, byte[] bytes) =>
        format.Read(new MemoryStream(bytes), CancellationToken.None);

    private static SharedFileRow<PlainCsvBook> Plain(string isbn, string title) => new(isbn, new PlainCsvBook { Isbn = isbn, Title = title, Pages = title.Length });

    [Fact]
    public void Updated_rows_replace_their_row_in_place_and_new_rows_are_appended()
    {
        var format = new CsvSharedFileFormat<PlainCsvBook>(b => b.Isbn);
        var first = Write(format, null, Plain("3", "c"), Plain("1", "a"));
        var second = Write(format, first, Plain("1", "A, revised"), Plain("2", "b"));

        Assert.Equal("Isbn,Title,Pages\r\n3,c,1\r\n1,\"A, revised\",10\r\n2,b,1\r\n", Encoding.UTF8.GetString(second));
        Assert.Equal(["3", "1", "2"], Read(format, second).Select(r => r.Key));
    }

    [Fact]
    public void SortKeys_keeps_the_rows_in_key_order()
    {
        var format = new CsvSharedFileFormat<PlainCsvBook>(b => b.Isbn) { SortKeys = true };
        var bytes = Write(format, Write(format, null, Plain("3", "c"), Plain("1", "a")), Plain("2", "b"));
        Assert.Equal(["1", "2", "3"], Read(format, bytes).Select(r => r.Key));
    }

    [Fact]
    public void Lsi_records_are_written_in_the_LSI_dialect_with_formulas_escaped_and_read_back()
    {
        var format = new CsvSharedFileFormat<LsiBook>(b => b.Isbn);
        var book = new LsiBook { Isbn = "9780306406157", Title = "=HYPERLINK(\"http://evil\")", UsPrice = 24.99m, PubDate = new DateOnly(2025, 3, 15) };
        var bytes = Write(format, null, new SharedFileRow<LsiBook>(book.Isbn, book));
        var text = Encoding.UTF8.GetString(bytes);

        Assert.StartsWith("\uFEFF", text);
        Assert.Contains("\"'=HYPERLINK(", text, StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", text, StringComparison.Ordinal);
        var back = Read(format, bytes).Single();
        Assert.Equal("9780306406157", back.Key);
        Assert.Equal(24.99m, back.Row.UsPrice);
        // Rows read back and written again are stable: a rewrite never changes a row it did not update.
        Assert.Equal(bytes, Write(format, bytes));
    }

    [Fact]
    public void A_file_of_another_type_is_refused_naming_the_header()
    {
        var format = new CsvSharedFileFormat<PlainCsvBook>(b => b.Isbn);
        var error = Assert.Throws<InvalidDataException>(() => Read(format, Encoding.UTF8.GetBytes("Name,Version\r\nrequests,2.32\r\n")));
        Assert.Contains("line 1: the header does not match PlainCsvBook; expected 'Isbn,Title,Pages', found 'Name,Version'", error.Message);
    }

    [Fact]
    public void A_damaged_row_is_refused_naming_its_line()
    {
        var format = new CsvSharedFileFormat<PlainCsvBook>(b => b.Isbn);
        var error = Assert.Throws<InvalidDataException>(() => Read(format, Encoding.UTF8.GetBytes("Isbn,Title,Pages\r\n1,a,1\r\n2,b\r\n")));
        Assert.Contains("line 3: 2 fields, the header has 3", error.Message);

        var badNumber = Assert.Throws<InvalidDataException>(() => Read(format, Encoding.UTF8.GetBytes("Isbn,Title,Pages\r\n1,a,many\r\n")));
        Assert.StartsWith("line 2:", badNumber.Message);
    }

    [Fact]
    public async Task A_run_over_an_LsiRecord_CSV_saves_in_batches_and_a_hand_edited_file_is_refused()
    {
        var options = new SharedFileOptions { Root = _temp.Path, RunId = "t1", Name = "lsi", FileName = "lsi.csv", Policy = SharedFileBatchPolicy.Items(4) };
        var isbns = new[] { "9780306406157", "9781234567897", "9780131103627", "9780201633610", "9780596007126", "9781449331818" };
        var format = new CsvSharedFileFormat<LsiBook>(b => b.Isbn);

        var result = await SharedFileRunner.RunAsync(isbns, i => i, (isbn, _, _) => ValueTask.FromResult(new LsiBook { Isbn = isbn, Title = "Book " + isbn }), format, options);

        Assert.Equal(2, result.BatchesSaved);
        var path = _temp.Combine("t1", "lsi.csv");
        Assert.Equal(isbns, Read(format, File.ReadAllBytes(path)).Select(r => r.Key));

        File.WriteAllText(path, File.ReadAllText(path).Replace("Book 9780131103627", "Book edited"));
        var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => SharedFileRunner.RunAsync(isbns, i => i,
            (isbn, _, _) => ValueTask.FromResult(new LsiBook { Isbn = isbn, Title = "Book " + isbn }), format, options));
        Assert.Contains("the same keys, but the content differs", error.Message);
    }
}
