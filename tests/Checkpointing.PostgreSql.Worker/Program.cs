using System.Globalization;
using System.Text.Json.Serialization;
using Checkpointing;
using Checkpointing.PostgreSql;

// Usage: Checkpointing.PostgreSql.Worker --connection CS --root DIR [--run-id R] [--stage S] [--items N] [--delay-ms D]
//   [--parallel P] [--lease-ms L] [--schema S] [--app NAME] [--budget USD] [--total-budget USD]
// Runs the stage "work" over items 0..N-1 on the shared PostgreSQL store until nothing is left to claim. Item i's
// output and cost are fixed functions of i. Prints "WORKED key" when an item's work is done (before its
// completion) and "RESULT processed=.. status=.." at the end; exit 0 on success, 3 on a failed run, 4 when a budget
// stopped it ("BUDGET processed=.. message"), 5 when the store cannot be reached. With --go-file F it prints "READY"
// and starts only once F exists (so that several workers start together; exit 6 when F does not appear within 2 minutes).
var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    values[args[i].TrimStart('-')] = args[i + 1];
}

string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
decimal? GetUsd(string name) => values.TryGetValue(name, out var v) ? decimal.Parse(v, CultureInfo.InvariantCulture) : null;
int GetInt(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

var items = GetInt("items", 2000);
var delayMs = GetInt("delay-ms", 2);
var connection = Get("connection", Environment.GetEnvironmentVariable("CHECKPOINTING_POSTGRES") ?? "");
var app = Get("app", "checkpointing-worker");
var store = new PostgresCheckpointStore(
    connection + (connection.Contains("Application Name", StringComparison.OrdinalIgnoreCase) ? "" : $";Application Name={app}"),
    new PostgresCheckpointStoreOptions
    {
        Schema = Get("schema", "checkpointing"),
        LeaseDuration = TimeSpan.FromMilliseconds(GetInt("lease-ms", 30_000)),
        MaxRetryAttempts = GetInt("retries", 6),
        WorkerName = app + ":" + Environment.ProcessId,
    });
var definition = new StageDefinition<int, WorkOutput>
{
    StageName = Get("stage", "work"),
    GetKey = CheckpointKeys.From,
    OutputTypeInfo = WorkerJson.Default.WorkOutput,
    Validate = output => output.Text == Expected(output.Item) ? [] : [$"text '{output.Text}' is not '{Expected(output.Item)}'"],
    ProcessAsync = async (item, context, ct) =>
    {
        if (delayMs > 0)
        {
            await Task.Delay(delayMs, ct);
        }

        context.AddCost(CostOf(item));
        lock (Console.Out)
        {
            Console.Out.WriteLine("WORKED " + CheckpointKeys.From(item));
            Console.Out.Flush();
        }

        return new WorkOutput(item, Expected(item));
    },
};

if (Get("go-file", "") is { Length: > 0 } go)
{
    Console.Out.WriteLine("READY");
    Console.Out.Flush();
    var waited = System.Diagnostics.Stopwatch.StartNew();
    while (!File.Exists(go))
    {
        if (waited.Elapsed > TimeSpan.FromMinutes(2))
        {
            Console.Out.WriteLine("NO GO: " + go + " did not appear within 2 minutes");
            return 6;
        }

        await Task.Delay(20);
    }
}

try
{
    var result = await StageRunner.RunAsync(
        definition, Enumerable.Range(0, items),
        new StageRunOptions { Root = Get("root", "data"), RunId = Get("run-id", "shared"), Store = store, MaxDegreeOfParallelism = GetInt("parallel", 4),
            CostBudgetUsd = GetUsd("budget"), TotalCostBudgetUsd = GetUsd("total-budget") });
    Console.Out.WriteLine($"RESULT processed={result.Processed} skipped={result.Skipped} status={result.Status}");
    return 0;
}
catch (StageBudgetExceededException e)
{
    Console.Out.WriteLine($"BUDGET processed={e.Result.Processed} {e.Message}");
    return 4;
}
catch (StageFailedException e) when (e.InnerException is PostgresStoreUnavailableException)
{
    Console.Out.WriteLine("UNAVAILABLE " + e.Message);
    return 5;
}
catch (StageFailedException e)
{
    Console.Out.WriteLine("FAILED " + e.Message);
    return 3;
}
finally
{
    await store.DisposeAsync();
}

static decimal CostOf(int item) => 0.001m * ((item % 7) + 1);

static string Expected(int item) => "item " + item.ToString(CultureInfo.InvariantCulture);

internal sealed record WorkOutput(int Item, string Text);

[JsonSerializable(typeof(WorkOutput))]
internal sealed partial class WorkerJson : JsonSerializerContext;
