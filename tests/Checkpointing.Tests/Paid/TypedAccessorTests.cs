using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.Paid;

/// <summary>A stage with a custom output folder, read back by the next stage through its generated accessors.</summary>
[Checkpointed("scan", OutputDirectory = "scanned", JsonContext = typeof(TestJsonContext))]
public sealed partial class ScanStage
{
    [ProcessItem]
    private static PageText Scan(int page) => new(page, $"scan of page {page}");
}

public sealed class TypedAccessorTests
{
    [Fact]
    public async Task The_generated_accessors_read_typed_outputs_by_key_and_all_of_them_in_key_order()
    {
        using var dir = new TempDirectory();
        var options = new StageRunOptions { Root = dir.Path, RunId = "book-7" };
        await new ScanStage().RunAsync([12, 3, 40], options);

        Assert.Equal(new PageText(12, "scan of page 12"), ScanStage.ReadOutput(options, "000012"));
        Assert.True(ScanStage.TryReadOutput(options, "000040", out var forty));
        Assert.Equal(40, forty.Page);
        Assert.False(ScanStage.TryReadOutput(options, "000041", out _));
        Assert.Equal(["000003", "000012", "000040"], ScanStage.ReadOutputs(options).Select(o => o.Key));
        Assert.Equal([3, 12, 40], ScanStage.ReadOutputs(options).Select(o => o.Output.Page));

        var missing = Assert.Throws<StageOutputNotFoundException>(() => ScanStage.ReadOutput(options, "000007"));
        Assert.Equal(("scan", "000007"), (missing.StageName, missing.Key));
        Assert.Contains(Path.Combine("book-7", "scanned", "000007.json"), missing.Message);

        File.WriteAllText(dir.Combine("book-7", "scanned", "000012.json"), "{ torn");
        var torn = Assert.Throws<FormatException>(() => ScanStage.ReadOutputs(options).ToList());
        Assert.Contains("000012.json", torn.Message);
    }

    [Fact]
    public void A_stage_that_never_ran_has_no_outputs()
    {
        using var dir = new TempDirectory();
        Assert.Empty(ScanStage.ReadOutputs(new StageRunOptions { Root = dir.Path, RunId = "none" }));
    }
}
