using System.Globalization;
using System.Text.Json;
using Checkpointing.Store;

namespace Checkpointing.EndToEnd.Tests;

/// <summary>
/// Runs the end-to-end app (a generated [Checkpointed] stage) as a real process, kills it mid-run, reruns
/// it, and checks that every item's output exists exactly once and the checkpoint is complete with the
/// right cost.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private const int Items = 300;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-kill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_killed_run_resumes_to_one_output_per_item_and_the_full_cost()
    {
        var app = ProcessRunner.Metadata("EndToEndApp");
        Assert.True(File.Exists(app), $"The end-to-end app was not built: {app}");
        Directory.CreateDirectory(_root);
        var outputs = Path.Combine(_root, "run-1", "slow-out");
        string[] arguments = [app, _root, "run-1", Items.ToString(CultureInfo.InvariantCulture), "15"];

        var (process, output) = ProcessRunner.Start(_root, null, arguments);
        using (process)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (CountOutputs(outputs) < Items / 4)
            {
                Assert.False(process.HasExited, $"The app ended before it was killed:\n{ProcessRunner.Text(output)}");
                Assert.True(DateTime.UtcNow < deadline, "The app made no progress in 60 s.");
                await Task.Delay(20);
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var done = CountOutputs(outputs);
        Assert.InRange(done, Items / 4, Items - 1);

        var rerun = await ProcessRunner.RunAsync(_root, TimeSpan.FromSeconds(120), null, arguments);
        Assert.Contains("status=Completed", rerun);
        Assert.Contains("failed=0", rerun);
        var skipped = int.Parse(rerun.Split("skipped=")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.InRange(skipped, done - 2, Items - 1);

        var files = Directory.GetFiles(outputs, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var expected = Enumerable.Range(1, Items).Select(i => i.ToString("000000", CultureInfo.InvariantCulture) + ".json").ToList();
        Assert.Equal(expected, files);
        foreach (var file in Directory.GetFiles(outputs, "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var item = json.RootElement.GetProperty("output").GetProperty("Item").GetInt32();
            Assert.Equal(Path.GetFileNameWithoutExtension(file), item.ToString("000000", CultureInfo.InvariantCulture));
        }

        var status = FileCheckpointStore.ReadState(_root, "run-1", "slow");
        Assert.NotNull(status);
        Assert.Equal(StageStatus.Completed, status.Status);
        Assert.Equal(Items, status.CompletedCount);
        Assert.Equal(Items * 0.001m, status.TotalCostUsd);
        Assert.Contains("total_cost=0.300", rerun);

        var third = await ProcessRunner.RunAsync(_root, TimeSpan.FromSeconds(60), null, arguments);
        Assert.Contains($"processed=0 skipped={Items}", third);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static int CountOutputs(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*.json").Length : 0;
}
