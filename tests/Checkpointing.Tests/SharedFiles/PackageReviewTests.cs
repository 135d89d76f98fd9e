using System.Diagnostics;
using System.Security.Cryptography;
using Checkpointing.SharedFiles;
using Checkpointing.Tests.Support;
using MiniExcelLibs;
using PackageReview;
using Xunit.Abstractions;

namespace Checkpointing.Tests.SharedFiles;

/// <summary>
/// The sample for real: <c>samples/PackageReview</c> reviews 486 packages into an .xlsx workbook as a child process,
/// is SIGKILLed at a random moment, resumed, and its workbook compared with an uninterrupted run's.
/// </summary>
public sealed class PackageReviewTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string SamplePath
    {
        get
        {
            // tests/Checkpointing.Tests/bin/<Configuration>/net10.0/ -> samples/PackageReview/bin/<Configuration>/net10.0/
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var framework = Path.GetFileName(baseDirectory);
            var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
            var repository = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", ".."));
            var path = Path.Combine(repository, "samples", "PackageReview", "bin", configuration, framework, "PackageReview.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The sample is not built: {path}");
        }
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(SamplePath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start the sample");
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"exit {process.ExitCode}: {string.Join(' ', args)}");
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs until every package is reviewed (a random transient failure leaves one for the next run).</summary>
    private async Task<string> RunToCompletionAsync(string root)
    {
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var (exit, stdout, stderr) = await RunAsync("--root", root, "--latency", "0", "--batch-size", "60", "--parallel", "4");
            if (exit == 0)
            {
                var line = stdout.Split('\n').Single(l => l.StartsWith("Workbook: ", StringComparison.Ordinal));
                return line["Workbook: ".Length..].Trim();
            }

            Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{stderr}");
        }

        throw new InvalidOperationException("The sample did not complete in 4 runs.");
    }

    private static Dictionary<string, ReviewRow> ReadWorkbook(string path)
    {
        using var stream = File.OpenRead(path);
        var rows = new ReviewWorkbookFormat().Read(stream, CancellationToken.None);
        Assert.Equal(rows.Count, rows.Select(r => r.Key).Distinct().Count());
        return rows.ToDictionary(r => r.Key, r => r.Row);
    }

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    [Fact]
    public async Task A_review_killed_at_a_random_moment_and_resumed_gives_the_workbook_of_an_uninterrupted_run()
    {
        var reference = ReadWorkbook(await RunToCompletionAsync(_temp.Combine("reference")));
        Assert.Equal(486, reference.Count);

        var root = _temp.Combine("killed");
        var seed = Environment.GetEnvironmentVariable("CRASH_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var delay = TimeSpan.FromMilliseconds(1500 + new Random(seed).Next(3000));
        output.WriteLine($"kill after {delay.TotalMilliseconds} ms (CRASH_SEED={seed})");
        using (var process = Start("--root", root, "--latency", "3", "--batch-size", "20", "--parallel", "2"))
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await Task.Delay(delay);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var workbook = Path.Combine(root, "package-review", "package_review.xlsx");
        var checkpointPath = Path.Combine(root, "package-review", "checkpoints", "review.batches.json");
        if (File.Exists(checkpointPath))
        {
            var checkpoint = SharedFileCheckpoint.Read(checkpointPath);
            output.WriteLine($"killed at batch {checkpoint.Batch}, {checkpoint.Completed.Count} packages completed");
            if (checkpoint.Sha256 is not null)
            {
                // The file is the checkpointed version, or the next one whose checkpoint the kill cut off (its backup is then the checkpointed one).
                var sha = Sha(workbook);
                Assert.True(sha == checkpoint.Sha256 || Sha(workbook + ".bak") == checkpoint.Sha256, "the workbook is neither the checkpointed version nor the next one");
                Assert.True(ReadWorkbook(workbook).Keys.ToHashSet().IsSupersetOf(checkpoint.Completed.Keys));
            }
        }

        var resumed = ReadWorkbook(await RunToCompletionAsync(root));

        Assert.Equal(reference.Keys.Order(), resumed.Keys.Order());
        foreach (var (package, row) in reference)
        {
            Assert.Equal(row.Cells, resumed[package].Cells);
        }

        var final = SharedFileCheckpoint.Read(checkpointPath);
        Assert.Equal(Sha(workbook), final.Sha256);
        Assert.Equal(486, final.Completed.Count);
    }

    [Fact]
    public void The_workbook_format_reuses_the_rows_of_the_file_it_last_read_and_parses_any_other_previous_file()
    {
        static ReviewRow Row(int n, string recommendation) => new(
            [n.ToString(System.Globalization.CultureInfo.InvariantCulture), $"package-{n}", .. Enumerable.Repeat("x", 18), recommendation, "0.0015", ""]);
        static byte[] Save(ReviewWorkbookFormat format, byte[]? previous, params ReviewRow[] rows)
        {
            using var destination = new MemoryStream();
            using var source = previous is null ? null : new MemoryStream(previous, writable: false);
            format.Write(source, rows.Select(r => new SharedFileRow<ReviewRow>(r.Package, r)).ToList(), destination, CancellationToken.None);
            return destination.ToArray();
        }

        var format = new ReviewWorkbookFormat();
        var a = Save(format, null, Row(1, "Keep"), Row(2, "Keep"));
        var b = Save(new ReviewWorkbookFormat(), null, Row(1, "Update"), Row(3, "Remove"));
        Assert.Equal(2, format.Read(new MemoryStream(a), CancellationToken.None).Count);

        // Another previous file than the one last read (a hand-edited one, say) is parsed: its rows, not the cached ones.
        var fromB = Save(format, b, Row(4, "Keep"));
        Assert.Equal(0, format.PreviousRowsReused);
        Assert.Equal(["package-1:Update", "package-3:Remove", "package-4:Keep"],
            new ReviewWorkbookFormat().Read(new MemoryStream(fromB), CancellationToken.None).Select(r => $"{r.Key}:{r.Row.Cells[20]}"));

        // The file last read is not parsed again, and the result is the one a fresh instance (which parses it) writes.
        format.Read(new MemoryStream(a), CancellationToken.None);
        var reused = Save(format, a, Row(2, "Update"));
        Assert.Equal(1, format.PreviousRowsReused);
        var parsed = Save(new ReviewWorkbookFormat(), a, Row(2, "Update"));
        Assert.Equal(
            new ReviewWorkbookFormat().Read(new MemoryStream(parsed), CancellationToken.None).Select(r => r.Row),
            new ReviewWorkbookFormat().Read(new MemoryStream(reused), CancellationToken.None).Select(r => r.Row));
        Assert.Equal("Update", new ReviewWorkbookFormat().Read(new MemoryStream(reused), CancellationToken.None).Single(r => r.Key == "package-2").Row.Cells[20]);
    }

    [Fact]
    public async Task A_hand_edited_workbook_is_refused_with_what_differs()
    {
        var options = new SharedFileOptions { Root = _temp.Path, RunId = "edit", Name = "review", FileName = "package_review.xlsx", Policy = SharedFileBatchPolicy.Items(10) };
        var packages = Packages.Take(30);
        var lookup = new PackageLookup(TimeSpan.Zero, failAt: 0);
        Task<SharedFileRunResult> Run(SharedFileOptions o) => SharedFileRunner.RunAsync(packages, p => p.Name,
            async (p, context, ct) => await lookup.ReviewAsync(p, context.AddCost, ct), new ReviewWorkbookFormat(), o);
        await Run(options);
        var path = _temp.Combine("edit", "package_review.xlsx");

        // Someone opens the workbook, deletes the row of 'numpy', changes a recommendation and saves it.
        var sheet = MiniExcel.Query(path, useHeaderRow: false).Cast<IDictionary<string, object?>>().ToList();
        sheet.RemoveAll(row => Equals(row["B"], "numpy"));
        sheet.Single(row => Equals(row["B"], "pandas"))["U"] = "Remove";
        using (var stream = File.Create(path))
        {
            stream.SaveAs(sheet, printHeader: false, sheetName: ReviewWorkbookFormat.SheetName);
        }

        var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => Run(options));

        output.WriteLine(error.Message);
        Assert.Contains($"The shared file '{path}' does not match its checkpoint", error.Message);
        Assert.Contains("it holds 29 rows, the checkpoint 30; 1 key missing (numpy)", error.Message);
        Assert.Contains("run with Force to accept it as it is, or Fresh to set it aside", error.Message);

        var forced = await Run(options with { Force = true });
        Assert.Equal(1, forced.Processed);   // numpy, reviewed again; the edited recommendation is kept
        var rows = ReadWorkbook(path);
        Assert.Equal(30, rows.Count);
        Assert.Equal("Remove", rows["pandas"].Cells[20]);
    }
}
