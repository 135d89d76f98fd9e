using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Checkpointing.Cli.Json;
using Checkpointing.PostgreSql;
using Npgsql;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Reads a PostgreSQL checkpoint store (<c>--store</c>) for <c>status</c> and <c>validate</c>: the stages
/// come from its <c>stages</c> table and are read with the store's own reader, so StatusBuilder sees the same
/// document as from the file store. Only <c>select</c>s in read-only transactions: no schema is created or
/// migrated, no lease taken, nothing written.
/// </summary>
internal sealed class StoreInspection : IAsyncDisposable
{
    /// <summary>
    /// A worker whose run is open counts as live while it holds a lease that has not expired, or while its
    /// heartbeat is more recent than its lease or this window, whichever is longer (a worker renews every third of
    /// its lease; a long lease renewed rarely must not look dead, a short one is not judged more harshly than
    /// before) and none of its leases has expired (a live worker renews them: an expired one means it died or
    /// stalled). Each run records its lease from schema version 2 on; a run of version 1 is judged by this window.
    /// </summary>
    public static readonly TimeSpan HeartbeatWindow = TimeSpan.FromSeconds(30);

    private readonly NpgsqlConnection _connection;
    private readonly string _schema;
    private int _version;

    private StoreInspection(NpgsqlConnection connection, string schema, string endpoint)
    {
        _connection = connection;
        _schema = schema;
        Endpoint = endpoint;
    }

    /// <summary><c>host:port/database</c>, for messages.</summary>
    public string Endpoint { get; }

    /// <summary>Connects and checks that the store's schema is there, of a version this tool reads.</summary>
    /// <exception cref="UsageException">A malformed connection string, a server that cannot be reached, no store, a newer schema.</exception>
    public static async Task<StoreInspection> OpenAsync(string connection, string schema, CancellationToken cancellationToken)
    {
        if (!connection.Contains('=', StringComparison.Ordinal) && !connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--store '{connection}' is not a PostgreSQL connection: write 'postgres://user:password@host:5432/database' or 'Host=...;Database=...;Username=...'.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = PostgresConnectionStrings.Parse(connection);
            PostgresSchema.Validate(schema);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--store: " + FirstSentences(e.Message));
        }

        builder.ApplicationName ??= "checkpoint-cli";
        builder.Pooling = false;
        // Every transaction of this session is read-only: the server itself refuses any write.
        builder.Options = (builder.Options is { Length: > 0 } options ? options + " " : "") + "-c default_transaction_read_only=on";
        if (!connection.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 10;
        }

        var endpoint = $"{builder.Host}:{builder.Port}/{builder.Database}";
        var npgsql = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await npgsql.OpenAsync(cancellationToken).ConfigureAwait(false);
            var inspection = new StoreInspection(npgsql, schema, endpoint);
            await inspection.CheckSchemaAsync(cancellationToken).ConfigureAwait(false);
            return inspection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            await npgsql.DisposeAsync().ConfigureAwait(false);
            throw new UsageException($"Cannot read the PostgreSQL checkpoint store at {endpoint}: {OneLine(e)}");
        }
        catch
        {
            await npgsql.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CheckSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass(@t) is not null", _connection);
        command.Parameters.AddWithValue("t", _schema + ".schema_version");
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            throw new UsageException($"No checkpoint store in schema '{_schema}' of {Endpoint}: no stage ever ran there (or give its --schema).");
        }

