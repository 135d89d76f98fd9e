using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.Csv;
using CsvHelper;
using Checkpointing.Store;

namespace Checkpointing.CrashTests;

/// <summary>A cumulative CSV row of the workload: quoted fields and a line break inside one.</summary>
[CsvRecord]
public sealed partial class CsvWorkRow
{
    public string Key { get; set; } = "";

    public string Text { get; set; } = "";

    public decimal Cost { get; set; }

    public static CsvWorkRow Of(WorkOutput output) => new()
    {
        Key = Workload.KeyOf(output.Item),
        Text = $"item {output.Item}, \"quoted\"\nsecond line {output.Text}",
        Cost = Workload.CostOf(output.Item),
    };
}

/// <summary>
/// Layer A for the cumulative CSV checkpoint: the stage appends each output's row (after the output is
/// saved, before the mark); every crash point is recovered, and the CSV must hold whole rows only, no key
/// twice, a row for every completed item, and in the end exactly one row per item. Under the adversarial
/// device a garbled unsynced append can make the CSV unreadable (it has no checksums): such states are
/// counted separately in the report.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CsvCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const int Items = 4;
    private const string Directory = Workload.Root + "/csv";
    private const string Imprint = "crash_tests";

    [Fact]
    public async Task A_stage_with_a_cumulative_CSV_survives_a_crash_after_every_operation()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var fs = new CrashFileSystem(record: true);
        var outcome = await RunWithCsvAsync(fs);
        Assert.Null(outcome.Error);
        var points = fs.MutationCount;
        var devices = 4 * report.Multiplier;
        var seed = report.BaseSeed;
        figures.Seed($"cumulative CSV: {Items} items, {points} operations, crash points 0..{points}, {devices} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= points; point++)
        {
            var confirmed = outcome.ConfirmedAt.Where(p => p.Value <= point).Select(p => p.Key).ToList();
            var states = new List<(CrashState State, CrashModel Model, string Label)>
            {
                (fs.CrashAfter(point, CrashModel.ProcessCrash), CrashModel.ProcessCrash, $"CSV, crash after operation {point}, process crash"),
                (fs.CrashAfter(point, CrashModel.PowerLoss), CrashModel.PowerLoss, $"CSV, crash after operation {point}, power loss"),
            };
            for (var device = 0; device < devices; device++)
            {
                states.Add((fs.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, device))), CrashModel.Adversarial, $"CSV, crash after operation {point}, adversarial device {device} (seed {seed})"));
            }

            foreach (var (state, model, label) in states)
            {
                await VerifyAsync(state, model, confirmed, figures, label);
                figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(model)}");
                figures.Tested("crash states with a cumulative CSV");
            }
        }

        report.Record("Exhaustive: cumulative CSV append", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("Cumulative CSV"));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    [Fact]
    public async Task Finalizing_the_batch_file_survives_a_crash_after_every_operation()
    {
        // FinalizeAsync is the asynchronous atomic write: temp file, fsync, read-back, rename, folder fsync.
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var fs = new CrashFileSystem(record: true);
        const string Batch = Directory + "/batch.csv";
        int start, end;
        await using (var csv = await OpenCsvAsync(fs))
        {
            foreach (var item in Enumerable.Range(1, Items))
            {
                await csv.AppendAsync(CsvWorkRow.Of(new WorkOutput(item, Workload.TextOf(item))));
            }

            start = fs.MutationCount;
            Assert.Equal(Items, await csv.FinalizeAsync(Batch, StringComparer.Ordinal));
            end = fs.MutationCount;
        }

        var expected = Enumerable.Range(1, Items).Select(Workload.KeyOf).ToList();
        var devices = 4 * report.Multiplier;
        var seed = report.BaseSeed ^ Batch.Length;
        figures.Seed($"CSV batch file: {Items} rows, crash points {start}..{end}, {devices} adversarial devices per point, seed {seed}");
        for (var point = start; point <= end; point++)
        {
            var states = new List<(CrashState State, CrashModel Model)> { (fs.CrashAfter(point, CrashModel.ProcessCrash), CrashModel.ProcessCrash), (fs.CrashAfter(point, CrashModel.PowerLoss), CrashModel.PowerLoss) };
            for (var device = 0; device < devices; device++)
            {
                states.Add((fs.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, device))), CrashModel.Adversarial));
            }

            foreach (var (state, model) in states)
            {
                var label = $"CSV batch file, crash after operation {point}, {ExhaustiveCrashTests.ModelName(model)}";
                if (!state.Files.TryGetValue(Batch, out var bytes))
                {
                    if (point == end)
                    {
                        figures.Violated(Violation.ItemsLost, $"{label}: FinalizeAsync returned but the batch file is missing");
                    }
                }
                else
                {
                    // Whatever a crash leaves under the batch file's name is the whole file: never a prefix.
                    var keys = new List<string>();
                    if (!TryReadKeys(bytes, keys))
                    {
                        figures.Violated(Violation.BadOutputsAccepted, $"{label}: the batch file does not parse ({bytes.Length} bytes)");
                    }
                    else
                    {
                        CheckRows(keys, expected, figures, label);
                    }
                }

                figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(model)}");
                figures.Tested("crash states of the CSV batch file");
            }
        }

        report.Record("Exhaustive: CSV batch file", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("CSV batch file"));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    private static async Task<RunOutcome> RunWithCsvAsync(CrashFileSystem fs)
    {
        await using var csv = await OpenCsvAsync(fs);
        return await Workload.RunAsync(fs, Items, onSaved: async (_, result, ct) => await csv.AppendAsync(CsvWorkRow.Of(result), ct));
    }

    private static Task<CumulativeCsvCheckpoint<CsvWorkRow>> OpenCsvAsync(CrashFileSystem fs) =>
        CumulativeCsvCheckpoint<CsvWorkRow>.OpenOrCreateAsync(fs, Directory, Imprint, r => r.Key, new CumulativeCsvOptions { FailOnIOError = true, TimeProvider = StepClock.Shared }, CancellationToken.None);

    private static async Task VerifyAsync(CrashState state, CrashModel model, IReadOnlyCollection<string> confirmed, Figures figures, string label)
    {
        var fs = CrashFileSystem.FromState(state);
        if (TryReadRawKeys(fs, out var left))
        {
            CheckRows(left, null, figures, label + " as the crash left it");
        }
        else if (model != CrashModel.Adversarial)
        {
            // Only the adversarial device may garble a row; a whole-or-nothing crash leaves parseable rows.
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: the CSV as the crash left it does not parse");
        }

        try
        {
            await using (var csv = await OpenCsvAsync(fs))
            {
                if (TryReadRawKeys(fs, out var recovered))
                {
                    CheckRows(recovered, null, figures, label + " after recovery");
                }
                else
                {
                    figures.Violated(Violation.UnreadableCheckpoints, $"{label}: the CSV does not parse after recovery");
                }
                var completed = new FileCheckpointStore(Workload.Root, fs, StepClock.Shared).ReadState(Workload.RunId, Workload.Stage)?.Completed.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
                foreach (var key in completed.Where(k => !csv.Contains(k)))
                {
                    figures.Violated(Violation.MissingCsvRows, $"{label}: item {key} is complete but has no CSV row");
                }

                foreach (var key in confirmed.Where(k => !completed.Contains(k)))
                {
                    figures.Violated(Violation.ItemsLost, $"{label}: item {key} was confirmed but is not complete");
                }
            }

            var run = await RunWithCsvAsync(fs);
            if (run.Error is not null)
            {
                figures.Violated(Violation.NoProgress, $"{label}: the run after recovery failed: {run.Error.Message}");
                return;
            }

            // The file as the last run left it, before any open could drop a duplicate and rewrite it.
            if (!TryReadRawKeys(fs, out var final))
            {
                figures.Violated(Violation.UnreadableCheckpoints, $"{label}: the CSV does not parse after the run");
                return;
            }

            CheckRows(final, Enumerable.Range(1, Items).Select(Workload.KeyOf).ToList(), figures, label + " at the end");

            RecoveryVerifier.CompareWithReference(fs, Items, figures, label);
        }
        catch (CumulativeCsvException e) when (model == CrashModel.Adversarial && e.Message.Contains("was left as it is", StringComparison.Ordinal))
        {
            // A garbled (not merely cut) unsynced append can look like damage inside the file: CSV rows
            // carry no checksum. The file is refused with a clear message and left as it is; nothing is
            // lost silently, but the run needs a hand. Counted and reported, not hidden.
            figures.Tested("adversarial CSV states refused as damaged (garbled unsynced append; rows have no checksum)");
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// The key of every row of the cumulative CSV files as their bytes are on disk, read by CsvHelper alone:
    /// <c>OpenOrCreateAsync</c> drops duplicate keys and rewrites the file, so reading through it would hide
    /// a duplicate append. False when a file does not parse (only the adversarial device garbles rows).
    /// </summary>
    private static bool TryReadRawKeys(CrashFileSystem fs, out List<string> keys)
    {
        var found = new List<string>();
        keys = found;
        return fs.AllFiles()
            .Where(p => p.StartsWith(Directory + "/cumulative_checkpoint_", StringComparison.Ordinal) && p.EndsWith(".csv", StringComparison.Ordinal))
            .All(path => TryReadKeys(fs.ReadAllBytes(path), found));
    }

    private static bool TryReadKeys(byte[] csv, List<string> keys)
    {
        try
        {
            using var reader = CsvReader.Create(csv.AsMemory(), CsvReaderOptions.For<CsvWorkRow>() with { HasHeader = true });
            while (reader.Read())
            {
                keys.Add(reader.GetRecord<CsvWorkRow>().Key);
            }

            return true;
        }
        catch (Exception e) when (e is CsvFormatException or FormatException or KeyNotFoundException)
        {
            // KeyNotFoundException: the header itself is garbled (no Key/Text/Cost column).
            return false;
        }
    }

    private static void CheckRows(IReadOnlyList<string> keys, IReadOnlyList<string>? expected, Figures figures, string label)
    {
        foreach (var duplicate in keys.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            figures.Violated(Violation.DuplicateCsvRows, $"{label}: key {duplicate.Key} has {duplicate.Count()} rows");
        }

        if (expected is not null)
        {
            foreach (var key in expected.Except(keys, StringComparer.Ordinal).Concat(keys.Except(expected, StringComparer.Ordinal)))
            {
                figures.Violated(Violation.MissingCsvRows, $"{label}: key {key} is {(expected.Contains(key) ? "missing from" : "extra in")} the CSV");
            }
        }
    }
}
