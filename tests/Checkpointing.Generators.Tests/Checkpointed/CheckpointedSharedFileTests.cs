using System.Reflection;
using System.Runtime.Loader;
using Checkpointing.Generators.Tests.Infrastructure;
using Checkpointing.SharedFiles;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>
/// Issue 13: a <c>[Checkpointed]</c> stage with <c>[SharedFileOutput]</c>, whose outputs are rows of one shared
/// file saved in batches: the generated members (snapshot), the misuse diagnostics CKPT123-CKPT125, and the
/// generated stage run on real files, failed part way and resumed.
/// </summary>
public sealed class CheckpointedSharedFileTests : IDisposable
{
    // A small real format: one "key<TAB>text" line per row, rows in file order, updated rows replaced in place.
    private const string Format = """
        namespace MyApp.Review
        {
            public sealed class ReviewRow
            {
                public string Package { get; set; } = "";
                public string Verdict { get; set; } = "";
            }

            public sealed class ReviewLinesFormat : global::Checkpointing.SharedFiles.ISharedFileFormat<ReviewRow>
            {
                public void Write(System.IO.Stream? previous, IReadOnlyList<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>> updates, System.IO.Stream destination, CancellationToken cancellationToken)
                {
                    var rows = new List<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>>(previous is null ? [] : Read(previous, cancellationToken));
                    foreach (var update in updates)
                    {
                        var index = rows.FindIndex(r => r.Key == update.Key);
                        if (index >= 0) { rows[index] = update; } else { rows.Add(update); }
                    }

                    using var writer = new System.IO.StreamWriter(destination, leaveOpen: true);
                    foreach (var row in rows)
                    {
                        writer.Write(row.Key + "\t" + row.Row.Verdict + "\n");
                    }
                }

                public IReadOnlyList<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>> Read(System.IO.Stream file, CancellationToken cancellationToken)
                {
                    var rows = new List<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>>();
                    using var reader = new System.IO.StreamReader(file, leaveOpen: true);
                    var number = 0;
                    while (reader.ReadLine() is { } line)
                    {
                        number++;
                        var tab = line.IndexOf('\t');
                        if (tab <= 0)
                        {
                            throw new FormatException($"line {number} has no key");
                        }

                        var key = line.Substring(0, tab);
                        rows.Add(new(key, new ReviewRow { Package = key, Verdict = line.Substring(tab + 1) }));
                    }

                    return rows;
                }

                public long EstimateSize(ReviewRow row) => row.Package.Length + row.Verdict.Length + 2;
            }
        }
        """;

