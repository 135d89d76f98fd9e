using System.CommandLine;
using BookPipeline;
using Checkpointing;
using Checkpointing.Csv;
using Checkpointing.Lsi;
using Microsoft.Extensions.Logging;

var books = new Option<int>("--books") { Description = "Number of books in the tranche", DefaultValueFactory = _ => 36 };
var root = new Option<string>("--root") { Description = "Storage root", DefaultValueFactory = _ => "data" };
var runId = new Option<string>("--run-id") { Description = "Run (tranche) id", DefaultValueFactory = _ => "xynapse_tranche_1" };
var fresh = new Option<bool>("--fresh") { Description = "Reset every stage and process all books again" };
var parallel = new Option<int>("--parallel") { Description = "Books processed at once", DefaultValueFactory = _ => 4 };
var failAt = new Option<int>("--fail-at") { Description = "Inject a failure at book N in the interior stage", DefaultValueFactory = _ => 0 };
var noCheckpoint = new Option<bool>("--no-checkpoint") { Description = "Run without checkpoints (nothing is resumable)" };
var latency = new Option<double>("--latency") { Description = "Scale of the simulated API latency (1 = 40-160 ms a call; the default makes a run last about 15 s)", DefaultValueFactory = _ => 8.0 };
var budget = new Option<decimal?>("--budget") { Description = "Spend at most this many US dollars in this run; a rerun with a higher budget resumes" };
var redo = new Option<string?>("--redo") { Description = "ISBNs (KEY[,KEY]) to process again in every stage although they are done, e.g. after a review" };

var command = new RootCommand("A resumable book pipeline: metadata -> interior -> LSI row, with a simulated LLM.")
{
    books, root, runId, fresh, parallel, failAt, noCheckpoint, latency, budget, redo,
};

