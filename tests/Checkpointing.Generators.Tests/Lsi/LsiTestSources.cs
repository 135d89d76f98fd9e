extern alias LsiGenerators;

using LsiGenerators::Checkpointing.Generators.Lsi;
using Checkpointing.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Tests.Lsi;

internal static class LsiTestSources
{
    public static readonly string TemplateText = File.ReadAllText(FindTemplate());

    public static InMemoryAdditionalText Template => new(Path.Combine("project", "lsi_acs_template.csv"), TemplateText);

    public const string Book = """
        using Checkpointing.Lsi;

        namespace BookPipeline;

        [LsiRecord(Template = "lsi_acs_template.csv")]
        public partial class LsiBook
        {
            [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
            [LsiColumn("Title", Required = true, MaxLength = 200)] public string Title { get; set; } = "";
            [LsiColumn("Pub Date")] public System.DateOnly? PubDate { get; set; }
            [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
            [LsiColumn("US Wholesale Discount", Format = LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
            [LsiColumn("Pages")] public int? Pages { get; set; }
            [LsiColumn("Returnable")] public bool Returnable { get; set; }
        }
        """;

    public static GeneratorOutcome Run(string source, params AdditionalText[] additionalTexts) =>
        GeneratorHarness.Run(new LsiRecordGenerator(), [source], additionalTexts);

    private static string FindTemplate()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, "src", "Checkpointing.Lsi", "Lsi", "Templates", "lsi_acs_template.csv");
    }
}
