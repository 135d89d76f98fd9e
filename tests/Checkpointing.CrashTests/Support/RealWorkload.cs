using System.Globalization;
using System.Text;
using Checkpointing.IO;
using Checkpointing.Store;

namespace Checkpointing.CrashTests.Support;

/// <summary>
/// The worker's deterministic stage (tests/Checkpointing.Worker, command <c>stage</c>) seen from outside:
/// its files on the real disk, the invariants after a kill, and the comparison with a reference run.
/// </summary>
internal static class RealWorkload
{
    public const string RunId = "run";
    public const string Stage = "work";

    public static decimal CostOf(int item) => 0.001m * ((item % 7) + 1);

    public static string TextOf(int item) => $"item {item}: " + new string((char)('a' + (item % 26)), 40 + (item % 50));

    public static string OutputPath(string root, string key) => Path.Combine(root, RunId, Stage, key + ".json");

    /// <summary>Checks a killed run's files; returns the state (null when the stage never started).</summary>
    public static StageCheckpointDocument? CheckAfterKill(string root, IReadOnlySet<string> confirmed, Figures figures, string label)
    {
        StageCheckpointDocument? state;
        try
        {
            state = FileCheckpointStore.ReadState(root, RunId, Stage);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: {e.Message}");
            return null;
        }

        var completed = state?.Completed ?? [];
        foreach (var key in confirmed.Where(k => !completed.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            figures.Violated(Violation.ItemsLost, $"{label}: item {key} was reported durable but is not complete");
        }

        foreach (var key in completed.Keys)
        {
            if (CheckOutput(root, key) is { } problem)
            {
                figures.Violated(Violation.MarkedWithoutOutput, $"{label}: item {key} is complete but {problem}");
            }
        }

        if (state is not null && completed.Values.Sum(c => c.CostUsd) != state.TotalCostUsd)
        {
            figures.Violated(Violation.CostMismatches, $"{label}: total_cost_usd ${state.TotalCostUsd}, completed items ${completed.Values.Sum(c => c.CostUsd)}");
        }

        return state;
    }

    /// <summary>Compares a finished stage with the reference run byte for byte (except the save times).</summary>
    public static void CompareWithReference(string root, string reference, int items, Figures figures, string label)
    {
        var expected = FileCheckpointStore.ReadState(reference, RunId, Stage)!;
        var actual = FileCheckpointStore.ReadState(root, RunId, Stage);
        if (actual is null || actual.Status != StageStatus.Completed || actual.CompletedCount != items)
        {
            figures.Violated(Violation.FinalDiffersFromReference, $"{label}: the stage ended {actual?.Status.ToString() ?? "missing"} with {actual?.CompletedCount ?? 0} of {items} item(s)");
            return;
        }

        if (actual.TotalCostUsd != expected.TotalCostUsd || actual.TotalCostUsd != Enumerable.Range(1, items).Sum(CostOf))
        {
            figures.Violated(Violation.CostMismatches, $"{label}: total ${actual.TotalCostUsd}, reference ${expected.TotalCostUsd}");
        }

        foreach (var key in expected.Completed.Keys)
        {
            if (!actual.Completed.TryGetValue(key, out var item) || item.CostUsd != expected.Completed[key].CostUsd)
            {
                figures.Violated(Violation.CostMismatches, $"{label}: item {key} is missing or has another cost than in the reference");
            }

            if (CheckOutput(root, key) is { } problem)
            {
                figures.Violated(Violation.BadOutputsAccepted, $"{label}: item {key} is complete but {problem}");
            }
            else if (Body(OutputPath(root, key)) != Body(OutputPath(reference, key)))
            {
                figures.Violated(Violation.FinalDiffersFromReference, $"{label}: output {key} differs from the reference");
            }
        }

        foreach (var temp in Directory.EnumerateFiles(Path.Combine(root, RunId), "*", SearchOption.AllDirectories).Where(f => AtomicFile.IsTempFileName(Path.GetFileName(f))))
        {
            figures.Violated(Violation.LeftoverTempFiles, $"{label}: {Path.GetFileName(temp)}");
        }
    }

    private static string? CheckOutput(string root, string key)
    {
        var path = OutputPath(root, key);
        if (!File.Exists(path))
        {
            return "its output is missing";
        }

        try
        {
            var saved = StageOutputFile.Deserialize(File.ReadAllBytes(path), CrashJsonContext.Default.WorkOutput);
            var item = int.Parse(key, CultureInfo.InvariantCulture);
            return saved.Key == key && saved.Output.Item == item && saved.Output.Text == TextOf(item) && saved.CostUsd == CostOf(item)
                ? null
                : "its output has the wrong content";
        }
        catch (FormatException e)
        {
            return "its output is unreadable: " + e.Message;
        }
    }

    private static string Body(string path) =>
        string.Join('\n', File.ReadAllLines(path, Encoding.UTF8).Where(l => !l.Contains("\"saved_at\"", StringComparison.Ordinal)));
}
