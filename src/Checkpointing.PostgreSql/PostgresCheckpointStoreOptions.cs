using Microsoft.Extensions.Logging;

namespace Checkpointing.PostgreSql;

/// <summary>Options of <see cref="PostgresCheckpointStore"/>.</summary>
public sealed class PostgresCheckpointStoreOptions
{
    /// <summary>The PostgreSQL schema that holds the store's tables (created when missing); default <c>checkpointing</c>.</summary>
    public string Schema { get; init; } = "checkpointing";

    /// <summary>
    /// How long a claim stays this worker's without renewal. The store renews its claims every third of it,
    /// so a worker that dies loses its items to the others after at most this long. Default 30 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker with nothing to claim looks again while other workers hold the last items. Default 250 ms.</summary>
    public TimeSpan ClaimPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many times an operation is retried after a connection failure before the worker stops claiming. Default 6.</summary>
    public int MaxRetryAttempts { get; init; } = 6;

    /// <summary>The first retry's delay; each next one doubles it (with jitter, at most 5 s). Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>This worker's name in leases and the run history; default <c>host:pid:random</c>.</summary>
    public string? WorkerName { get; init; }

    /// <summary>Receives retries and recovery messages.</summary>
    public ILogger? Logger { get; init; }
}
