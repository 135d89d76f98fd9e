using Checkpointing.Lsi;

namespace Checkpointing.Tests.Lsi;

/// <summary>
/// A record over the 96 columns a real tranche batch file uses (a subset of LSI's 119, in LSI's order), written as
/// that file writes dates (<c>M/d/yy</c>): 40 mapped columns, every other cell kept in <see cref="Other"/>.
/// </summary>
[LsiRecord(Template = "lsi_acs_96.csv", DateFormat = "M/d/yy")]
public partial class TrancheBook
{
    [LsiColumn("Lightning Source Account #")] public string? Account { get; set; }
    [LsiColumn("Metadata Contact Dictionary")] public string? MetadataContact { get; set; }
    [LsiColumn("Parent ISBN", Format = LsiFormat.Isbn)] public string? ParentIsbn { get; set; }
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Rendition /Booktype", Required = true)] public string? Rendition { get; set; }
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Publisher")] public string? Publisher { get; set; }
    [LsiColumn("Imprint")] public string? Imprint { get; set; }
    [LsiColumn("Cover/Jacket Submission Method")] public string? CoverSubmission { get; set; }
    [LsiColumn("Text Block SubmissionMethod")] public string? TextSubmission { get; set; }
    [LsiColumn("Contributor One")] public string? ContributorOne { get; set; }
    [LsiColumn("Contributor One Role")] public string? ContributorOneRole { get; set; }
    [LsiColumn("Pages")] public int? Pages { get; set; }
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("Territorial Rights")] public string? TerritorialRights { get; set; }
    [LsiColumn("Edition Number")] public int? EditionNumber { get; set; }
    [LsiColumn("Edition Description")] public string? EditionDescription { get; set; }
    [LsiColumn("Interior Path / Filename")] public string? InteriorPath { get; set; }
    [LsiColumn("Cover Path / Filename")] public string? CoverPath { get; set; }
    [LsiColumn("Annotation / Summary")] public string? Annotation { get; set; }
    [LsiColumn("Order Type Eligibility")] public string? OrderType { get; set; }
    [LsiColumn("Returnable")] public string? Returnable { get; set; }
    [LsiColumn("BISAC Category")] public string? Bisac1 { get; set; }
    [LsiColumn("Language Code")] public string? Language { get; set; }
    [LsiColumn("BISAC Category 2")] public string? Bisac2 { get; set; }
    [LsiColumn("BISAC Category 3")] public string? Bisac3 { get; set; }
    [LsiColumn("Keywords")] public string? Keywords { get; set; }
    [LsiColumn("Thema Subject 1")] public string? Thema1 { get; set; }
    [LsiColumn("Thema Subject 2")] public string? Thema2 { get; set; }
    [LsiColumn("Thema Subject 3")] public string? Thema3 { get; set; }
    [LsiColumn("Audience")] public string? Audience { get; set; }
    [LsiColumn("Short Description")] public string? ShortDescription { get; set; }
    [LsiColumn("Table of Contents")] public string? TableOfContents { get; set; }
    [LsiColumn("Series Name")] public string? SeriesName { get; set; }
    [LsiColumn("# in Series")] public int? NumberInSeries { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("UK Suggested List Price", Format = LsiFormat.Price)] public decimal? UkPrice { get; set; }
    [LsiColumn("UK Wholesale Discount (%)", Format = LsiFormat.Percent)] public decimal? UkDiscount { get; set; }
    [LsiColumn("EU Suggested List Price (mode 2)", Format = LsiFormat.Price)] public decimal? EuPrice { get; set; }

    /// <summary>The 56 other columns, cell for cell: multi-line text, the one-space cell, a stray JSON block.</summary>
    [LsiUnmappedColumns] public Dictionary<string, string> Other { get; set; } = new();
}

/// <summary>The same columns with our defaults: dates yyyy-MM-dd, a byte order mark, CRLF.</summary>
[LsiRecord(Template = "lsi_acs_96.csv")]
public partial class TrancheBookDefaults
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("UK Suggested List Price", Format = LsiFormat.Price)] public decimal? UkPrice { get; set; }
    [LsiColumn("UK Wholesale Discount (%)", Format = LsiFormat.Percent)] public decimal? UkDiscount { get; set; }
    [LsiUnmappedColumns] public Dictionary<string, string> Other { get; set; } = new();
}

/// <summary>The built-in 119-column ACS template: a few typed columns, the rest kept as they are.</summary>
[LsiRecord(Template = LsiTemplates.Acs)]
public partial class AcsBook
{
    [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [LsiColumn("UK Suggested List Price", Format = LsiFormat.Price)] public decimal? UkPrice { get; set; }
    [LsiColumn("EU Suggested List Price (mode 2)", Format = LsiFormat.Price)] public decimal? EuPrice { get; set; }
    [LsiColumn("Min Age")] public int? MinAge { get; set; }
    [LsiUnmappedColumns] public Dictionary<string, string> Other { get; set; } = new();
}
