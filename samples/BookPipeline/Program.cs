using System.CommandLine;
using System.Globalization;
using BookPipeline;
using Checkpointing;
using Checkpointing.Csv;
using Checkpointing.Lsi;
using Microsoft.Extensions.Logging;

var books = new Option<int>("--books") { Description = "Number of books in the tranche", DefaultValueFactory = _ => 12 };
var root = new Option<string>("--root") { Description = "Storage root", DefaultValueFactory = _ => "data" };
var runId = new Option<string>("--run-id") { Description = "Run (tranche) id", DefaultValueFactory = _ => "xynapse_tranche_1" };
var fresh = new Option<bool>("--fresh") { Description = "Reset every stage and process all books again" };
var parallel = new Option<int>("--parallel") { Description = "Books processed at once", DefaultValueFactory = _ => 4 };
var failAt = new Option<int>("--fail-at") { Description = "Inject a failure at book N in the interior stage", DefaultValueFactory = _ => 0 };
var noCheckpoint = new Option<bool>("--no-checkpoint") { Description = "Run without checkpoints (nothing is resumable)" };
var latency = new Option<double>("--latency") { Description = "Scale of the simulated API latency", DefaultValueFactory = _ => 1.0 };

var command = new RootCommand("A resumable book pipeline: metadata -> interior -> LSI row, with a simulated LLM.")
{
    books, root, runId, fresh, parallel, failAt, noCheckpoint, latency,
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
    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    }));
    var logger = loggerFactory.CreateLogger("BookPipeline");
    var tranche = Tranche.Create(parse.GetValue(books));
    var llm = new FakeLlm(parse.GetValue(latency));
    var run = parse.GetValue(runId)!;
    var checkpoints = !parse.GetValue(noCheckpoint);

    // Without checkpoints the stages work in a throwaway folder: an interruption loses everything and
    // every run redoes every book, which is what the pipeline did before it had checkpoints.
    var storage = checkpoints ? parse.GetValue(root)! : Path.Combine(Path.GetTempPath(), "bookpipeline-" + Guid.NewGuid().ToString("N"));
    var runDirectory = Path.Combine(storage, run);
    var metadataStage = new MetadataStage(llm);
    var interiorStage = new InteriorStage(llm, Path.Combine(runDirectory, "metadata"), parse.GetValue(failAt));
    var lsiStage = new LsiRowStage("Nimble Books LLC", "Xynapse Traces", Path.Combine(runDirectory, "metadata"), Path.Combine(runDirectory, "interior"));

    // The tranche's batch LSI CSV (generate_lsi_csv.py --batch ... --tranche <run>); under the real root even
    // without checkpoints, since the throwaway folder is deleted at the end.
    var batchPath = Path.GetFullPath(Path.Combine(parse.GetValue(root)!, run, "lsi_csv", $"{run}_lsi.csv"));

    var options = new StageRunOptions
    {
        Root = storage,
        RunId = run,
        Resume = checkpoints && !parse.GetValue(fresh),
        MaxDegreeOfParallelism = parse.GetValue(parallel),
        Logger = logger,
        Progress = new ConsoleProgress(),
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
    var results = new List<StageRunResult>();
    try
    {
        results.Add(await metadataStage.RunAsync(tranche, options, cancellationToken));
        results.Add(await interiorStage.RunAsync(tranche, options, cancellationToken));
        results.Add(await lsiStage.RunAsync(tranche, options, cancellationToken));

        // The batch step: the cumulative CSV (one row per book, appended as each was done) becomes the batch
        // file, in ISBN order so that a resumed run writes the same file as an uninterrupted one.
        await using var cumulativeCsv = await LsiRowStage.OpenCumulativeCsvAsync(options, cancellationToken);
        var rows = await cumulativeCsv.FinalizeAsync(batchPath, StringComparer.Ordinal, cancellationToken);
        Summary.Print(results);
        Console.WriteLine($"Batch LSI CSV: {batchPath} ({rows} rows, from {Path.GetFileName(cumulativeCsv.FilePath)})");

        // The tranche's expected list against the batch file: a book that is not there is named.
        var check = CumulativeCsv.CompareKeys<LsiBook>(tranche.Select(b => LsiFormats.NormalizeIsbn(b.Isbn)), batchPath, LsiRowStage.GetCumulativeCsvKey);
        Console.WriteLine(check.IsComplete ? $"Every book of the tranche is in the batch file." : $"Batch file incomplete: {check}");
        return check.IsComplete ? 0 : 1;
    }
    catch (StageFailedException e)
    {
        results.Add(e.Result);
        Summary.Print(results);
        Console.Error.WriteLine(e.Message);
        return 1;
    }
    catch (OperationCanceledException e)
    {
        if (e is StageCanceledException cancelled)
        {
            results.Add(cancelled.Result);
        }

        Summary.Print(results);
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

/// <summary>Live progress on one console line (or a line per quarter when output is redirected).</summary>
internal sealed class ConsoleProgress : IProgress<StageProgress>
{
    private readonly object _lock = new();
    private int _lastQuarter = -1;

    public void Report(StageProgress value)
    {
        lock (_lock)
        {
            var line = $"[{value.StageName,-8}] {value.Done,4}/{value.Total} done ({value.Skipped} skipped, {value.Failed} failed)  ${value.RunCostUsd.ToString("0.0000", CultureInfo.InvariantCulture)} this run";
            if (!Console.IsOutputRedirected)
            {
                Console.Write("\r" + line.PadRight(Math.Max(line.Length, 80)));
                if (value.Done == value.Total)
                {
                    Console.WriteLine();
                }

                return;
            }

            var quarter = value.Total == 0 ? 4 : value.Done * 4 / value.Total;
            if (quarter != _lastQuarter)
            {
                _lastQuarter = quarter;
                Console.WriteLine(line);
            }
        }
    }
}

internal static class Summary
{
    public static void Print(IReadOnlyList<StageRunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"Stage",-10}{"Items",7}{"Skipped",9}{"Done",7}{"Failed",8}{"Cost (run)",12}{"Cost (total)",14}{"Saved",10}  Status");
        foreach (var r in results)
        {
            Console.WriteLine(
                $"{r.StageName,-10}{r.Total,7}{r.Skipped,9}{r.Processed,7}{r.Failed,8}{Usd(r.RunCostUsd),12}{Usd(r.TotalCostUsd),14}{Usd(r.EstimatedCostSavedUsd),10}  {r.Status}");
        }

        static string Usd(decimal value) => "$" + value.ToString("0.0000", CultureInfo.InvariantCulture);
    }
}