    private const string Stage = """
        namespace MyApp.Review
        {
            [Checkpointed("review")]
            [global::Checkpointing.SharedFiles.SharedFileOutput(typeof(ReviewLinesFormat), "out/review.tsv")]
            public partial class ReviewStage
            {
                public static string? FailOn;
                public static int Calls;

                [ProcessItem]
                private async Task<ReviewRow> ReviewAsync(string package, ItemContext context, CancellationToken cancellationToken)
                {
                    Interlocked.Increment(ref Calls);
                    await Task.Yield();
                    if (package == FailOn)
                    {
                        throw new InvalidOperationException("lookup of " + package + " failed");
                    }

                    context.AddCost(0.002m);
                    return new ReviewRow { Package = package, Verdict = "ok " + package };
                }
            }
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-shared-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Shared_file_stage_members()
    {
        var outcome = RunClean([Format, Stage]);
        Snapshot.Verify(outcome.RunResult);
    }

    [Fact]
    public async Task Generated_shared_file_stage_saves_rows_in_batches_keeps_a_failed_item_pending_and_resumes()
    {
        var outcome = RunClean([Format, Stage]);
        using var stream = new MemoryStream();
        var emit = outcome.OutputCompilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext("shared-file-e2e", isCollectible: true);
        try
        {
            var stageType = context.LoadFromStream(new MemoryStream(stream.ToArray())).GetType("MyApp.Review.ReviewStage", throwOnError: true)!;
            var packages = Enumerable.Range(1, 12).Select(i => $"pkg{i:D2}").ToList();
            var options = (SharedFileOptions)stageType.GetMethod("CreateSharedFileOptions")!.Invoke(null, [_root, "run-1"])!;
            Assert.Equal(("review", "out/review.tsv"), (options.Name, options.FileName));
            options = options with { Policy = SharedFileBatchPolicy.Items(5) };

            // First run: pkg07 fails; the other 11 rows are saved in batches and the failed item stays pending.
            stageType.GetField("FailOn")!.SetValue(null, "pkg07");
            var first = await RunAsync(stageType, packages, options);
            Assert.Equal(SharedFileRunStatus.Failed, first.Status);
            Assert.Equal((11, 0, 1, 11), (first.Processed, first.Skipped, first.Failed, first.Completed));
            Assert.True(first.BatchesSaved >= 3, $"{first.BatchesSaved} batches");
            var file = Path.Combine(_root, "run-1", "out", "review.tsv");
            Assert.Equal(Path.GetFullPath(file), Path.GetFullPath(first.FilePath));
            Assert.Equal(11, File.ReadAllLines(file).Length);
            Assert.DoesNotContain(File.ReadAllLines(file), l => l.StartsWith("pkg07\t", StringComparison.Ordinal));

            var status = (SharedFileCheckpoint?)stageType.GetMethod("ReadStatus")!.Invoke(null, [_root, "run-1"]);
            Assert.NotNull(status);
            Assert.Equal(11, status.Completed.Count);
            Assert.True(status.Failed.ContainsKey("pkg07"));

            // Second run: only the failed item is processed; every package is in the file once.
            stageType.GetField("FailOn")!.SetValue(null, null);
            stageType.GetField("Calls")!.SetValue(null, 0);
            var second = await RunAsync(stageType, packages, options);
            Assert.Equal(SharedFileRunStatus.Completed, second.Status);
            Assert.Equal((1, 11, 0, 12), (second.Processed, second.Skipped, second.Failed, second.Completed));
            Assert.Equal(1, stageType.GetField("Calls")!.GetValue(null));
            var lines = File.ReadAllLines(file);
            Assert.Equal(packages.Select(p => p + "\tok " + p).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
            Assert.Equal(0.024m, second.TotalCostUsd);

            // A hand-edited file is refused on resume with a message naming it.
            File.AppendAllText(file, "extra\tby hand\n");
            var error = await Assert.ThrowsAsync<SharedFileMismatchException>(() => RunAsync(stageType, packages, options));
            Assert.Contains("review.tsv", error.Message, StringComparison.Ordinal);
            Assert.Contains("extra", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void CKPT123_format_of_another_row_type()
    {
        AssertDiagnostics(Format + """
            namespace MyApp.Review
            {
                public sealed class Other { public string Name { get; set; } = ""; }

                [Checkpointed("review")]
                [global::Checkpointing.SharedFiles.SharedFileOutput([|typeof(ReviewLinesFormat)|], "review.tsv")]
                public partial class ReviewStage
                {
                    [ProcessItem] public Other Review(string package) => new();
                }
            }
            """,
            ("CKPT123", "The shared-file format 'MyApp.Review.ReviewLinesFormat' of stage 'review' cannot be used: it implements ISharedFileFormat<MyApp.Review.ReviewRow>, not of the stage's output type; name a class with a public parameterless constructor that implements ISharedFileFormat<MyApp.Review.Other>"));
    }

    [Fact]
    public void CKPT123_format_without_a_parameterless_constructor()
    {
        AssertDiagnostics(Format + """
            namespace MyApp.Review
            {
                public sealed class KeyedFormat(string key) : global::Checkpointing.SharedFiles.ISharedFileFormat<ReviewRow>
                {
                    public void Write(System.IO.Stream? previous, IReadOnlyList<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>> updates, System.IO.Stream destination, CancellationToken cancellationToken) { }
                    public IReadOnlyList<global::Checkpointing.SharedFiles.SharedFileRow<ReviewRow>> Read(System.IO.Stream file, CancellationToken cancellationToken) => [];
                    public long EstimateSize(ReviewRow row) => key.Length;
                }

