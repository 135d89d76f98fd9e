using Checkpointing.Cli.Tests.Support;
using Checkpointing.Csv;
using Checkpointing.Store;

namespace Checkpointing.Cli.Tests;

/// <summary><c>checkpoint list</c> and <c>clean</c>: what they find, keep and remove.</summary>
public sealed class FilesTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private string Root => _dir["data"];

    private async Task<string> LayOutAsync()
    {
        await Pipelines.RunStageAsync(Root, "r", "ocr", 3);
        await Pipelines.RunStageAsync(Root, "r", "ocr", 3);
        var run = Path.Combine(Root, "r");
        var old = DateTime.UtcNow.AddDays(-3);
        string Touch(string relative, DateTime at, string content = "x")
        {
            var path = Path.Combine(run, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            File.SetLastWriteTimeUtc(path, at);
            return path;
        }

        var (latest, _) = await Pipelines.WriteCsvAsync(run, 2);
        File.SetLastWriteTimeUtc(latest, old);
        for (var day = 4; day <= 8; day++)
        {
            var stamp = DateTime.UtcNow.AddDays(-day);
            Touch(CumulativeCsv.FileName(stamp, "xynapse_traces"), stamp);
        }

        Touch(".ocr.json.0123456789ab.ckpt.tmp".Insert(0, "checkpoints/"), old);
        Touch("ocr/.000001.json.0123456789ab.ckpt.tmp", old);
        Touch("ocr/.000002.json.0123456789ab.ckpt.tmp", DateTime.UtcNow);
        Touch(CumulativeCsv.FileName(DateTime.UtcNow.AddDays(-9), "xynapse_traces") + ".old", old);
        return run;
    }

    [Fact]
    public async Task List_names_every_kind_of_file_with_the_documented_shape()
    {
        var run = await LayOutAsync();
        var result = await Tool.RunProcessAsync("list", Root, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Shape.AssertSchema(report, "checkpointing.cli.list", Shape.List);
        Shape.AssertEach(report.GetProperty("files"), Shape.File, "file");
        var kinds = report.GetProperty("files").EnumerateArray().GroupBy(f => f.GetProperty("kind").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, kinds["cumulative_csv"]);
        Assert.Equal(3, kinds["temp_file"]);
        Assert.Equal(1, kinds["set_aside"]);
        Assert.Equal(1, kinds["stage_checkpoint"]);
        Assert.Equal(1, kinds["checkpoint_backup"]);
        Assert.Equal(1, kinds["stage_journal"]);

        var text = await Tool.RunAsync("list", Root);
        Assert.Contains("latest of its imprint", text.Out);
        Assert.Contains(Path.Combine("r", "checkpoints", "ocr.json"), text.Out);
    }

    [Fact]
    public async Task Clean_keeps_the_newest_and_the_latest_removes_the_old_and_never_a_checkpoint()
    {
        var run = await LayOutAsync();
        var before = Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Order().ToList();

        var dry = await Tool.RunProcessAsync("clean", Root, "--older-than", "2d", "--keep", "2", "--dry-run", "--json");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var report = dry.Json();
        Shape.AssertSchema(report, "checkpointing.cli.clean", Shape.Clean);
        Shape.AssertEach(report.GetProperty("files"), Shape.CleanFile, "file");
        Assert.Equal(before, Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Order());
        var actions = report.GetProperty("files").EnumerateArray()
            .ToDictionary(f => Path.GetFileName(f.GetProperty("path").GetString()!), f => f.GetProperty("action").GetString());
        var cumulative = Directory.GetFiles(run, "cumulative_checkpoint_*.csv").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["would_delete", "would_delete", "would_delete", "would_delete", "kept", "kept"], cumulative.Select(c => actions[c!]));
        Assert.Equal("would_delete", actions[".ocr.json.0123456789ab.ckpt.tmp"]);
        Assert.Equal("would_delete", actions[".000001.json.0123456789ab.ckpt.tmp"]);
        Assert.Equal("kept", actions[".000002.json.0123456789ab.ckpt.tmp"]);
        Assert.DoesNotContain("ocr.json", actions.Keys);

        var clean = await Tool.RunAsync("clean", Root, "--older-than", "2d", "--keep", "2");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("Removed 6 file(s)", clean.Out);
        Assert.Equal(2, Directory.GetFiles(run, "cumulative_checkpoint_*.csv").Length);
        Assert.Single(Directory.GetFiles(run, "*.old"));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "ocr.json")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "ocr.json.bak")));
        Assert.Equal(3, FileCheckpointStore.ReadState(Root, "r", "ocr")!.CompletedCount);
    }

    [Fact]
    public async Task Clean_keeps_files_whose_writer_holds_its_lock()
    {
        var run = await LayOutAsync();
        await using var open = await CumulativeCsvCheckpoint<TestBook>.OpenOrCreateAsync(run, "xynapse_traces", b => b.Isbn);
        var result = await Tool.RunProcessAsync("clean", Root, "--older-than", "1h", "--keep", "0", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var cumulative = result.Json().GetProperty("files").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "cumulative_csv").ToList();
        Assert.All(cumulative, f => Assert.Equal("kept", f.GetProperty("action").GetString()));
        Assert.Contains(cumulative, f => f.GetProperty("reason").GetString()!.Contains(".cumulative_checkpoint_xynapse_traces.lock' is held"));
        Assert.Equal(6, Directory.GetFiles(run, "cumulative_checkpoint_*.csv").Length);
    }

    public void Dispose() => _dir.Dispose();
}
