using Checkpointing.Store;
namespace Checkpointing.Hosting;

/// <summary>
/// Wraps the selected store so that <see cref="StageMonitor"/> sees every stage this process opens, whatever
/// the store: the lock is held from a successful open to the journal's disposal, and a mark is counted when
/// its append returns (durable then under <see cref="CommitPolicy.EveryItem"/>).
/// </summary>
internal sealed class MonitoredCheckpointStore(ICheckpointStore inner, StageMonitor monitor) : ICheckpointStore
{
    public ICheckpointStore Inner => inner;

    public async Task<ICheckpointJournal> OpenAsync(CheckpointOpenRequest request, CancellationToken cancellationToken)
    {
        var journal = await inner.OpenAsync(request, cancellationToken).ConfigureAwait(false);
        return new MonitoredJournal(journal, monitor, monitor.Opened(request));
    }

    private sealed class MonitoredJournal(ICheckpointJournal inner, StageMonitor monitor, StageActivity activity) : ICheckpointJournal
    {
        public IReadOnlyList<string> RecoveryReports => inner.RecoveryReports;

        public StageCheckpointDocument GetState() => inner.GetState();

        public bool IsCompleted(string key) => inner.IsCompleted(key);

        public async ValueTask AppendAsync(CheckpointRecord record, AppendDurability durability, CancellationToken cancellationToken)
        {
            await inner.AppendAsync(record, durability, cancellationToken).ConfigureAwait(false);
            // Adoptions are bookkeeping of an earlier run's work, appended deferred during the resume scan.
            if (record.Type == CheckpointRecordType.Completed && record.Adopted != true)
            {
                activity.Marked();
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ValueTask CompactAsync(CancellationToken cancellationToken) => inner.CompactAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                monitor.Closed(activity);
            }
        }
    }
}
