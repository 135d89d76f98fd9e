using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Checkpointing;
using Checkpointing.Phases;
using Consolidation;
using Microsoft.Extensions.Logging;
using Checkpointing.IO;

var books = new Option<int>("--books") { Description = "Number of books to consolidate", DefaultValueFactory = _ => 12 };
var root = new Option<string>("--root") { Description = "Folder of the books, snapshots and result", DefaultValueFactory = _ => "data/consolidation" };
var saveInterval = new Option<double>("--save-interval") { Description = "Seconds between snapshots (0 = after every book)", DefaultValueFactory = _ => 1.0 };
var failAt = new Option<int>("--fail-at") { Description = "Inject a failure when book N is reached", DefaultValueFactory = _ => 0 };
var fresh = new Option<bool>("--fresh") { Description = "Remove the phase's snapshots and start over" };
var latency = new Option<double>("--latency") { Description = "Scale of the simulated LLM latency", DefaultValueFactory = _ => 1.0 };

var command = new RootCommand("Phase 3 of a book pipeline: fold N books into one set of recommendations, resumable from snapshots.")
{
    books, root, saveInterval, failAt, fresh, latency,
};

command.SetAction(async (parse, invocationToken) =>
{
    // Ctrl+C and SIGTERM stop after the current book; its progress is saved before the process exits.
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
    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    }));
    var logger = loggerFactory.CreateLogger("Consolidation");

    var folder = Path.GetFullPath(parse.GetValue(root)!);
    var bookFiles = Books.Ensure(folder, parse.GetValue(books));
    var resultPath = Path.Combine(folder, "results", "recommendations.json");
    var options = new PhaseCheckpointOptions
    {
        Root = Path.Combine(folder, "checkpoints"),
        Phase = "phase_3",
        MinSaveInterval = TimeSpan.FromSeconds(parse.GetValue(saveInterval)),
        Ttl = TimeSpan.FromHours(24),
        MaxSnapshots = 10,
        InputFingerprint = PhaseFingerprint.OfFiles(bookFiles),
        Logger = logger,
    };

    await using var phase = await PhaseCheckpoint<ConsolidationState>.OpenAsync(options, ConsolidationJsonContext.Default.ConsolidationState, interrupt.Token);
    if (parse.GetValue(fresh))
    {
        Console.WriteLine($"--fresh: removed {await phase.ClearAsync(interrupt.Token)} snapshot(s) of {phase.Phase}");
    }

    var latest = await phase.LoadLatestAsync(interrupt.Token);
    if (latest is { IsComplete: true, State.Result: { } cached })
    {
        // The inputs are unchanged (same fingerprint): the work is done and paid for.
        await WriteResultAsync(resultPath, cached, interrupt.Token);
        Console.WriteLine($"Cached result from {Path.GetFileName(latest.Path)} (saved {latest.SavedAt:yyyy-MM-dd HH:mm:ss} UTC): {cached.Books} books, {cached.Recommendations.Count} recommendations, ${cached.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture)}");
        PrintTop(cached);
        Console.WriteLine($"Result: {resultPath}");
        return 0;
    }

    var state = latest?.State ?? new ConsolidationState();
    var done = state.DoneBooks.ToHashSet(StringComparer.Ordinal);
    Console.WriteLine(latest is null
        ? $"Phase {phase.Phase}: {bookFiles.Count} books to consolidate, snapshots in {phase.Directory}"
        : $"Resuming from {Path.GetFileName(latest.Path)}: {done.Count} of {bookFiles.Count} books already folded in, ~${state.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture)} saved");

    var llm = new FakeLlm(parse.GetValue(latency));
    var spent = 0m;
    var unsaved = false;
    try
    {
        for (var index = 0; index < bookFiles.Count; index++)
        {
            var book = Books.IdOf(bookFiles[index]);
            if (done.Contains(book))
            {
                continue;
            }

            if (index + 1 == parse.GetValue(failAt))
            {
                throw new InvalidOperationException($"Simulated failure at book {index + 1} ({book}) (--fail-at)");
            }

            var reply = await llm.RecommendAsync(await File.ReadAllTextAsync(bookFiles[index], interrupt.Token), interrupt.Token);
            spent += reply.CostUsd;
            state.Fold(book, reply);
            done.Add(book);
            var saved = await phase.SaveAsync(state.DoneBooks.Count, state, new Dictionary<string, string> { ["book"] = book }, cancellationToken: CancellationToken.None);
            unsaved = !saved;
            Console.WriteLine($"FOLDED {book} ({state.DoneBooks.Count}/{bookFiles.Count}){(saved ? ", snapshot saved" : "")}");
        }
    }
    catch (Exception e)
    {
        // Keep what was folded since the last throttled snapshot: it was paid for.
        if (unsaved)
        {
            await phase.SaveAsync(state.DoneBooks.Count, state, force: true, cancellationToken: CancellationToken.None);
        }

        Console.Error.WriteLine($"Stopped: {e.Message}. {state.DoneBooks.Count} of {bookFiles.Count} books are saved in {phase.LastSavedPath ?? latest?.Path ?? "(nothing yet)"}; run again to resume.");
        return e is OperationCanceledException ? 130 : 1;
    }

    state.Result = state.BuildResult();
    state.Complete = true;
    await WriteResultAsync(resultPath, state.Result, CancellationToken.None);
    var final = await phase.CompleteAsync(state.DoneBooks.Count, state, cancellationToken: CancellationToken.None);
    Console.WriteLine($"Consolidated {state.Result.Books} books into {state.Result.Recommendations.Count} recommendations; ${spent.ToString("0.0000", CultureInfo.InvariantCulture)} spent in this run, ${state.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture)} in total");
    PrintTop(state.Result);
    Console.WriteLine($"Final snapshot: {final}");
    Console.WriteLine($"Result: {resultPath}");
    return 0;
});

return await command.Parse(args).InvokeAsync();

static async Task WriteResultAsync(string path, ConsolidatedResult result, CancellationToken cancellationToken)
{
    using var buffer = new MemoryStream();
    await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
    {
        JsonSerializer.Serialize(writer, result, ConsolidationJsonContext.Default.ConsolidatedResult);
    }

    await AtomicFile.WriteAllBytesAsync(path, buffer.ToArray(), cancellationToken: cancellationToken);
}

static void PrintTop(ConsolidatedResult result)
{
    foreach (var recommendation in result.Recommendations.Take(3))
    {
        Console.WriteLine($"  {recommendation.Mentions,3} x {recommendation.Text}");
    }
}
