using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Checkpointing;

namespace Checkpointing.Worker;

/// <summary>
/// Runs a stage of N items with parallel workers. Item i's output and cost are fixed functions of i, so
/// any number of interrupted runs must end in the same files as one uninterrupted run.
/// Prints <c>COMPLETED key</c> once a mark is durable, and <c>RESULT ...</c> at the end (<c>FAILED ...</c>
/// and exit code 3 when an item fails, <c>LOCKED ...</c> and 4 when another process holds the stage,
/// <c>IOERROR ...</c> and 5 when the storage fails, e.g. a read-only mount).
/// With <c>--report-worked true</c> it also prints <c>WORKED key</c> when an item's work is done, before its save.
/// Under <c>CHECKPOINTING_FAILPOINT</c> the runtime kills the process at the named point.
/// With <c>--retries n</c> the work runs in a retry pipeline; <c>--fail-first-attempt true</c> makes each item's
/// first attempt of a process cost <see cref="FailedAttemptCost"/> and throw a transient error, and
/// <c>--hang-on-retry true</c> makes a retry print <c>RETRYING key</c> and wait to be killed.
/// </summary>
internal static class StageCommand
{
    public static decimal CostOf(int item) => 0.001m * ((item % 7) + 1);

    public const decimal FailedAttemptCost = 0.0005m;

    public static async Task<int> RunAsync(WorkerArgs args)
    {
        var items = args.GetInt("items", 300);
        var delayMs = args.GetInt("delay-ms", 2);
        var failAt = args.GetInt("fail-at", -1);
        var commit = args.Get("commit", "every");
        var reportWorked = args.Get("report-worked", "false") == "true";
        var retries = args.GetInt("retries", 0);
        var failFirstAttempt = args.Get("fail-first-attempt", "false") == "true";
        var hangOnRetry = args.Get("hang-on-retry", "false") == "true";
        var policy = commit == "every" ? CommitPolicy.EveryItem : CommitPolicy.EveryItems(int.Parse(commit, CultureInfo.InvariantCulture));
        var definition = new StageDefinition<int, WorkOutput>
        {
            StageName = args.Get("stage", "work"),
            GetKey = CheckpointKeys.From,
            OutputTypeInfo = WorkerJsonContext.Default.WorkOutput,
            Validate = output => output.Text == Expected(output.Item) ? [] : [$"text '{output.Text}' is not '{Expected(output.Item)}'"],
            ProcessAsync = async (item, context, ct) =>
            {
                if (delayMs > 0)
                {
                    await Task.Delay(Random.Shared.Next(delayMs + 1), ct);
                }

                if (item == failAt)
                {
                    throw new InvalidOperationException($"injected failure at item {item}");
                }

                if (failFirstAttempt && context.Attempt == 1)
                {
                    context.AddCost(FailedAttemptCost);
                    throw new TimeoutException($"simulated 429 on item {item}");
                }

                if (hangOnRetry && context.Attempt > 1)
                {
                    lock (Console.Out)
                    {
                        Console.Out.WriteLine("RETRYING " + context.Key);
                        Console.Out.Flush();
                    }

                    await Task.Delay(Timeout.Infinite, ct);
                }

                context.AddCost(CostOf(item));
                if (reportWorked)
                {
                    // The paid work is done: from here a kill loses it unless its output is saved.
                    Console.Out.WriteLine("WORKED " + CheckpointKeys.From(item));
                    Console.Out.Flush();
                }

                return new WorkOutput(item, Expected(item));
            },
        };
        var options = new StageRunOptions
        {
            Root = args.Get("root", "data"),
            RunId = args.Get("run-id", "run"),
            MaxDegreeOfParallelism = args.GetInt("parallel", 4),
            CommitPolicy = policy,
            Resume = args.Get("fresh", "false") != "true",
            Progress = new ConsoleProgress(),
            ItemPipeline = retries > 0 ? ItemPipelines.RetryTransient(retries, TimeSpan.FromMilliseconds(1)) : null,
        };
        try
        {
            var result = await StageRunner.RunAsync(definition, Enumerable.Range(1, items), options);
            Console.Out.WriteLine($"RESULT status={result.Status} skipped={result.Skipped} processed={result.Processed} total_cost={result.TotalCostUsd.ToString(CultureInfo.InvariantCulture)}");
            Console.Out.Flush();
            return 0;
        }
        catch (StageFailedException e)
        {
            Console.Out.WriteLine($"FAILED {e.Message}");
            return 3;
        }
        catch (CheckpointLockedException e)
        {
            Console.Out.WriteLine($"LOCKED {e.Message}");
            return 4;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The storage itself failed (read-only mount, full disk): not a crash, a clear error.
            Console.Out.WriteLine($"IOERROR {e.GetType().Name}: {e.Message}");
            return 5;
        }
    }

    private static string Expected(int item) => $"item {item}: " + new string((char)('a' + (item % 26)), 40 + (item % 50));

    /// <summary>Reports synchronously: the line is out before the next item can start.</summary>
    private sealed class ConsoleProgress : IProgress<StageProgress>
    {
        private readonly object _lock = new();

        public void Report(StageProgress value)
        {
            if (value.LastKey is null || value.LastFailed)
            {
                return;
            }

            lock (_lock)
            {
                Console.Out.WriteLine("COMPLETED " + value.LastKey);
                Console.Out.Flush();
            }
        }
    }
}

internal sealed record WorkOutput(int Item, string Text);

[JsonSerializable(typeof(WorkOutput))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext
{
}
