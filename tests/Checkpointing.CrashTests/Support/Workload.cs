using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Serialization;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.TestSupport;

namespace Checkpointing.CrashTests.Support;

public sealed record WorkOutput(int Item, string Text);

[JsonSerializable(typeof(WorkOutput))]
internal sealed partial class CrashJsonContext : JsonSerializerContext
{
}

/// <summary>A time that only moves forward, shared by every simulated run so that "saved after the reset" stays meaningful across crashes.</summary>
internal sealed class StepClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public static StepClock Shared { get; } = new();

    public override DateTimeOffset GetUtcNow() => Start.AddTicks(Interlocked.Increment(ref _ticks) * TimeSpan.TicksPerMillisecond);
}

/// <summary>What one simulated run did.</summary>
/// <param name="Error">The exception that ended the run, or null when it completed.</param>
/// <param name="ConfirmedAt">Keys whose marks returned under EveryItem, with the mutation count at that moment.</param>
/// <param name="Result">The runner's result when the run completed.</param>
internal sealed record RunOutcome(Exception? Error, IReadOnlyDictionary<string, int> ConfirmedAt, StageRunResult? Result)
{
    /// <summary>
    /// The mutation count when the first item's work began, or null when none did. By then the run has
    /// started durably (a fresh start's reset included): a crash from this point on must keep it.
    /// </summary>
    public int? WorkStartedAt { get; init; }
}

/// <summary>
/// The deterministic workload of the in-process layer: item i's output and cost are fixed functions of i,
/// outputs span one to three 512-byte sectors, costs need every decimal digit to add up exactly.
/// </summary>
internal static class Workload
{
    public const string Root = "/crash/data";
    public const string RunId = "run";
    public const string Stage = "work";

    public static string CheckpointDirectory => Root + "/" + RunId + "/checkpoints";

    public static string OutputDirectory => Root + "/" + RunId + "/" + Stage;

    public static decimal CostOf(int item) => (0.001m * ((item % 7) + 1)) + (0.0000001m * item);

    public static string TextOf(int item) => $"item {item}: " + new string((char)('a' + (item % 26)), 40 + (item * 373 % 900));

    public static string KeyOf(int item) => CheckpointKeys.From(item);

    public static StageDefinition<int, WorkOutput> Definition(Func<int, bool>? failWhen = null, Func<string, WorkOutput, CancellationToken, ValueTask>? onSaved = null, Action? onWork = null) => new()
    {
        OnOutputSavedAsync = onSaved,
        StageName = Stage,
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = CrashJsonContext.Default.WorkOutput,
        Validate = output => output.Text == TextOf(output.Item) ? [] : [$"text of item {output.Item} is not the expected text"],
        ProcessAsync = (item, context, ct) =>
        {
            onWork?.Invoke();
            PaidCall.Charge(context, CostOf(item), failWhen?.Invoke(item) == true ? new InvalidOperationException($"injected failure at item {item}") : null);
            return ValueTask.FromResult(new WorkOutput(item, TextOf(item)));
        },
    };

    /// <summary>What the output checker of a stage checkpoint opened by hand uses (the runner's own rule).</summary>
    public static OutputCheck Inspect(string key, byte[] bytes)
    {
        StageOutput<WorkOutput> saved;
        try
        {
            saved = StageOutputFile.Deserialize(bytes, CrashJsonContext.Default.WorkOutput);
        }
        catch (FormatException e)
        {
            return OutputCheck.Invalid("is unreadable: " + e.Message);
        }

        if (saved.Key != key)
        {
            return OutputCheck.Invalid($"belongs to item '{saved.Key}'");
        }

        return saved.Output.Text == TextOf(saved.Output.Item) && KeyOf(saved.Output.Item) == key
            ? OutputCheck.Valid(saved.CostUsd, saved.SavedAt)
            : OutputCheck.Invalid("fails validation");
    }

    public static StageCheckpointOptions CheckpointOptions() => new()
    {
        Root = Root,
        RunId = RunId,
        StageName = Stage,
        InspectOutput = Inspect,
    };

    public static async Task<RunOutcome> RunAsync(
        CrashFileSystem fs, int items, bool resume = true, int parallel = 1, CommitPolicy? policy = null, Func<int, bool>? failWhen = null,
        ItemFailurePolicy failurePolicy = ItemFailurePolicy.FailStage, Microsoft.Extensions.Logging.ILogger? logger = null, bool strict = false,
        Func<string, WorkOutput, CancellationToken, ValueTask>? onSaved = null)
    {
        policy ??= CommitPolicy.EveryItem;
        var workStartedAt = -1;
        var confirmed = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var options = new StageRunOptions
        {
            Root = Root,
            RunId = RunId,
            Resume = resume,
            MaxDegreeOfParallelism = parallel,
            CommitPolicy = policy,
            ItemFailurePolicy = failurePolicy,
            Logger = logger,
            StrictCheckpoint = strict,
            Progress = new SyncProgress(p =>
            {
                if (p.LastKey is { } key && !p.LastFailed && policy.IsEveryItem)
                {
                    confirmed.TryAdd(key, fs.MutationCount);
                }
            }),
        };
        try
        {
            var definition = Definition(failWhen, onSaved, () => Interlocked.CompareExchange(ref workStartedAt, fs.MutationCount, -1));
            var result = await StageRunner.RunAsync(definition, Enumerable.Range(1, items), options, fs, StepClock.Shared, CancellationToken.None);
            return new RunOutcome(null, confirmed, result) { WorkStartedAt = workStartedAt < 0 ? null : workStartedAt };
        }
        catch (Exception e) when (e is IOException or StageFailedException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return new RunOutcome(e, confirmed, null) { WorkStartedAt = workStartedAt < 0 ? null : workStartedAt };
        }
    }

    /// <summary>An output file without its <c>saved_at</c> line, the one field that depends on the clock.</summary>
    public static string Body(byte[] output) =>
        string.Join('\n', Encoding.UTF8.GetString(output).Split('\n').Where(l => !l.Contains("\"saved_at\"", StringComparison.Ordinal)));

    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}

/// <summary>The result of one uninterrupted run of <c>n</c> items, which every crashed run must end in.</summary>
internal sealed record Reference(int Items, IReadOnlyDictionary<string, string> Outputs, decimal TotalCostUsd)
{
    private static readonly ConcurrentDictionary<int, Reference> Cache = new();

    public static Reference For(int items) => Cache.GetOrAdd(items, n =>
    {
        var fs = new CrashFileSystem();
        var outcome = Workload.RunAsync(fs, n).GetAwaiter().GetResult();
        if (outcome.Error is not null)
        {
            throw new InvalidOperationException("The uninterrupted reference run failed: " + outcome.Error.Message, outcome.Error);
        }

        var outputs = Enumerable.Range(1, n).ToDictionary(Workload.KeyOf, i => Workload.Body(fs.ReadAllBytes(Workload.OutputDirectory + "/" + Workload.KeyOf(i) + ".json")), StringComparer.Ordinal);
        return new Reference(n, outputs, outcome.Result!.TotalCostUsd);
    });
}
