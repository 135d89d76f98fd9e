using System.Diagnostics;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// <see cref="AtomicFile"/> alone, on the crash file system: every crash point of successive writes, by the
/// synchronous path (the stage's outputs and snapshots) and the asynchronous one (public
/// <c>WriteAsync</c>, the CSV batch file), with and without a backup; and the restore of the previous
/// version when the directory fsync fails.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AtomicFileCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const string Directory = "/crash/atomic";
    private const string Target = Directory + "/target.bin";

    /// <summary>Versions that span one, three and one 512-byte sectors, so a torn write shows.</summary>
    private static readonly byte[][] Versions = [Version(1, 300), Version(2, 1400), Version(3, 200)];

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Every_crash_point_of_successive_atomic_writes_leaves_a_whole_version_no_older_than_the_last_confirmed(bool async, bool keepBackup)
    {
        var stopwatch = Stopwatch.StartNew();
        var title = $"atomic writes ({(async ? "async" : "sync")}{(keepBackup ? ", with backup" : "")})";
        var figures = new Figures();
        var fs = new CrashFileSystem(record: true);
        var options = new AtomicWriteOptions { KeepBackup = keepBackup };

        // confirmedAt[i]: the mutation count when the write of version i returned.
        var confirmedAt = new List<int>();
        foreach (var version in Versions)
        {
            if (async)
            {
                await AtomicFile.WriteCoreAsync(fs, Target, (stream, ct) => WriteInPiecesAsync(stream, version, ct), options, CancellationToken.None);
            }
            else
            {
                AtomicFile.Write(fs, Target, stream => stream.Write(version), options);
            }

            confirmedAt.Add(fs.MutationCount);
        }

        var devices = 4 * report.Multiplier;
        var seed = report.BaseSeed ^ title.Length;
        figures.Seed($"{title}: {Versions.Length} versions, crash points 0..{fs.MutationCount}, {devices} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= fs.MutationCount; point++)
        {
            var confirmed = confirmedAt.Count(at => at <= point);
            var states = new List<(CrashState State, CrashModel Model, string Label)>
            {
                (fs.CrashAfter(point, CrashModel.ProcessCrash), CrashModel.ProcessCrash, $"{title}, crash after operation {point}, process crash"),
                (fs.CrashAfter(point, CrashModel.PowerLoss), CrashModel.PowerLoss, $"{title}, crash after operation {point}, power loss"),
            };
            for (var device = 0; device < devices; device++)
            {
                states.Add((fs.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, device))), CrashModel.Adversarial, $"{title}, crash after operation {point}, adversarial device {device} (seed {seed})"));
            }

            foreach (var (state, model, label) in states)
            {
                Check(state, confirmed, keepBackup, figures, label);
                figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(model)}");
                figures.Tested("crash states of atomic writes alone");
            }
        }

        report.Record("Exhaustive: " + title, figures, stopwatch.Elapsed);
        output.WriteLine(figures.ToMarkdown(title));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_directory_fsync_puts_the_previous_version_back_from_the_backup(bool async)
    {
        var fs = new CrashFileSystem();
        var options = new AtomicWriteOptions { KeepBackup = true };
        AtomicFile.Write(fs, Target, stream => stream.Write(Versions[0]), options);
        AtomicFile.Write(fs, Target, stream => stream.Write(Versions[1]), options);

        // Only the directory's fsync fails: the temp file and the backup are durable, the rename may not be.
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: Directory);
        var error = async
            ? await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteCoreAsync(fs, Target, (stream, ct) => WriteInPiecesAsync(stream, Versions[2], ct), options, CancellationToken.None))
            : Assert.Throws<IOException>(() => AtomicFile.Write(fs, Target, stream => stream.Write(Versions[2]), options));
        fs.Fault = null;
        Assert.Equal(1, fs.FaultsFired);
        Assert.Contains(FaultPlan.IoErrorMessage, error.Message);

        // The write failed, so the target is as it was before it: in the page cache, after a process
        // crash, and after a power loss.
        Assert.Equal(Versions[1], fs.ReadAllBytes(Target));
        Assert.Equal(Versions[1], fs.CrashNow(CrashModel.ProcessCrash).Files[Target]);
        Assert.Equal(Versions[1], fs.CrashNow(CrashModel.PowerLoss).Files[Target]);
        Assert.Equal([Target, Target + AtomicFile.BackupSuffix], fs.AllFiles());
    }

    private static void Check(CrashState state, int confirmed, bool keepBackup, Figures figures, string label)
    {
        // A crash during the write of version `confirmed` may leave it or the one before; nothing else.
        var allowed = Enumerable.Range(Math.Max(0, confirmed - 1), 2).Where(i => i < Versions.Length).ToList();
        if (!state.Files.TryGetValue(Target, out var content))
        {
            if (confirmed > 0)
            {
                figures.Violated(Violation.ItemsLost, $"{label}: version {confirmed} was confirmed but the file is missing");
            }
        }
        else if (IndexOf(content) is not { } index)
        {
            figures.Violated(Violation.BadOutputsAccepted, $"{label}: the file holds {content.Length} bytes that are no version (torn)");
        }
        else if (index + 1 < confirmed || !allowed.Contains(index))
        {
            figures.Violated(Violation.ItemsLost, $"{label}: the file holds version {index + 1} though version {confirmed} was confirmed");
        }

        if (state.Files.TryGetValue(Target + AtomicFile.BackupSuffix, out var backup))
        {
            if (!keepBackup)
            {
                figures.Violated(Violation.LeftoverTempFiles, $"{label}: a backup was written without KeepBackup");
            }
            else if (IndexOf(backup) is null)
            {
                figures.Violated(Violation.UnreadableBackups, $"{label}: the backup holds {backup.Length} bytes that are no version (torn)");
            }
        }

        // The next writer's clean-up (the stage's open does the same) must leave only final files.
        var fs = CrashFileSystem.FromState(state);
        AtomicFile.CleanupTempFiles(fs, Directory);
        foreach (var path in fs.AllFiles().Where(p => p != Target && p != Target + AtomicFile.BackupSuffix))
        {
            figures.Violated(Violation.LeftoverTempFiles, $"{label}: {path}");
        }
    }

    private static int? IndexOf(byte[] content)
    {
        for (var i = 0; i < Versions.Length; i++)
        {
            if (content.AsSpan().SequenceEqual(Versions[i]))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Several awaited writes, as a serializer streaming into the file would do.</summary>
    private static async Task WriteInPiecesAsync(Stream stream, byte[] content, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < content.Length; offset += 512)
        {
            await stream.WriteAsync(content.AsMemory(offset, Math.Min(512, content.Length - offset)), cancellationToken);
            await Task.Yield();
        }
    }

    private static byte[] Version(int number, int length) =>
        Enumerable.Range(0, length).Select(i => (byte)('a' + ((i + number) % 26))).ToArray();
}
