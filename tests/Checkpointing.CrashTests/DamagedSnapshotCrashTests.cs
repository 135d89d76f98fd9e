using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;

namespace Checkpointing.CrashTests;

/// <summary>
/// Issue 16, item 2, through the crash file system: recovering from a corrupt snapshot writes new files
/// (the <c>.corrupt-</c> copy, a snapshot saved without a backup). A crash after any of its operations, under
/// each model, must leave the good backup as it was, the damaged bytes kept somewhere, and a state from
/// which the next run ends equal to the reference.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DamagedSnapshotCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const int Items = 5;
    private static readonly string SnapshotPath = Workload.CheckpointDirectory + "/work.json";
    private static readonly string BackupPath = SnapshotPath + ".bak";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Recovering_from_a_corrupt_snapshot_survives_a_crash_after_every_operation(bool backupCorruptToo)
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var setup = new CrashFileSystem();
        Assert.Null((await Workload.RunAsync(setup, Items - 2)).Error);
        Assert.Null((await Workload.RunAsync(setup, Items)).Error);
        var goodBackup = setup.ReadAllBytes(BackupPath);
        var corrupt = Garble(setup.ReadAllBytes(SnapshotPath));
        setup.Put(SnapshotPath, corrupt);
        var corruptBackup = backupCorruptToo ? Garble(goodBackup) : null;
        if (corruptBackup is not null)
        {
            setup.Put(BackupPath, corruptBackup);
        }

        var start = setup.CrashNow(CrashModel.PowerLoss);

        var recorded = CrashFileSystem.FromState(start, record: true);
        Assert.Null((await Workload.RunAsync(recorded, Items + 1)).Error);
        var points = recorded.MutationCount;
        var variants = 4 * report.Multiplier;
        var seed = report.BaseSeed ^ 0x16;
        var title = backupCorruptToo ? "recovery from a corrupt snapshot and backup" : "recovery from a corrupt snapshot";
        figures.Seed($"{title}: {Items + 1} items, {points} operations, crash points 0..{points}, {variants} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= points; point++)
        {
            var states = new List<(string Model, CrashState State)>
            {
                ("process crash", recorded.CrashAfter(point, CrashModel.ProcessCrash)),
                ("power loss", recorded.CrashAfter(point, CrashModel.PowerLoss)),
            };
            for (var variant = 0; variant < variants; variant++)
            {
                states.Add(($"adversarial device {variant}", recorded.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, variant)))));
            }

            foreach (var (model, state) in states)
            {
                var label = $"{title}, crash after operation {point}, {model} (seed {seed})";
                var fs = CrashFileSystem.FromState(state);
                Check(fs, goodBackup, corrupt, corruptBackup, figures, label + ", after the crash");
                var outcome = await Workload.RunAsync(fs, Items + 1);
                if (outcome.Error is not null)
                {
                    figures.Violated(Violation.NoProgress, $"{label}: the run after the crash failed: {outcome.Error.Message}");
                    continue;
                }

                if (outcome.Result!.Processed > 1)
                {
                    figures.Violated(Violation.NoProgress, $"{label}: the run after the crash processed {outcome.Result.Processed} item(s); only the new one was not done");
                }

                Check(fs, goodBackup, corrupt, corruptBackup, figures, label + ", after the next run");
                RecoveryVerifier.CompareWithReference(fs, Items + 1, figures, label);
                figures.Tested($"crash states: {title}");
            }
        }

        report.Record("Exhaustive: " + title, figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown(title));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    private static byte[] Garble(byte[] content)
    {
        var garbled = content.ToArray();
        "#garbage#"u8.CopyTo(garbled.AsSpan(garbled.Length / 2));
        return garbled;
    }

    /// <summary>The damaged bytes are never the backup, and are kept: in place or as a <c>.corrupt-</c> copy.</summary>
    private static void Check(CrashFileSystem fs, byte[] goodBackup, byte[] corrupt, byte[]? corruptBackup, Figures figures, string label)
    {
        var backup = fs.TryRead(BackupPath);
        if (backup is not null && backup.AsSpan().SequenceEqual(corrupt))
        {
            figures.Violated(Violation.ItemsLost, $"{label}: the corrupt snapshot became the backup");
        }

        KeptOrInPlace(fs, SnapshotPath, corrupt, figures, label);
        if (corruptBackup is not null)
        {
            KeptOrInPlace(fs, BackupPath, corruptBackup, figures, label);
            return;
        }

        // Until a run replaces it, the backup is the good one it was.
        if (fs.TryRead(SnapshotPath) is { } snapshot && snapshot.AsSpan().SequenceEqual(corrupt) && !(backup?.AsSpan().SequenceEqual(goodBackup) ?? false))
        {
            figures.Violated(Violation.ItemsLost, $"{label}: the snapshot is still the corrupt one but the good backup is gone");
        }
    }

    private static void KeptOrInPlace(CrashFileSystem fs, string path, byte[] damaged, Figures figures, string label)
    {
        var copies = fs.AllFiles().Where(p => p.StartsWith(path + ".corrupt-", StringComparison.Ordinal)).ToList();
        if (!(fs.TryRead(path)?.AsSpan().SequenceEqual(damaged) ?? false) && !copies.Any(p => fs.TryRead(p)!.AsSpan().SequenceEqual(damaged)))
        {
            figures.Violated(Violation.ItemsLost, $"{label}: the damaged '{path}' is neither in place nor kept as a copy ({copies.Count} copies)");
        }
    }
}