        await using var version = new NpgsqlCommand($"select version from {_schema}.schema_version", _connection);
        var found = await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as int? ?? 0;
        _version = found;
        if (found > PostgresSchema.CurrentVersion)
        {
            throw new UsageException($"The store in schema '{_schema}' of {Endpoint} is of version {found}; this tool reads up to version {PostgresSchema.CurrentVersion}: update the tool.");
        }
    }

    /// <summary>The run ids of the store, or checks that <paramref name="runId"/> is one of them.</summary>
    public async Task<IReadOnlyList<string>> RunsAsync(string? runId, CancellationToken cancellationToken)
    {
        var runs = await ListAsync($"select distinct run_id from {_schema}.stages order by run_id", null, cancellationToken).ConfigureAwait(false);
        if (runId is null)
        {
            return runs;
        }

        return runs.Contains(runId, StringComparer.Ordinal)
            ? [runId]
            : throw new UsageException($"Run '{runId}' not found in the store at {Endpoint} (schema {_schema}).");
    }

    /// <summary>The stages of a run, by name.</summary>
    public Task<IReadOnlyList<string>> StagesAsync(string runId, CancellationToken cancellationToken) =>
        ListAsync($"select stage from {_schema}.stages where run_id = @r order by stage", runId, cancellationToken);

    /// <summary>A stage's state: the store's document and its live workers as the lock holder.</summary>
    public async Task<StageState> ReadAsync(string root, string runId, string stage, CancellationToken cancellationToken)
    {
        var location = new StageLocation(root, runId, stage);
        var document = await PostgresStateReader.ReadAsync(_connection, _schema, runId, stage, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return new StageState(location, null, $"stage {stage} of run {runId} is no longer in the store", JournalScan.None, null);
        }

        var workers = await WorkersAsync(runId, stage, cancellationToken).ConfigureAwait(false);
        var live = workers.Where(w => w.Alive == true).ToList();
        // The holder: the earliest live worker, or when none is live the last one that did not end its run (it died).
        return new StageState(location, document, null, JournalScan.None, workers.Count > 0 ? workers[0] : null) { Workers = live };
    }

    /// <summary>
    /// The stage's workers that did not end their runs: the live ones (<see cref="LockHolder.Alive"/> true) first,
    /// earliest first, then the dead ones (false), latest first.
    /// </summary>
    private async Task<List<LockHolder>> WorkersAsync(string runId, string stage, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select pid, host, started_at, alive from (
              select r.run, r.pid, r.host, r.started_at,
                     exists (select 1 from {_schema}.items i where i.run_id = r.run_id and i.stage = r.stage and i.state = 'claimed'
                             and i.lease_owner = r.worker and i.lease_expires_at > now())
                     or (r.heartbeat_at > now() - {(_version >= 2 ? "greatest(r.lease_seconds * interval '1 second', @window)" : "@window")}
                         and not exists (select 1 from {_schema}.items i where i.run_id = r.run_id and i.stage = r.stage and i.state = 'claimed'
                                         and i.lease_owner = r.worker and i.lease_expires_at <= now())) as alive
              from {_schema}.runs r where r.run_id = @r and r.stage = @s and r.ended_at is null) w
            order by alive desc, case when alive then started_at end asc, run desc
            """,
            _connection);
        command.Parameters.AddWithValue("r", runId);
        command.Parameters.AddWithValue("s", stage);
        command.Parameters.AddWithValue("window", HeartbeatWindow);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var workers = new List<LockHolder>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            workers.Add(new LockHolder(reader.GetInt32(0), reader.GetString(1), new DateTimeOffset(reader.GetFieldValue<DateTime>(2), TimeSpan.Zero), reader.GetBoolean(3)));
        }

        return workers;
    }

    /// <summary>
    /// Checks every completed item of a stage: its stored output against the recorded SHA-256 and through the
    /// runtime's output reader (key, format), and its file copy under <paramref name="root"/> against the same hash.
    /// </summary>
    public async Task<CheckedEntry> ValidateAsync(string root, string runId, string stage, Findings findings, CancellationToken cancellationToken)
    {
        var where = $"{Endpoint} {_schema}.items (run {runId}, stage {stage})";
        string? outputDirectory = null;
        await using (var command = new NpgsqlCommand($"select output_dir from {_schema}.stages where run_id = @r and stage = @s", _connection))
        {
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("s", stage);
            outputDirectory = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        var folder = Path.Combine(root, runId, outputDirectory ?? stage);
        int completed = 0, failed = 0, copies = 0;
        await using (var command = new NpgsqlCommand(
            $"select key, state, output::text, output_sha256, error from {_schema}.items where run_id = @r and stage = @s and state in ('completed', 'failed') order by key",
            _connection))
        {
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("s", stage);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = reader.GetString(0);
                if (reader.GetString(1) == "failed")
                {
                    failed++;
                    findings.Add(Finding.Warning(where, "the item failed: " + (reader.IsDBNull(4) ? "(no error recorded)" : Format.OneLine(reader.GetString(4))) + "; the next run retries it", key: key));
                    continue;
                }

                completed++;
                if (reader.IsDBNull(2) || reader.IsDBNull(3))
                {
                    findings.Add(Finding.Error(where, "the item is completed but has no stored output or no recorded SHA-256", key: key));
                    continue;
                }

                var stored = Encoding.UTF8.GetBytes(reader.GetString(2));
                var recorded = reader.GetFieldValue<byte[]>(3);
                if (!SHA256.HashData(stored).AsSpan().SequenceEqual(recorded))
                {
                    findings.Add(Finding.Error(where, $"the stored output does not match its recorded SHA-256 {Hex(recorded)} (changed after completion)", key: key));
                }
                else if (Inspect(stored, key) is { } problem)
                {
                    findings.Add(Finding.Error(where, "the stored output " + problem + "; the next worker invalidates and redoes the item", key: key));
                }

                var copy = Path.Combine(folder, key + ".json");
                if (!File.Exists(copy))
                {
                    findings.Add(Finding.Error(copy, "the file copy of the stored output is missing; the next worker that opens the stage writes it back", key: key));
                    continue;
                }

                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(copy, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    findings.Add(Finding.Error(copy, "the file copy cannot be read: " + e.Message, key: key));
                    continue;
                }

                if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(recorded))
                {
                    findings.Add(Finding.Error(copy, $"the file copy differs from the stored output (SHA-256 {Hex(SHA256.HashData(bytes))}, recorded {Hex(recorded)})", key: key));
                }
                else
                {
                    copies++;
                }
            }
        }

        return new CheckedEntry("stage", where, $"{completed} completed, {failed} failed, {copies} file copies match");
    }

    private static string? Inspect(byte[] output, string key)
    {
        try
        {
            var parsed = StageOutputFile.Deserialize(output, CliJsonContext.Default.JsonElement);
            return parsed.Key == key ? null : $"belongs to item '{parsed.Key}'";
        }
        catch (FormatException e)
        {
            return "is unreadable: " + e.Message;
        }
    }

    private async Task<IReadOnlyList<string>> ListAsync(string sql, string? runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        if (runId is not null)
        {
            command.Parameters.AddWithValue("r", runId);
        }

        var list = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    /// <summary>Runs <paramref name="read"/>; a connection lost meanwhile is one line (exit code 2).</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException && e is not FileNotFoundException)
        {
            throw new UsageException($"Cannot read the PostgreSQL checkpoint store at {Endpoint}: {OneLine(e)}");
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash)[..12] + "...";

    private static string OneLine(Exception e) => Format.OneLine(e.InnerException is { } inner && e.Message.Contains("Exception while", StringComparison.Ordinal) ? inner.Message : e.Message);

    private static string FirstSentences(string message) => message.Split(" (Parameter", 2)[0];
}
