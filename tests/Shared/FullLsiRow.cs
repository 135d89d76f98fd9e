// Every column of the real 107-column LSI ACS template, mapped: the one 107-column row of the test projects (linked into
// Checkpointing.Tests, whose round-trip test writes and reads all of them, and into the benchmarks; the generator tests
// read this file as source).
using Checkpointing.Lsi;

namespace Checkpointing.TestSupport;

[LsiRecord(Template = "lsi_acs_template.csv")]
public partial class FullLsiRow
{
    [LsiColumn("Lightning Source Account #")] public string? LightningSourceAccount { get; set; }
    [LsiColumn("Metadata Contact Dictionary")] public string? MetadataContactDictionary { get; set; }
    [LsiColumn("Parent ISBN", Format = LsiFormat.Isbn)] public string? ParentIsbn { get; set; }
    [LsiColumn("ISBN or SKU", Format = LsiFormat.Isbn, Required = true)] public string? IsbnOrSku { get; set; }
    [LsiColumn("Rendition /Booktype")] public string? RenditionBooktype { get; set; }
    [LsiColumn("Title", Required = true, MaxLength = 200)] public string? Title { get; set; }
    [LsiColumn("Publisher")] public string? Publisher { get; set; }
    [LsiColumn("Imprint")] public string? Imprint { get; set; }
    [LsiColumn("Cover/Jacket Submission Method")] public string? CoverJacketSubmissionMethod { get; set; }
    [LsiColumn("Text Block SubmissionMethod")] public string? TextBlockSubmissionmethod { get; set; }
    [LsiColumn("Contributor One")] public string? ContributorOne { get; set; }
    [LsiColumn("Contributor One Role")] public string? ContributorOneRole { get; set; }
    [LsiColumn("Reserved 1")] public string? Reserved1 { get; set; }
    [LsiColumn("Reserved 2")] public string? Reserved2 { get; set; }
    [LsiColumn("Custom Trim Width (inches)")] public decimal? CustomTrimWidthInches { get; set; }
    [LsiColumn("Custom Trim Height (inches)")] public decimal? CustomTrimHeightInches { get; set; }
    [LsiColumn("Weight(Lbs)")] public decimal? WeightLbs { get; set; }
    [LsiColumn("Pages")] public int? Pages { get; set; }
    [LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [LsiColumn("Street Date")] public DateOnly? StreetDate { get; set; }
    [LsiColumn("Territorial Rights")] public string? TerritorialRights { get; set; }
    [LsiColumn("Contributor Two")] public string? ContributorTwo { get; set; }
    [LsiColumn("Contributor Two Role")] public string? ContributorTwoRole { get; set; }
    [LsiColumn("Contributor Three")] public string? ContributorThree { get; set; }
    [LsiColumn("Contributor Three Role")] public string? ContributorThreeRole { get; set; }
    [LsiColumn("Edition Number")] public int? EditionNumber { get; set; }
    [LsiColumn("Edition Description")] public string? EditionDescription { get; set; }
    [LsiColumn("Jacket Path / Filename")] public string? JacketPathFilename { get; set; }
    [LsiColumn("Interior Path / Filename")] public string? InteriorPathFilename { get; set; }
    [LsiColumn("Cover Path / Filename")] public string? CoverPathFilename { get; set; }
    [LsiColumn("Annotation / Summary")] public string? AnnotationSummary { get; set; }
    [LsiColumn("LSI Special Category  (please consult LSI before using")] public string? LsiSpecialCategoryPleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("Stamped Text LEFT")] public string? StampedTextLeft { get; set; }
    [LsiColumn("Stamped Text CENTER")] public string? StampedTextCenter { get; set; }
    [LsiColumn("Stamped Text RIGHT")] public string? StampedTextRight { get; set; }
    [LsiColumn("Order Type Eligibility")] public string? OrderTypeEligibility { get; set; }
    [LsiColumn("Returnable")] public string? Returnable { get; set; }
    [LsiColumn("BISAC Category")] public string? BisacCategory { get; set; }
    [LsiColumn("Language Code")] public string? LanguageCode { get; set; }
    [LsiColumn("LSI FlexField1 (please consult LSI before using)")] public string? LsiFlexfield1PleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("LSI FlexField2 (please consult LSI before using)")] public string? LsiFlexfield2PleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("LSI FlexField3 (please consult LSI before using)")] public string? LsiFlexfield3PleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("LSI FlexField4 (please consult LSI before using)")] public string? LsiFlexfield4PleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("LSI FlexField5 (please consult LSI before using)")] public string? LsiFlexfield5PleaseConsultLsiBeforeUsing { get; set; }
    [LsiColumn("BISAC Category 2")] public string? BisacCategory2 { get; set; }
    [LsiColumn("BISAC Category 3")] public string? BisacCategory3 { get; set; }
    [LsiColumn("Publisher Reference ID")] public string? PublisherReferenceId { get; set; }
    [LsiColumn("Carton Pack Quantity")] public int? CartonPackQuantity { get; set; }
    [LsiColumn("Contributor One BIO")] public string? ContributorOneBio { get; set; }
    [LsiColumn("Contributor One Affiliations")] public string? ContributorOneAffiliations { get; set; }
    [LsiColumn("Contributor One Professional Position")] public string? ContributorOneProfessionalPosition { get; set; }
    [LsiColumn("Contributor One Location")] public string? ContributorOneLocation { get; set; }
    [LsiColumn("Contributor One Location Type Code")] public string? ContributorOneLocationTypeCode { get; set; }
    [LsiColumn("Contributor One Prior Work")] public string? ContributorOnePriorWork { get; set; }
    [LsiColumn("Keywords")] public string? Keywords { get; set; }
    [LsiColumn("Thema Subject 1")] public string? ThemaSubject1 { get; set; }
    [LsiColumn("Thema Subject 2")] public string? ThemaSubject2 { get; set; }
    [LsiColumn("Thema Subject 3")] public string? ThemaSubject3 { get; set; }
    [LsiColumn("Regional Subjects")] public string? RegionalSubjects { get; set; }
    [LsiColumn("Min Age")] public int? MinAge { get; set; }
    [LsiColumn("Max Age")] public int? MaxAge { get; set; }
    [LsiColumn("Min Grade")] public string? MinGrade { get; set; }
    [LsiColumn("Max Grade")] public string? MaxGrade { get; set; }
    [LsiColumn("Audience")] public string? Audience { get; set; }
    [LsiColumn("Short Description")] public string? ShortDescription { get; set; }
    [LsiColumn("Table of Contents")] public string? TableOfContents { get; set; }
    [LsiColumn("Review Quote(s)")] public string? ReviewQuoteS { get; set; }
    [LsiColumn("# Illustrations")] public int? Illustrations { get; set; }
    [LsiColumn("Illustration Notes")] public string? IllustrationNotes { get; set; }
    [LsiColumn("Series Name")] public string? SeriesName { get; set; }
    [LsiColumn("# in Series")] public int? InSeries { get; set; }
    [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsSuggestedListPrice { get; set; }
    [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsWholesaleDiscount { get; set; }
    [LsiColumn("UK Suggested List Price", Format = LsiFormat.Decimal)] public decimal? UkSuggestedListPrice { get; set; }
    [LsiColumn("UK Wholesale Discount (%)", Format = LsiFormat.Percent)] public decimal? UkWholesaleDiscount { get; set; }
    [LsiColumn("EU Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? EuSuggestedListPriceMode2 { get; set; }
    [LsiColumn("EU Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? EuWholesaleDiscountMode2 { get; set; }
    [LsiColumn("AU Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? AuSuggestedListPriceMode2 { get; set; }
    [LsiColumn("AU Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? AuWholesaleDiscountMode2 { get; set; }
    [LsiColumn("CA Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? CaSuggestedListPriceMode2 { get; set; }
    [LsiColumn("CA Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? CaWholesaleDiscountMode2 { get; set; }
    [LsiColumn("GC Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? GcSuggestedListPriceMode2 { get; set; }
    [LsiColumn("GC Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? GcWholesaleDiscountMode2 { get; set; }
    [LsiColumn("USBR1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Usbr1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USBR1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Usbr1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USDE1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Usde1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USDE1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Usde1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USRU1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Usru1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USRU1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Usru1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USPL1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Uspl1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USPL1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Uspl1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USKR1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Uskr1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USKR1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Uskr1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USCN1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Uscn1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USCN1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Uscn1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USIN1 Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? Usin1SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USIN1 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Usin1WholesaleDiscountMode2 { get; set; }
    [LsiColumn("USJP2 Suggested List Price(mode 2)", Format = LsiFormat.Decimal)] public decimal? Usjp2SuggestedListPriceMode2 { get; set; }
    [LsiColumn("USJP2 Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? Usjp2WholesaleDiscountMode2 { get; set; }
    [LsiColumn("UAEUSD Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? UaeusdSuggestedListPriceMode2 { get; set; }
    [LsiColumn("UAEUSD Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? UaeusdWholesaleDiscountMode2 { get; set; }
    [LsiColumn("US-Ingram-Only* Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? UsIngramOnlySuggestedListPriceMode2 { get; set; }
    [LsiColumn("US-Ingram-Only* Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? UsIngramOnlyWholesaleDiscountMode2 { get; set; }
    [LsiColumn("US - Ingram - GAP * Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? UsIngramGapSuggestedListPriceMode2 { get; set; }
    [LsiColumn("US - Ingram - GAP * Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? UsIngramGapWholesaleDiscountMode2 { get; set; }
    [LsiColumn("SIBI - EDUC - US * Suggested List Price (mode 2)", Format = LsiFormat.Decimal)] public decimal? SibiEducUsSuggestedListPriceMode2 { get; set; }
    [LsiColumn("SIBI - EDUC - US * Wholesale Discount % (Mode 2)", Format = LsiFormat.Percent)] public decimal? SibiEducUsWholesaleDiscountMode2 { get; set; }
}