command.SetAction(async (parse, invocationToken) =>
{
    // Ctrl+C (SIGINT) and SIGTERM stop the run cleanly: in-flight items are abandoned, completed ones kept.
    using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupt.Cancel();
    };
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        interrupt.Cancel();
    });
    var cancellationToken = interrupt.Token;
    ConsoleUi.Configure();
    using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new SpectreLoggerProvider()));
    var logger = loggerFactory.CreateLogger("BookPipeline");
    var tranche = Tranche.Create(parse.GetValue(books));
    var llm = new FakeLlm(parse.GetValue(latency));
    var run = parse.GetValue(runId)!;
    var checkpoints = !parse.GetValue(noCheckpoint);
    var cap = parse.GetValue(budget);
    string[]? redoKeys = parse.GetValue(redo) is { Length: > 0 } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;

    // Without checkpoints the stages work in a throwaway folder: an interruption loses everything and
    // every run redoes every book, which is what the pipeline did before it had checkpoints.
    var storage = checkpoints ? parse.GetValue(root)! : Path.Combine(Path.GetTempPath(), "bookpipeline-" + Guid.NewGuid().ToString("N"));
    var runDirectory = Path.Combine(storage, run);

    // Where the stages read each other's outputs (through their generated ReadOutput accessors).
    var tranchePaths = new StageRunOptions { Root = storage, RunId = run };
    var metadataStage = new MetadataStage(llm);
    var interiorStage = new InteriorStage(llm, tranchePaths, parse.GetValue(failAt));
    var lsiStage = new LsiRowStage("Nimble Books LLC", "Xynapse Traces", tranchePaths);

    // The tranche's batch LSI CSV (generate_lsi_csv.py --batch ... --tranche <run>); under the real root even
    // without checkpoints, since the throwaway folder is deleted at the end.
    var batchPath = Path.GetFullPath(Path.Combine(parse.GetValue(root)!, run, "lsi_csv", $"{run}_lsi.csv"));

    // A paid call that fails transiently is retried with backoff; the failed call's cost is kept by the stage.
    var retry = ItemPipelines.RetryTransient(3, TimeSpan.FromMilliseconds(20 * parse.GetValue(latency)), e => e is TransientLlmException);
    var results = new List<StageRunResult>();
    StageRunOptions Options(IProgress<StageProgress> progress) => new()
    {
        Root = storage,
        RunId = run,
        Resume = checkpoints && !parse.GetValue(fresh),
        MaxDegreeOfParallelism = parse.GetValue(parallel),
        Logger = logger,
        Progress = progress,
        ItemPipeline = retry,

        // --budget caps the whole tranche: each stage may spend what the stages before it left.
        CostBudgetUsd = cap is { } total ? Math.Max(0m, total - results.Sum(r => r.RunCostUsd)) : null,
        RedoKeys = redoKeys,
        RedoReason = redoKeys is null ? null : "requested with --redo",
    };
    if (checkpoints && parse.GetValue(fresh))
    {
        // A fresh run starts a new cumulative CSV; set the old ones aside (not deleted) so the new file is the
        // latest and a file of the same minute does not block it.
        foreach (var old in Directory.Exists(runDirectory) ? Directory.GetFiles(runDirectory, $"cumulative_checkpoint_*_{LsiRowStage.CumulativeCsvImprint}.csv") : [])
        {
            File.Move(old, old + ".old", overwrite: true);
            Console.WriteLine($"--fresh: set aside {Path.GetFileName(old)} as {Path.GetFileName(old)}.old");
        }
    }

    Console.WriteLine(checkpoints
        ? $"Tranche {run}: {tranche.Count} books, outputs under {Path.GetFullPath(runDirectory)}"
        : $"Tranche {run}: {tranche.Count} books, checkpoints OFF (an interruption loses everything)");
    try
    {
        await ConsoleUi.RunWithProgressAsync(async display =>
        {
            var lines = new[] { MetadataStage.StageName, InteriorStage.StageName, LsiRowStage.StageName }
                .ToDictionary(name => name, name => new StageProgressLine(display.AddTask(name, autoStart: false, maxValue: tranche.Count), name));
            results.Add(await metadataStage.RunAsync(tranche, Options(lines[MetadataStage.StageName]), cancellationToken));
            results.Add(await interiorStage.RunAsync(tranche, Options(lines[InteriorStage.StageName]), cancellationToken));
            results.Add(await lsiStage.RunAsync(tranche, Options(lines[LsiRowStage.StageName]), cancellationToken));
        });

        // The batch step: the cumulative CSV (one row per book, appended as each was done) becomes the batch
        // file, in ISBN order so that a resumed run writes the same file as an uninterrupted one.
        await using var cumulativeCsv = await LsiRowStage.OpenCumulativeCsvAsync(tranchePaths, cancellationToken);
        var rows = await cumulativeCsv.FinalizeAsync(batchPath, StringComparer.Ordinal, cancellationToken);
        ConsoleUi.PrintSummary(results);
        Console.WriteLine($"Batch LSI CSV: {batchPath} ({rows} rows, from {Path.GetFileName(cumulativeCsv.FilePath)})");

        // The tranche's expected list against the batch file: a book that is not there is named.
        var check = CumulativeCsv.CompareKeys<LsiBook>(tranche.Select(b => LsiFormats.NormalizeIsbn(b.Isbn)), batchPath, LsiRowStage.GetCumulativeCsvKey);
        Console.WriteLine(check.IsComplete ? $"Every book of the tranche is in the batch file." : $"Batch file incomplete: {check}");
        return check.IsComplete ? 0 : 1;
    }
    catch (StageFailedException e)
    {
        results.Add(e.Result);
        ConsoleUi.PrintSummary(results);
        Console.Error.WriteLine(e.Message);
        return 1;
    }
    catch (StageBudgetExceededException e)
    {
        results.Add(e.Result);
        ConsoleUi.PrintSummary(results);
        Console.Error.WriteLine($"{e.Message} Completed books are saved: run again with a higher --budget to go on.");
        return 2;
    }
    catch (ArgumentException e) when (e.ParamName == nameof(StageRunOptions.RedoKeys))
    {
        Console.Error.WriteLine("--redo: " + e.Message);
        return 2;
    }
    catch (OperationCanceledException e)
    {
        if (e is StageCanceledException cancelled)
        {
            results.Add(cancelled.Result);
        }

        ConsoleUi.PrintSummary(results);
        Console.Error.WriteLine("Interrupted. Completed books are saved; run the same command again to resume.");
        return 130;
    }

    finally
    {
        if (!checkpoints && Directory.Exists(storage))
        {
            Directory.Delete(storage, recursive: true);
        }
    }

});

return await command.Parse(args).InvokeAsync();
