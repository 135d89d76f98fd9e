using Checkpointing.Cli.Tests.Support;
using Checkpointing.Store;

namespace Checkpointing.Cli.Tests;

/// <summary>Exit codes and one-line errors.</summary>
public sealed class UsageTests : IDisposable
{
    private readonly TempFolder _dir = new();

    [Theory]
    [InlineData(new[] { "status" }, "Required argument missing")]
    [InlineData(new[] { "status", ".", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "clean", ".", "--older-than", "soon" }, "'soon' is not a duration")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    public async Task Usage_mistakes_exit_2_with_a_line_naming_the_mistake(string[] args, string message)
    {
        var result = await Tool.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Contains("--help' for usage.", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_missing_root_or_file_is_a_usage_error_naming_it_in_one_line()
    {
        var missing = _dir["nowhere"];
        var status = await Tool.RunProcessAsync("status", missing);
        Assert.Equal(2, status.ExitCode);
        Assert.Equal($"checkpoint: Root folder '{missing}' does not exist.", status.Error.Trim());

        var validate = await Tool.RunAsync("validate", missing + ".csv");
        Assert.Equal(2, validate.ExitCode);
        Assert.Contains($"'{missing}.csv' does not exist", validate.Error);
    }

    [Fact]
    public async Task An_error_is_one_line_and_verbose_adds_the_stack_trace()
    {
        var root = _dir["data"];
        await Pipelines.RunStageAsync(root, "r", "ocr", 2);

        // A lock file that cannot be opened: an I/O failure, not a usage mistake.
        var lockFile = Path.Combine(root, "r", "checkpoints", "ocr.lock");
        File.Delete(lockFile);
        Directory.CreateDirectory(lockFile);
        var quiet = await Tool.RunAsync("reset", root, "--run", "r", "--stage", "ocr", "--yes");
        Assert.Equal(1, quiet.ExitCode);
        Assert.Single(quiet.Error.Trim().Split('\n'));
        Assert.Contains("ocr.lock", quiet.Error);
        Assert.DoesNotContain("   at ", quiet.Error);

        var verbose = await Tool.RunAsync("reset", root, "--run", "r", "--stage", "ocr", "--yes", "--verbose");
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
        Assert.Equal(2, FileCheckpointStore.ReadState(root, "r", "ocr")!.CompletedCount);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var result = await Tool.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "status", "validate", "compare", "list", "clean", "redo", "reset" })
        {
            Assert.Contains(command, result.Out);
        }
    }

    public void Dispose() => _dir.Dispose();
}
