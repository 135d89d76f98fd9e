using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.SharedFiles;

namespace Checkpointing.CrashTests;

/// <summary>
/// Layer A for batched saving of one shared file: 7 items saved in batches of 3 (3, 3, then 1 on completion), crashed
/// after every operation under the process-crash, power-loss and adversarial models, and under EIO/ENOSPC at every
/// write, fsync and rename. The shared file must always be a whole saved version (or absent before the first save),
/// recovery must leave it matching the checkpoint's SHA-256 with exactly the checkpoint's keys, no confirmed batch may
/// be lost, and the next run must end with every item's row once.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SharedFileCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const int Items = 7;
    private const string Root = "/crash/shared";
    private static readonly string FilePath = Root + "/run/review.tsv";
    private static readonly string CheckpointPath = Root + "/run/checkpoints/review.batches.json";

    private static SharedFileOptions Options(SharedFileStart? start = null) => new()
    {
        Root = Root,
        RunId = "run",
        Name = "review",
        FileName = "review.tsv",
        Policy = SharedFileBatchPolicy.Items(3),
        Start = start ?? SharedFileStart.Resume,
        SaveRetries = 0,
        TimeProvider = StepClock.Shared,
    };

    private static string KeyOf(int item) => $"pkg-{item}";

    // Rows big enough that a version spans several 512-byte sectors, so the adversarial device can tear it.
    private static string RowOf(string key) => $"row of {key}, \"quoted\" " + new string('x', 200);

    /// <summary>Runs the workload; returns each key's confirmation point (the mutation count when its batch's save returned).</summary>
    private static async Task<(Exception? Error, Dictionary<string, int> ConfirmedAt)> RunAsync(CrashFileSystem fs)
    {
        var confirmed = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            await using var batches = await SharedFileBatches<string>.OpenAsync(fs, new LinesFormat(), Options(), CancellationToken.None);
            var plan = await batches.PlanAsync(Enumerable.Range(1, Items).Select(KeyOf).ToList(), CancellationToken.None);
            foreach (var key in plan)
            {
                await batches.AddAsync(key, RowOf(key));
                foreach (var done in batches.Checkpoint.Completed.Keys)
                {
                    confirmed.TryAdd(done, fs.MutationCount);
                }
            }

            await batches.CompleteAsync();
            foreach (var done in batches.Checkpoint.Completed.Keys)
            {
                confirmed.TryAdd(done, fs.MutationCount);
            }

            return (null, confirmed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return (ex, confirmed);
        }
    }

    [Fact]
    public async Task A_batch_save_survives_a_crash_after_every_operation()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var fs = new CrashFileSystem(record: true);
        var reference = await RunAsync(fs);
        Assert.Null(reference.Error);
        var versions = VersionsOf(fs);
        var points = fs.MutationCount;
        var devices = 4 * report.Multiplier;
        var seed = report.BaseSeed;
        figures.Seed($"shared file: {Items} items in batches of 3, {points} operations, crash points 0..{points}, {devices} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= points; point++)
        {
            var confirmed = reference.ConfirmedAt.Where(p => p.Value <= point).Select(p => p.Key).ToList();
            var states = new List<(CrashState State, CrashModel Model, string Label)>
            {
                (fs.CrashAfter(point, CrashModel.ProcessCrash), CrashModel.ProcessCrash, $"shared file, crash after operation {point}, process crash"),
                (fs.CrashAfter(point, CrashModel.PowerLoss), CrashModel.PowerLoss, $"shared file, crash after operation {point}, power loss"),
            };
            for (var device = 0; device < devices; device++)
            {
                states.Add((fs.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, device))), CrashModel.Adversarial, $"shared file, crash after operation {point}, adversarial device {device} (seed {seed})"));
            }

            foreach (var (state, model, label) in states)
            {
                await VerifyAsync(CrashFileSystem.FromState(state), versions, confirmed, figures, label);
                figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(model)}");
                figures.Tested("crash states of a shared-file batch save");
            }
        }

        report.Record("Exhaustive: shared-file batch saves", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("Shared-file batch saves"));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    [Fact]
    public async Task A_batch_save_survives_EIO_and_ENOSPC_at_every_write_fsync_and_rename()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var counter = new CrashFileSystem();
        Assert.Null((await RunAsync(counter)).Error);
        var (writes, fsyncs, renames) = counter.OperationCounts;
        foreach (var (operation, count) in new[] { (FaultOperation.Write, writes), (FaultOperation.Fsync, fsyncs), (FaultOperation.Rename, renames) })
        {
            for (var nth = 1; nth <= count; nth++)
            {
                foreach (var kind in new[] { FaultKind.NoSpace, FaultKind.IoError })
                {
                    var plan = new FaultPlan(operation, nth, kind, Permanent: true);
                    var label = $"shared file, {plan}";
                    var fs = new CrashFileSystem(record: true) { Fault = plan };
                    var run = await RunAsync(fs);
                    figures.Tested($"faults injected: {(kind == FaultKind.NoSpace ? "ENOSPC" : "EIO")} at {operation.ToString().ToLowerInvariant()}");
                    if (run.Error is not null && !run.Error.Message.Contains(kind == FaultKind.NoSpace ? FaultPlan.NoSpaceMessage : FaultPlan.IoErrorMessage, StringComparison.Ordinal))
                    {
                        figures.Violated(Violation.UnclearErrors, $"{label}: {run.Error.GetType().Name}: {run.Error.Message}");
                    }

                    fs.Fault = null;
                    var confirmed = run.ConfirmedAt.Keys.ToList();
                    await VerifyAsync(CrashFileSystem.FromState(fs.CrashNow(CrashModel.ProcessCrash)), null, confirmed, figures, label + ", as left");
                    await VerifyAsync(CrashFileSystem.FromState(fs.CrashNow(CrashModel.PowerLoss)), null, confirmed, figures, label + ", then a power loss");
                }
            }
        }

        report.Record("Fault injection: shared-file batch saves", figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown("Shared-file faults"));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    /// <summary>Every version of the shared file the reference run saved, by SHA-256.</summary>
    private static HashSet<string> VersionsOf(CrashFileSystem fs)
    {
        var versions = new HashSet<string>(StringComparer.Ordinal);
        for (var point = 0; point <= fs.MutationCount; point++)
        {
            if (fs.CrashAfter(point, CrashModel.ProcessCrash) is var state && CrashFileSystem.FromState(state).TryRead(FilePath) is { } bytes)
            {
                versions.Add(Sha(bytes));
            }
        }

        return versions;
    }

    private static async Task VerifyAsync(CrashFileSystem fs, HashSet<string>? versions, IReadOnlyCollection<string> confirmed, Figures figures, string label)
    {
        try
        {
            if (versions is not null && fs.TryRead(FilePath) is { } raw && !versions.Contains(Sha(raw)))
            {
                figures.Violated(Violation.BadOutputsAccepted, $"{label}: the shared file is not a whole saved version ({raw.Length} bytes)");
            }

            await using (var batches = await SharedFileBatches<string>.OpenAsync(fs, new LinesFormat(), Options(), CancellationToken.None))
            {
                var checkpoint = batches.Checkpoint;
                var file = fs.TryRead(FilePath);
                if (checkpoint.Sha256 is null ? file is not null : file is null || Sha(file) != checkpoint.Sha256)
                {
                    figures.Violated(Violation.BadOutputsAccepted, $"{label}: after recovery the file does not match the checkpoint's SHA-256");
                }

                var keys = file is null ? [] : LinesFormat.Keys(file);
                if (!keys.ToHashSet(StringComparer.Ordinal).SetEquals(checkpoint.Completed.Keys.Concat(checkpoint.Redo)) || keys.Count != keys.Distinct().Count())
                {
                    figures.Violated(Violation.MissingCsvRows, $"{label}: after recovery the file holds [{string.Join(", ", keys)}], the checkpoint [{string.Join(", ", checkpoint.Completed.Keys)}]");
                }

                foreach (var key in confirmed.Where(k => !checkpoint.Completed.ContainsKey(k)))
                {
                    figures.Violated(Violation.ItemsLost, $"{label}: {key} was confirmed but is not complete");
                }

                await batches.EndAsync(SharedFileRunStatus.Cancelled, null);
            }

            if (fs.AllFiles().Any(f => f.EndsWith(".ckpt.tmp", StringComparison.Ordinal) && f.Contains("/run/", StringComparison.Ordinal)))
            {
                // Temp files are removed by the open; the EndAsync above writes through AtomicFile, which leaves none.
                figures.Violated(Violation.LeftoverTempFiles, $"{label}: {string.Join(", ", fs.AllFiles().Where(f => f.EndsWith(".ckpt.tmp", StringComparison.Ordinal)))}");
            }

            var run = await RunAsync(fs);
            if (run.Error is not null)
            {
                figures.Violated(Violation.NoProgress, $"{label}: the run after recovery failed: {run.Error.Message}");
                return;
            }

            var final = fs.TryRead(FilePath)!;
            var rows = LinesFormat.Parse(final);
            var expected = Enumerable.Range(1, Items).Select(KeyOf).ToList();
            if (!rows.Select(r => r.Key).Order().SequenceEqual(expected.Order()) || rows.Any(r => r.Row != RowOf(r.Key)))
            {
                figures.Violated(Violation.FinalDiffersFromReference, $"{label}: the final file holds [{string.Join(", ", rows.Select(r => r.Key))}]");
            }

            var finalCheckpoint = SharedFileCheckpoint.Parse(fs.TryRead(CheckpointPath)!, CheckpointPath);
            if (finalCheckpoint.Sha256 != Sha(final) || finalCheckpoint.Completed.Count != Items)
            {
                figures.Violated(Violation.FinalDiffersFromReference, $"{label}: the final checkpoint does not match the final file");
            }
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>A header line, then <c>key|row</c> lines; a cut or garbled file fails to read.</summary>
    private sealed class LinesFormat : ISharedFileFormat<string>
    {
        private const string Header = "key|row";

        public static List<SharedFileRow<string>> Parse(byte[] bytes)
        {
            var text = Encoding.UTF8.GetString(bytes);
            var lines = text.Split('\n');
            if (lines[0] != Header || !text.EndsWith('\n'))
            {
                throw new InvalidDataException("line 1: not a file of this format, or cut");
            }

            return lines[1..^1].Select((line, i) => line.IndexOf('|') is var bar and > 0
                ? new SharedFileRow<string>(line[..bar], line[(bar + 1)..])
                : throw new InvalidDataException($"line {i + 2}: no key")).ToList();
        }

        public static List<string> Keys(byte[] bytes) => Parse(bytes).Select(r => r.Key).ToList();

        public void Write(Stream? previous, IReadOnlyList<SharedFileRow<string>> updates, Stream destination, CancellationToken cancellationToken)
        {
            var rows = previous is null ? [] : Read(previous, cancellationToken).ToList();
            foreach (var update in updates)
            {
                var at = rows.FindIndex(r => r.Key == update.Key);
                if (at >= 0)
                {
                    rows[at] = update;
                }
                else
                {
                    rows.Add(update);
                }
            }

            destination.Write(Encoding.UTF8.GetBytes(Header + "\n" + string.Concat(rows.Select(r => $"{r.Key}|{r.Row}\n"))));
        }

        public IReadOnlyList<SharedFileRow<string>> Read(Stream file, CancellationToken cancellationToken)
        {
            using var copy = new MemoryStream();
            file.CopyTo(copy);
            return Parse(copy.ToArray());
        }

        public long EstimateSize(string row) => row.Length;
    }
}
