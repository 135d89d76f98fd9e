using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.Store;

namespace Checkpointing.CrashTests;

/// <summary>
/// Sequences of I/O errors on the journal that a whole-run fault sweep does not reach: the process keeps
/// using the journal after a failure, as a long run on a flaky disk does.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class JournalFaultTests
{
    private static CheckpointRecord Completed(int item) => new()
    {
        Type = CheckpointRecordType.Completed,
        At = StepClock.Shared.GetUtcNow(),
        Key = Workload.KeyOf(item),
        CostUsd = Workload.CostOf(item),
    };

    private static Task<ICheckpointJournal> OpenAsync(CrashFileSystem fs) =>
        new FileCheckpointStore(Workload.Root, fs, StepClock.Shared).OpenAsync(
            new CheckpointOpenRequest { RunId = Workload.RunId, StageName = Workload.Stage, OutputDirectory = Workload.Stage },
            CancellationToken.None);

    [Fact]
    public async Task A_failed_fsync_of_the_compaction_truncate_does_not_corrupt_later_records()
    {
        var fs = new CrashFileSystem();
        var journal = await OpenAsync(fs);
        foreach (var item in new[] { 1, 2, 3 })
        {
            await journal.AppendAsync(Completed(item), AppendDurability.Immediate, CancellationToken.None);
        }

        // The snapshot is written, then the fsync of the journal's truncation fails.
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: ".journal");
        await Assert.ThrowsAsync<IOException>(async () => await journal.CompactAsync(CancellationToken.None));
        await journal.AppendAsync(Completed(4), AppendDurability.Immediate, CancellationToken.None);

        // Later a write fails once; the next mark rewrites what was lost and succeeds.
        fs.Fault = new FaultPlan(FaultOperation.Write, 1, FaultKind.NoSpace, Permanent: false, PathSuffix: ".journal");
        await Assert.ThrowsAsync<IOException>(async () => await journal.AppendAsync(Completed(5), AppendDurability.Immediate, CancellationToken.None));
        await journal.AppendAsync(Completed(6), AppendDurability.Immediate, CancellationToken.None);
        fs.Fault = null;
        Assert.Equal(0, fs.FsyncsOverStaleData);

        // Power loss while the journal is still open: every mark that returned must be there.
        var crashed = CrashFileSystem.FromState(fs.CrashNow(CrashModel.PowerLoss));
        await using var recovered = await OpenAsync(crashed);
        var completed = recovered.GetState().Completed.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.True(
            new[] { 1, 2, 3, 4, 6 }.All(i => completed.Contains(Workload.KeyOf(i))),
            $"confirmed marks lost after a failed compaction: recovered [{string.Join(", ", completed)}]; reports: {string.Join(" | ", recovered.RecoveryReports)}");
        Assert.DoesNotContain(recovered.RecoveryReports, r => r.Contains("dropped", StringComparison.Ordinal));
        await journal.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_journal_fsync_is_never_retried_on_the_same_data()
    {
        var fs = new CrashFileSystem();
        var journal = await OpenAsync(fs);
        await journal.AppendAsync(Completed(1), AppendDurability.Immediate, CancellationToken.None);
        fs.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: ".journal");
        await Assert.ThrowsAsync<IOException>(async () => await journal.AppendAsync(Completed(2), AppendDurability.Immediate, CancellationToken.None));
        await journal.AppendAsync(Completed(3), AppendDurability.Immediate, CancellationToken.None);
        Assert.Equal(0, fs.FsyncsOverStaleData);
        var crashed = CrashFileSystem.FromState(fs.CrashNow(CrashModel.PowerLoss));
        await using var recovered = await OpenAsync(crashed);
        Assert.True(recovered.IsCompleted(Workload.KeyOf(1)));
        Assert.True(recovered.IsCompleted(Workload.KeyOf(3)));
        await journal.DisposeAsync();
    }
}
