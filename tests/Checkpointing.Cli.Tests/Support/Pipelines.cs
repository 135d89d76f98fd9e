using System.Globalization;
using System.Text.Json.Serialization;
using Checkpointing.Csv;
using Checkpointing.Lsi;
using Checkpointing.Store;

namespace Checkpointing.Cli.Tests.Support;

public sealed record Page(int Number, string Text);

[JsonSerializable(typeof(Page))]
public sealed partial class TestJson : JsonSerializerContext;

/// <summary>Real stages and CSVs written by the runtime in this process (other processes: see <see cref="Tool.WorkerAsync"/>).</summary>
public static class Pipelines
{
    public static decimal CostOf(int item) => 0.01m * item;

    /// <summary>Runs a stage of items 1..<paramref name="items"/>; item <paramref name="failAt"/> throws (the stage fails, keeping the rest).</summary>
    public static async Task<StageRunResult?> RunStageAsync(string root, string runId, string stage, int items, int failAt = -1, bool resume = true, ICheckpointStore? store = null)
    {
        var definition = new StageDefinition<int, Page>
        {
            StageName = stage,
            GetKey = CheckpointKeys.From,
            OutputTypeInfo = TestJson.Default.Page,
            ProcessAsync = (item, context, _) =>
            {
                if (item == failAt)
                {
                    throw new InvalidOperationException($"injected failure at item {item}");
                }

                context.AddCost(CostOf(item));
                return ValueTask.FromResult(new Page(item, "text of page " + item));
            },
        };
        try
        {
            return await StageRunner.RunAsync(definition, Enumerable.Range(1, items), new StageRunOptions { Root = root, RunId = runId, Resume = resume, MaxDegreeOfParallelism = 1, Store = store });
        }
        catch (StageFailedException)
        {
            return null;
        }
    }

    /// <summary>Writes a cumulative checkpoint CSV of <paramref name="books"/> LSI rows and its batch file; returns both paths.</summary>
    public static async Task<(string Cumulative, string Batch)> WriteCsvAsync(string directory, int books, string imprint = "xynapse_traces")
    {
        await using var checkpoint = await CumulativeCsvCheckpoint<TestBook>.OpenOrCreateAsync(directory, imprint, b => b.Isbn);
        for (var i = 1; i <= books; i++)
        {
            await checkpoint.AppendAsync(TestBook.Create(i));
        }

        var batch = Path.Combine(directory, "lsi_csv", "tranche_lsi.csv");
        await checkpoint.FinalizeAsync(batch);
        return (checkpoint.FilePath, batch);
    }
}

[LsiRecord(Template = "lsi_acs_template.csv")]
public sealed partial class TestBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("Annotation / Summary")] public string? Summary { get; set; }

    public static TestBook Create(int n) => new()
    {
        Isbn = Isbn13(n),
        Title = $"Book {n}, \"volume\" {n % 3}",
        PubDate = new DateOnly(2025, 1, 1).AddDays(n),
        UsPrice = 9.99m + n,
        UsDiscount = 40m,
        Summary = $"Summary of book {n}.\nSecond line.",
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

/// <summary>A book with the columns LSI's field rules check (code lists, contributor and role).</summary>
[LsiRecord(Template = "lsi_acs_template.csv")]
public sealed partial class RuleBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Contributor One")] public string? Author { get; set; }
    [LsiColumn("Contributor One Role")] public string? AuthorRole { get; set; }
    [LsiColumn("Rendition /Booktype")] public string? Booktype { get; set; }
    [LsiColumn("Returnable")] public string? Returnable { get; set; }
    [LsiColumn("Language Code")] public string? LanguageCode { get; set; }

    public static RuleBook Create(int n) => new()
    {
        Isbn = Isbn13(n),
        Title = $"Book {n}",
        Author = "A. Author",
        AuthorRole = "A",
        Booktype = "POD: 5 x 8 in or 203 x 127 mm Perfect Bound CREME",
        Returnable = "Yes-Destroy",
        LanguageCode = "eng",
    };

    public static string Isbn13(int n) => TestBook.Isbn13(n);
}
