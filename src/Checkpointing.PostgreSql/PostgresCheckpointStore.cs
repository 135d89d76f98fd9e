using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Polly;
using Polly.Retry;
using Checkpointing.Store;

namespace Checkpointing.PostgreSql;

/// <summary>
/// A checkpoint store in PostgreSQL that several processes on several machines share for the same stage
/// at once: <c>options.Store = new PostgresCheckpointStore(connectionString)</c>. Items are claimed in
/// small batches under leases (<c>FOR UPDATE SKIP LOCKED</c>), renewed while the worker runs; a dead
/// worker's leases expire and its items are claimed again; an item completes only under its lease, its
/// output stored in the same transaction. The schema is created and migrated by the library. See
/// docs/postgresql.md.
/// </summary>
public sealed class PostgresCheckpointStore : ICheckpointStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private bool _schemaReady;

    /// <summary>Creates a store on <paramref name="connectionString"/> (keywords, or a <c>postgres://user:password@host:port/database</c> URL).</summary>
    /// <exception cref="ArgumentException">The connection string is malformed or names no database.</exception>
    public PostgresCheckpointStore(string connectionString)
        : this(connectionString, new PostgresCheckpointStoreOptions())
    {
    }

    /// <summary>Creates a store on <paramref name="connectionString"/> with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is malformed or names no database, or an option is out of range.</exception>
    public PostgresCheckpointStore(string connectionString, PostgresCheckpointStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Schema = PostgresSchema.Validate(options.Schema);
        if (options.LeaseDuration < TimeSpan.FromMilliseconds(300))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseDuration, "LeaseDuration must be at least 300 ms (leases are renewed every third of it).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetryAttempts, nameof(options.MaxRetryAttempts));
        var builder = PostgresConnectionStrings.Parse(connectionString);
        builder.ApplicationName ??= "checkpointing";
        Database = builder.Database!;
        Endpoint = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
        Logger = options.Logger ?? NullLogger.Instance;
        WorkerName = options.WorkerName ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        Retry = options.MaxRetryAttempts == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsConnectionFailure),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    Logger.LogWarning("PostgreSQL store {Endpoint}: {Error}; retry {Attempt} in {Delay:0.0} s", Endpoint, args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>The options.</summary>
    public PostgresCheckpointStoreOptions Options { get; }

    /// <summary>The PostgreSQL schema of the tables.</summary>
    public string Schema { get; }

    /// <summary>The database name.</summary>
    public string Database { get; }

    /// <summary>This worker's name in leases and the run history.</summary>
    public string WorkerName { get; }

    internal string Endpoint { get; }

    internal ILogger Logger { get; }

    internal ResiliencePipeline Retry { get; }

    internal NpgsqlDataSource DataSource => _dataSource;

    /// <inheritdoc />
    public async Task<ICheckpointJournal> OpenAsync(CheckpointOpenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        StageNames.ThrowIfInvalid(request.StageName, request.RunId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresCheckpointJournal.OpenAsync(this, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates or migrates the store's tables (also done by the first <see cref="OpenAsync"/>).
    /// </summary>
    /// <exception cref="PostgresSchemaVersionException">The database holds a schema of a newer version.</exception>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await ExecuteAsync(
                async (connection, ct) =>
                {
                    await PostgresSchema.EnsureAsync(connection, Schema, ct).ConfigureAwait(false);
                    return true;
                },
                "create or migrate its schema", cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>
    /// Reads a stage's current state without claiming anything (for monitors and tools). Returns
    /// <see langword="null"/> when the stage never ran.
    /// </summary>
    public async Task<StageCheckpointDocument?> ReadStateAsync(string runId, string stageName, CancellationToken cancellationToken = default)
    {
        StageNames.ThrowIfInvalid(stageName, runId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync((connection, ct) => PostgresStateReader.ReadAsync(connection, Schema, runId, stageName, ct), "read a stage", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _schemaGate.Dispose();
    }

    /// <summary>Runs <paramref name="operation"/> on a pooled connection, retrying connection failures with backoff.</summary>
    internal async Task<T> ExecuteAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await Retry.ExecuteAsync(
                async ct =>
                {
                    await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    return await operation(connection, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Unavailable(what, e);
        }
    }

    internal PostgresStoreUnavailableException Unavailable(string what, Exception e) =>
        new($"The PostgreSQL checkpoint store at {Endpoint} could not {what} after {Options.MaxRetryAttempts} retries: {e.Message}. " +
            "This worker stopped claiming items; items already completed are stored in the database and are not lost.", e);

    /// <summary>A failure that a retry on a fresh connection may cure: the network, a restarting or terminated server.</summary>
    internal static bool IsConnectionFailure(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    };
}

/// <summary>Connection strings: keyword form, or a <c>postgres://</c> URL as most tools print them.</summary>
internal static class PostgresConnectionStrings
{
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(connectionString)
                : new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"The PostgreSQL connection string is malformed: {e.Message}. Write it as 'Host=...;Port=5432;Database=...;Username=...' or 'postgres://user:password@host:5432/database'.", nameof(connectionString), e);
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new ArgumentException(
                "The PostgreSQL connection string names no database: add Database=<name> (or the path of a postgres:// URL). " +
                "The store creates its tables in that database, so it must be the one every worker of the stage uses.",
                nameof(connectionString));
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no host: add Host=<name or address>.", nameof(connectionString));
        }

        return builder;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }

        return builder;
    }
}