                [Checkpointed("review")]
                [global::Checkpointing.SharedFiles.SharedFileOutput([|typeof(KeyedFormat)|], "review.tsv")]
                public partial class ReviewStage
                {
                    [ProcessItem] public ReviewRow Review(string package) => new();
                }
            }
            """,
            ("CKPT123", "The shared-file format 'MyApp.Review.KeyedFormat' of stage 'review' cannot be used: it has no parameterless constructor the stage can call; name a class with a public parameterless constructor that implements ISharedFileFormat<MyApp.Review.ReviewRow>"));
    }

    [Fact]
    public void CKPT123_type_that_is_not_a_format()
    {
        AssertDiagnostics(Format + """
            namespace MyApp.Review
            {
                [Checkpointed("review")]
                [global::Checkpointing.SharedFiles.SharedFileOutput([|typeof(ReviewRow)|], "review.tsv")]
                public partial class ReviewStage
                {
                    [ProcessItem] public ReviewRow Review(string package) => new();
                }
            }
            """,
            ("CKPT123", "The shared-file format 'MyApp.Review.ReviewRow' of stage 'review' cannot be used: it does not implement ISharedFileFormat<T>; name a class with a public parameterless constructor that implements ISharedFileFormat<MyApp.Review.ReviewRow>"));
    }

    [Fact]
    public void CKPT124_cumulative_csv_on_a_shared_file_stage()
    {
        var outcome = AssertDiagnostics(Format + """
            namespace MyApp.Review
            {
                [Checkpointed("review")]
                [global::Checkpointing.SharedFiles.SharedFileOutput(typeof(ReviewLinesFormat), "review.tsv")]
                [global::Checkpointing.Csv.CumulativeCsv([|"nimble"|])]
                public partial class ReviewStage
                {
                    [ProcessItem] public ReviewRow Review(string package) => new();
                }
            }
            """,
            ("CKPT124", "Stage 'review' saves its outputs as rows of one shared file, so [CumulativeCsv] has no effect; remove it (the format checks each saved file by reading it back)"));
        Assert.DoesNotContain(outcome.RunResult.GeneratedTrees, t => t.FilePath.EndsWith(".CumulativeCsv.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void CKPT124_settings_of_per_item_outputs_on_a_shared_file_stage()
    {
        AssertDiagnostics(Format + """
            namespace MyApp.Review
            {
                [Checkpointed("review", OutputDirectory = [|"reviews"|])]
                [global::Checkpointing.SharedFiles.SharedFileOutput(typeof(ReviewLinesFormat), "review.tsv")]
                public partial class ReviewStage
                {
                    [ProcessItem] public ReviewRow Review(string package) => new();

                    [ValidateOutput] public static bool [|IsReviewed|](ReviewRow row) => row.Verdict.Length > 0;
                }
            }
            """,
            ("CKPT124", "Stage 'review' saves its outputs as rows of one shared file, so OutputDirectory has no effect; remove it (the format checks each saved file by reading it back)"),
            ("CKPT124", "Stage 'review' saves its outputs as rows of one shared file, so the [ValidateOutput] method 'IsReviewed' has no effect; remove it (the format checks each saved file by reading it back)"));
    }

    [Theory]
    [InlineData("../review.tsv", "'..': it names a directory")]
    [InlineData("/tmp/review.tsv", "it is an absolute path")]
    [InlineData("out//review.tsv", "it has an empty folder name ('//' or a trailing '/')")]
    [InlineData("C:review.tsv", "'C:review.tsv': it contains ':', which Windows file names cannot hold")]
    [InlineData("", "it is empty")]
    public void CKPT125_file_name_outside_the_run_folder(string fileName, string problem)
    {
        AssertDiagnostics(Format + $$"""
            namespace MyApp.Review
            {
                [Checkpointed("review")]
                [global::Checkpointing.SharedFiles.SharedFileOutput(typeof(ReviewLinesFormat), [|"{{fileName}}"|])]
                public partial class ReviewStage
                {
                    [ProcessItem] public ReviewRow Review(string package) => new();
                }
            }
            """,
            ("CKPT125", $"The shared file \"{fileName}\" of stage 'review' is not a usable path inside the run folder: {problem}; use a file name such as \"review.csv\", or folders separated by '/'"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<SharedFileRunResult> RunAsync(Type stageType, List<string> packages, SharedFileOptions options)
    {
        var stage = Activator.CreateInstance(stageType)!;
        var run = stageType.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Instance)!;
        try
        {
            return await (Task<SharedFileRunResult>)run.Invoke(stage, [packages, options, CancellationToken.None])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}
