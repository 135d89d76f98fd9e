using Checkpointing.Lsi;
using CsvHelper;

namespace Checkpointing.Tests.Lsi;

/// <summary>The record of the issue: a few mapped columns of the 107-column template.</summary>
[LsiRecord(Template = "lsi_acs_template.csv")]
public partial class LsiBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true, MaxLength = 60)] public string Title { get; set; } = "";
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("Pages")] public int? Pages { get; set; }
    [LsiColumn("Returnable")] public string? Returnable { get; set; }
    [LsiColumn("Annotation / Summary")] public string? Summary { get; set; }
}

/// <summary>No template: the mapped columns only, in declaration order.</summary>
[LsiRecord(EscapeInjection = false)]
public partial class ShortLsiRow
{
    [LsiColumn("ISBN or SKU", Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title")] public string? Title { get; set; }
}

/// <summary>A plain CsvHelper record: the cumulative checkpoint works with any CsvHelper record type.</summary>
[CsvRecord]
public partial class PlainCsvBook
{
    public string Isbn { get; set; } = "";
    public string? Title { get; set; }
    public int Pages { get; set; }
}
