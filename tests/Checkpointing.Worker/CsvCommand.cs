using System.Globalization;
using Checkpointing.Csv;
using Checkpointing.Lsi;

namespace Checkpointing.Worker;

/// <summary>
/// Appends N deterministic LSI rows to the cumulative checkpoint CSV of an imprint, then writes the batch
/// file. Prints <c>APPENDED key</c> once a row is durable (or <c>SKIPPED key</c> when a resumed run finds it
/// already there), and <c>RESULT rows=...</c> at the end. Any number of killed runs followed by one complete
/// run must give the same batch file as one uninterrupted run.
/// </summary>
internal static class CsvCommand
{
    public static async Task<int> RunAsync(WorkerArgs args)
    {
        var books = args.GetInt("books", 200);
        var delayMs = args.GetInt("delay-ms", 0);
        var directory = args.Get("dir", "data");
        var options = new CumulativeCsvOptions
        {
            PipelineId = args.Get("run-id", "run"),
            Duplicates = args.Get("duplicates", "skip") == "replace" ? DuplicateRowPolicy.Replace : DuplicateRowPolicy.Skip,
            FailOnIOError = true,
        };
        await using var checkpoint = await CumulativeCsvCheckpoint<WorkerLsiBook>.OpenOrCreateAsync(directory, args.Get("imprint", "xynapse_traces"), b => b.Isbn, options);
        for (var i = 1; i <= books; i++)
        {
            if (delayMs > 0)
            {
                await Task.Delay(Random.Shared.Next(delayMs + 1));
            }

            var book = WorkerLsiBook.Create(i);
            var outcome = await checkpoint.AppendAsync(book);
            Console.Out.WriteLine((outcome == CsvAppendOutcome.SkippedDuplicate ? "SKIPPED " : "APPENDED ") + book.Isbn);
            Console.Out.Flush();
        }

        var rows = await checkpoint.FinalizeAsync(Path.Combine(directory, "batch", "xynapse_tranche_1.csv"));
        Console.Out.WriteLine($"RESULT rows={rows.ToString(CultureInfo.InvariantCulture)} file={checkpoint.FilePath}");
        Console.Out.Flush();
        return 0;
    }
}

/// <summary>An LSI row whose values are fixed functions of its number, with fields that need quoting.</summary>
[LsiRecord(Template = "lsi_acs_template.csv")]
internal sealed partial class WorkerLsiBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("Pages")] public int? Pages { get; set; }
    [LsiColumn("Annotation / Summary")] public string? Summary { get; set; }

    public static WorkerLsiBook Create(int n) => new()
    {
        Isbn = Isbn13(n),
        Title = $"Book {n}, \"volume\" {n % 7}",
        PubDate = new DateOnly(2025, 1, 1).AddDays(n),
        UsPrice = 9.99m + n,
        UsDiscount = 40m,
        Pages = 100 + n,
        // Long, multi-line and quoted: a kill can cut the row inside a quoted line break.
        Summary = $"Summary of book {n}.\nSecond line, with a comma.\n" + new string((char)('a' + (n % 26)), 200 + (n * 37 % 3000)),
    };

    public static string Isbn13(int n)
    {
        var body = "978" + n.ToString("D9", CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (body[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return body + ((10 - (sum % 10)) % 10).ToString(CultureInfo.InvariantCulture);
    }
}
