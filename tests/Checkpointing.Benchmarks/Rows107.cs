// The 107-column shape of the real LSI ACS template for CsvHelper's own [CsvRecord] generator: the same members as
// the test projects' FullLsiRow (tests/Shared), which is the [LsiRecord] row of the benchmarks.
using CsvHelper;

namespace Checkpointing.Benchmarks;

[CsvRecord]
public partial class CsvRow107
{
    [CsvColumn("Lightning Source Account #")] public string? LightningSourceAccount { get; set; }
    [CsvColumn("Metadata Contact Dictionary")] public string? MetadataContactDictionary { get; set; }
    [CsvColumn("Parent ISBN")] public string? ParentIsbn { get; set; }
    [CsvColumn("ISBN or SKU")] public string? IsbnOrSku { get; set; }
    [CsvColumn("Rendition /Booktype")] public string? RenditionBooktype { get; set; }
    [CsvColumn("Title")] public string? Title { get; set; }
    [CsvColumn("Publisher")] public string? Publisher { get; set; }
    [CsvColumn("Imprint")] public string? Imprint { get; set; }
    [CsvColumn("Cover/Jacket Submission Method")] public string? CoverJacketSubmissionMethod { get; set; }
    [CsvColumn("Text Block SubmissionMethod")] public string? TextBlockSubmissionmethod { get; set; }
    [CsvColumn("Contributor One")] public string? ContributorOne { get; set; }
    [CsvColumn("Contributor One Role")] public string? ContributorOneRole { get; set; }
    [CsvColumn("Reserved 1")] public string? Reserved1 { get; set; }
    [CsvColumn("Reserved 2")] public string? Reserved2 { get; set; }
    [CsvColumn("Custom Trim Width (inches)")] public decimal? CustomTrimWidthInches { get; set; }
    [CsvColumn("Custom Trim Height (inches)")] public decimal? CustomTrimHeightInches { get; set; }
    [CsvColumn("Weight(Lbs)")] public decimal? WeightLbs { get; set; }
    [CsvColumn("Pages")] public int? Pages { get; set; }
    [CsvColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [CsvColumn("Street Date")] public DateOnly? StreetDate { get; set; }
    [CsvColumn("Territorial Rights")] public string? TerritorialRights { get; set; }
    [CsvColumn("Contributor Two")] public string? ContributorTwo { get; set; }
    [CsvColumn("Contributor Two Role")] public string? ContributorTwoRole { get; set; }
    [CsvColumn("Contributor Three")] public string? ContributorThree { get; set; }
    [CsvColumn("Contributor Three Role")] public string? ContributorThreeRole { get; set; }
    [CsvColumn("Edition Number")] public int? EditionNumber { get; set; }
    [CsvColumn("Edition Description")] public string? EditionDescription { get; set; }
    [CsvColumn("Jacket Path / Filename")] public string? JacketPathFilename { get; set; }
    [CsvColumn("Interior Path / Filename")] public string? InteriorPathFilename { get; set; }
    [CsvColumn("Cover Path / Filename")] public string? CoverPathFilename { get; set; }
    [CsvColumn("Annotation / Summary")] public string? AnnotationSummary { get; set; }
    [CsvColumn("LSI Special Category  (please consult LSI before using")] public string? LsiSpecialCategoryPleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("Stamped Text LEFT")] public string? StampedTextLeft { get; set; }
    [CsvColumn("Stamped Text CENTER")] public string? StampedTextCenter { get; set; }
    [CsvColumn("Stamped Text RIGHT")] public string? StampedTextRight { get; set; }
    [CsvColumn("Order Type Eligibility")] public string? OrderTypeEligibility { get; set; }
    [CsvColumn("Returnable")] public string? Returnable { get; set; }
    [CsvColumn("BISAC Category")] public string? BisacCategory { get; set; }
    [CsvColumn("Language Code")] public string? LanguageCode { get; set; }
    [CsvColumn("LSI FlexField1 (please consult LSI before using)")] public string? LsiFlexfield1PleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("LSI FlexField2 (please consult LSI before using)")] public string? LsiFlexfield2PleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("LSI FlexField3 (please consult LSI before using)")] public string? LsiFlexfield3PleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("LSI FlexField4 (please consult LSI before using)")] public string? LsiFlexfield4PleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("LSI FlexField5 (please consult LSI before using)")] public string? LsiFlexfield5PleaseConsultLsiBeforeUsing { get; set; }
    [CsvColumn("BISAC Category 2")] public string? BisacCategory2 { get; set; }
    [CsvColumn("BISAC Category 3")] public string? BisacCategory3 { get; set; }
    [CsvColumn("Publisher Reference ID")] public string? PublisherReferenceId { get; set; }
    [CsvColumn("Carton Pack Quantity")] public int? CartonPackQuantity { get; set; }
    [CsvColumn("Contributor One BIO")] public string? ContributorOneBio { get; set; }
    [CsvColumn("Contributor One Affiliations")] public string? ContributorOneAffiliations { get; set; }
    [CsvColumn("Contributor One Professional Position")] public string? ContributorOneProfessionalPosition { get; set; }
    [CsvColumn("Contributor One Location")] public string? ContributorOneLocation { get; set; }
    [CsvColumn("Contributor One Location Type Code")] public string? ContributorOneLocationTypeCode { get; set; }
    [CsvColumn("Contributor One Prior Work")] public string? ContributorOnePriorWork { get; set; }
    [CsvColumn("Keywords")] public string? Keywords { get; set; }
    [CsvColumn("Thema Subject 1")] public string? ThemaSubject1 { get; set; }
    [CsvColumn("Thema Subject 2")] public string? ThemaSubject2 { get; set; }
    [CsvColumn("Thema Subject 3")] public string? ThemaSubject3 { get; set; }
    [CsvColumn("Regional Subjects")] public string? RegionalSubjects { get; set; }
    [CsvColumn("Min Age")] public int? MinAge { get; set; }
    [CsvColumn("Max Age")] public int? MaxAge { get; set; }
    [CsvColumn("Min Grade")] public string? MinGrade { get; set; }
    [CsvColumn("Max Grade")] public string? MaxGrade { get; set; }
    [CsvColumn("Audience")] public string? Audience { get; set; }
    [CsvColumn("Short Description")] public string? ShortDescription { get; set; }
    [CsvColumn("Table of Contents")] public string? TableOfContents { get; set; }
    [CsvColumn("Review Quote(s)")] public string? ReviewQuoteS { get; set; }
    [CsvColumn("# Illustrations")] public int? Illustrations { get; set; }
    [CsvColumn("Illustration Notes")] public string? IllustrationNotes { get; set; }
    [CsvColumn("Series Name")] public string? SeriesName { get; set; }
    [CsvColumn("# in Series")] public int? InSeries { get; set; }
    [CsvColumn("US Suggested List Price")] public decimal? UsSuggestedListPrice { get; set; }
    [CsvColumn("US Wholesale Discount")] public decimal? UsWholesaleDiscount { get; set; }
    [CsvColumn("UK Suggested List Price")] public decimal? UkSuggestedListPrice { get; set; }
    [CsvColumn("UK Wholesale Discount (%)")] public decimal? UkWholesaleDiscount { get; set; }
    [CsvColumn("EU Suggested List Price (mode 2)")] public decimal? EuSuggestedListPriceMode2 { get; set; }
    [CsvColumn("EU Wholesale Discount % (Mode 2)")] public decimal? EuWholesaleDiscountMode2 { get; set; }
    [CsvColumn("AU Suggested List Price (mode 2)")] public decimal? AuSuggestedListPriceMode2 { get; set; }
    [CsvColumn("AU Wholesale Discount % (Mode 2)")] public decimal? AuWholesaleDiscountMode2 { get; set; }
    [CsvColumn("CA Suggested List Price (mode 2)")] public decimal? CaSuggestedListPriceMode2 { get; set; }
    [CsvColumn("CA Wholesale Discount % (Mode 2)")] public decimal? CaWholesaleDiscountMode2 { get; set; }
    [CsvColumn("GC Suggested List Price (mode 2)")] public decimal? GcSuggestedListPriceMode2 { get; set; }
    [CsvColumn("GC Wholesale Discount % (Mode 2)")] public decimal? GcWholesaleDiscountMode2 { get; set; }
    [CsvColumn("USBR1 Suggested List Price (mode 2)")] public decimal? Usbr1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USBR1 Wholesale Discount % (Mode 2)")] public decimal? Usbr1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USDE1 Suggested List Price (mode 2)")] public decimal? Usde1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USDE1 Wholesale Discount % (Mode 2)")] public decimal? Usde1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USRU1 Suggested List Price (mode 2)")] public decimal? Usru1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USRU1 Wholesale Discount % (Mode 2)")] public decimal? Usru1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USPL1 Suggested List Price (mode 2)")] public decimal? Uspl1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USPL1 Wholesale Discount % (Mode 2)")] public decimal? Uspl1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USKR1 Suggested List Price (mode 2)")] public decimal? Uskr1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USKR1 Wholesale Discount % (Mode 2)")] public decimal? Uskr1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USCN1 Suggested List Price (mode 2)")] public decimal? Uscn1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USCN1 Wholesale Discount % (Mode 2)")] public decimal? Uscn1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USIN1 Suggested List Price (mode 2)")] public decimal? Usin1SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USIN1 Wholesale Discount % (Mode 2)")] public decimal? Usin1WholesaleDiscountMode2 { get; set; }
    [CsvColumn("USJP2 Suggested List Price(mode 2)")] public decimal? Usjp2SuggestedListPriceMode2 { get; set; }
    [CsvColumn("USJP2 Wholesale Discount % (Mode 2)")] public decimal? Usjp2WholesaleDiscountMode2 { get; set; }
    [CsvColumn("UAEUSD Suggested List Price (mode 2)")] public decimal? UaeusdSuggestedListPriceMode2 { get; set; }
    [CsvColumn("UAEUSD Wholesale Discount % (Mode 2)")] public decimal? UaeusdWholesaleDiscountMode2 { get; set; }
    [CsvColumn("US-Ingram-Only* Suggested List Price (mode 2)")] public decimal? UsIngramOnlySuggestedListPriceMode2 { get; set; }
    [CsvColumn("US-Ingram-Only* Wholesale Discount % (Mode 2)")] public decimal? UsIngramOnlyWholesaleDiscountMode2 { get; set; }
    [CsvColumn("US - Ingram - GAP * Suggested List Price (mode 2)")] public decimal? UsIngramGapSuggestedListPriceMode2 { get; set; }
    [CsvColumn("US - Ingram - GAP * Wholesale Discount % (Mode 2)")] public decimal? UsIngramGapWholesaleDiscountMode2 { get; set; }
    [CsvColumn("SIBI - EDUC - US * Suggested List Price (mode 2)")] public decimal? SibiEducUsSuggestedListPriceMode2 { get; set; }
    [CsvColumn("SIBI - EDUC - US * Wholesale Discount % (Mode 2)")] public decimal? SibiEducUsWholesaleDiscountMode2 { get; set; }
}

