namespace Checkpointing.EndToEnd.Tests;

/// <summary>
/// Runs the BookPipeline sample as a real process: a run that fails at book 5 and is rerun must leave the
/// same batch LSI CSV as an uninterrupted run, byte for byte (the file has no timestamp in it; both have the
/// byte order mark the LSI dialect writes, and the batch step orders rows by ISBN, not by finishing order).
/// </summary>
public sealed class BookPipelineBatchTests : IDisposable
{
    private const string RunId = "xynapse_tranche_1";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-books-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_failed_and_resumed_tranche_writes_the_same_batch_csv_as_an_uninterrupted_one()
    {
        var app = ProcessRunner.Metadata("BookPipelineApp");
        Assert.True(File.Exists(app), $"The sample was not built: {app}");
        Directory.CreateDirectory(_root);
        var timeout = TimeSpan.FromMinutes(2);

        var straight = Path.Combine(_root, "straight");
        var straightOutput = await ProcessRunner.RunAsync(_root, timeout, null, Arguments(app, straight));
        Assert.Contains("(12 rows,", straightOutput);

        var resumed = Path.Combine(_root, "resumed");
        var (process, output) = ProcessRunner.Start(_root, null, [.. Arguments(app, resumed), "--fail-at", "5"]);
        using (process)
        {
            Assert.True(process.WaitForExit(timeout), "The --fail-at run did not finish:\n" + ProcessRunner.Text(output));
            process.WaitForExit();
            Assert.True(process.ExitCode == 1, $"The --fail-at run exited with {process.ExitCode}:\n{ProcessRunner.Text(output)}");
        }

        Assert.False(File.Exists(BatchPath(resumed)), "A failed run must not write the batch file");
        var rerun = await ProcessRunner.RunAsync(_root, timeout, null, Arguments(app, resumed));
        Assert.Contains("Resuming:", rerun);
        Assert.Contains("(12 rows,", rerun);

        var expected = File.ReadAllBytes(BatchPath(straight));
        Assert.Equal(expected, File.ReadAllBytes(BatchPath(resumed)));
        Assert.Equal([0xEF, 0xBB, 0xBF], expected[..3]);

        // Header + 12 books, each once (none of these rows holds a line break).
        var lines = File.ReadAllLines(BatchPath(resumed));
        Assert.Equal(13, lines.Length);
        var isbns = lines.Skip(1).Select(l => l.Split(',')[3]).ToList();
        Assert.Equal(12, isbns.Distinct().Count());
        Assert.Equal(isbns.Order(StringComparer.Ordinal), isbns);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string[] Arguments(string app, string root) => [app, "--root", root, "--run-id", RunId, "--books", "12", "--latency", "0.2"];

    private static string BatchPath(string root) => Path.Combine(root, RunId, "lsi_csv", RunId + "_lsi.csv");
}
