using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Checkpointing.Store;

namespace Checkpointing.PostgreSql;

/// <summary>
/// One worker's view of a stage in <see cref="PostgresCheckpointStore"/>. It takes no stage lock: it records
/// the worker's run, claims items under leases, renews them every third of the lease while it is open, and
/// turns each record of the runner into one transaction on the item's row and the worker's own run row
/// (so workers contend on nothing but the items they claim).
/// </summary>
internal sealed class PostgresCheckpointJournal : IClaimingCheckpointJournal, ISharedSpendingJournal
{
    private readonly PostgresCheckpointStore _store;
    private readonly CheckpointOpenRequest _request;
    private readonly string _s;
    private readonly List<string> _reports;
    private readonly CancellationTokenSource _renewalStop = new();
    private readonly Task _renewal;

    // The claims the runner holds: only these are renewed. A claim whose answer was lost with its connection
    // (committed, then retried) is held by nobody, so its lease must run out rather than be renewed forever.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private long? _runRow;
    private bool _disposed;

    private PostgresCheckpointJournal(PostgresCheckpointStore store, CheckpointOpenRequest request, List<string> reports)
    {
        _store = store;
        _request = request;
        _s = store.Schema;
        _reports = reports;
        _renewal = Task.Run(RenewLoopAsync);
    }

    public IReadOnlyList<string> RecoveryReports => _reports;

    private string Worker => _store.WorkerName;

    public static async Task<PostgresCheckpointJournal> OpenAsync(PostgresCheckpointStore store, CheckpointOpenRequest request, CancellationToken cancellationToken)
    {
        var s = store.Schema;
        var reports = await store.ExecuteAsync(
            async (connection, ct) =>
            {
                var found = new List<string>();
                await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand(
                    $"""
                    insert into {s}.stages (run_id, stage, item_type, output_dir) values (@r, @s, @type, @dir) on conflict do nothing;
                    select item_type, output_dir from {s}.stages where run_id = @r and stage = @s for update;
                    """,
                    connection, transaction))
                {
                    command.Parameters.AddWithValue("r", request.RunId);
                    command.Parameters.AddWithValue("s", request.StageName);
                    command.Parameters.AddWithValue("type", (object?)request.ItemType ?? DBNull.Value);
                    command.Parameters.AddWithValue("dir", request.OutputDirectory);
                    await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    var type = reader.IsDBNull(0) ? null : reader.GetString(0);
                    if (type is not null && request.ItemType is not null && type != request.ItemType)
                    {
                        throw new InvalidOperationException(
                            $"Stage '{request.StageName}' of run '{request.RunId}' in the PostgreSQL store at {store.Endpoint} processes {type}, but this run's stage processes {request.ItemType}. " +
                            "Two different stages cannot share a name in one run: rename one, or use another run id.");
                    }
                }

                await using (var command = new NpgsqlCommand(
                    $"""
                    update {s}.stages set item_type = coalesce(item_type, @type) where run_id = @r and stage = @s;
                    update {s}.runs set status = 'interrupted', ended_at = heartbeat_at,
                      error = 'The worker stopped renewing its heartbeat without recording its end (it was killed, lost power or lost the database).'
                    where run_id = @r and stage = @s and status = 'in_progress' and heartbeat_at < now() - @lease
                    returning run, worker;
                    """,
                    connection, transaction))
                {
                    command.Parameters.AddWithValue("r", request.RunId);
                    command.Parameters.AddWithValue("s", request.StageName);
                    command.Parameters.AddWithValue("type", (object?)request.ItemType ?? DBNull.Value);
                    command.Parameters.AddWithValue("lease", store.Options.LeaseDuration);
                    await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        found.Add($"run {reader.GetInt32(0)} of worker {reader.GetString(1)} stopped renewing its heartbeat without recording its end; closed as interrupted");
                    }
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return found;
            },
            $"open stage '{request.StageName}'", cancellationToken).ConfigureAwait(false);
        return new PostgresCheckpointJournal(store, request, reports);
    }

    public StageCheckpointDocument GetState() =>
        _store.ExecuteAsync((c, ct) => PostgresStateReader.ReadAsync(c, _s, _request.RunId, _request.StageName, ct), "read the stage", CancellationToken.None)
            .GetAwaiter().GetResult()
        ?? new StageCheckpointDocument { Stage = _request.StageName, RunId = _request.RunId, OutputDirectory = _request.OutputDirectory };

    public bool IsCompleted(string key) =>
        _store.ExecuteAsync(
            async (c, ct) =>
            {
                await using var command = Command(c, $"select exists (select 1 from {_s}.items where run_id = @r and stage = @s and key = @k and state = 'completed')");
                command.Parameters.AddWithValue("k", key);
                return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            },
            "read an item", CancellationToken.None).GetAwaiter().GetResult();

    public async ValueTask AppendAsync(CheckpointRecord record, AppendDurability durability, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Type == CheckpointRecordType.RunEnded && record.Status == RunStatus.Interrupted)
        {
            // Dead workers' runs are closed by their expired heartbeat (see OpenAsync), never by another worker.
            return;
        }

        if (record.Type == CheckpointRecordType.ItemFailed && record.Key is { } failedKey)
        {
            _held.TryRemove(failedKey, out _);
        }

        var at = record.At.ToUniversalTime();
        await _store.ExecuteAsync(
            async (connection, ct) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var command = Command(connection, Sql(record.Type), transaction);
                command.Parameters.AddWithValue("at", at);
                command.Parameters.AddWithValue("run", NpgsqlDbType.Bigint, (object?)_runRow ?? DBNull.Value);
                command.Parameters.AddWithValue("k", NpgsqlDbType.Text, (object?)record.Key ?? DBNull.Value);
                command.Parameters.AddWithValue("cost", record.CostUsd ?? 0m);
                command.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)record.Error ?? DBNull.Value);
                command.Parameters.AddWithValue("w", Worker);
                switch (record.Type)
                {
                    case CheckpointRecordType.RunStarted:
                        command.Parameters.AddWithValue("host", Environment.MachineName);
                        command.Parameters.AddWithValue("pid", Environment.ProcessId);
                        command.Parameters.AddWithValue("resume", record.Resume ?? true);
                        command.Parameters.AddWithValue("items", NpgsqlDbType.Integer, (object?)record.Items ?? DBNull.Value);
                        command.Parameters.AddWithValue("redo", NpgsqlDbType.Array | NpgsqlDbType.Text, record.RedoKeys is { Count: > 0 } redo ? redo.ToArray() : DBNull.Value);
                        command.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)record.RedoReason ?? DBNull.Value);
                        command.Parameters.AddWithValue("lease_seconds", (decimal)_store.Options.LeaseDuration.TotalSeconds);
                        _runRow = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                        break;
                    case CheckpointRecordType.Completed:
                        command.Parameters.AddWithValue("adopted", record.Adopted == true);
                        command.Parameters.AddWithValue("attempt", NpgsqlDbType.Integer, (object?)record.Attempt ?? DBNull.Value);
                        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                        break;
                    case CheckpointRecordType.RunEnded:
                        command.Parameters.AddWithValue("status", StatusNames.Of(record.Status ?? RunStatus.Completed));
                        command.Parameters.AddWithValue("skipped", record.Skipped ?? 0);
                        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                        break;
                    default:
                        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                        break;
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return true;
            },
            $"record {record.Type}{(record.Key is null ? "" : " of item '" + record.Key + "'")}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SQL of each record: the item's row, the worker's run row, and the stage row only at run start and end.</summary>
    private string Sql(CheckpointRecordType type) => type switch
    {
        CheckpointRecordType.RunStarted => $"""
            update {_s}.stages set status = 'in_progress', started_at = coalesce(started_at, @at), updated_at = @at, error = null where run_id = @r and stage = @s;
            insert into {_s}.runs (run_id, stage, run, worker, host, pid, started_at, heartbeat_at, resume, items, redo, redo_reason, lease_seconds)
            values (@r, @s, (select coalesce(max(run), 0) + 1 from {_s}.runs where run_id = @r and stage = @s), @w, @host, @pid, @at, now(), @resume, @items, @redo, @reason, @lease_seconds)
            returning id;
            """,
        CheckpointRecordType.Reset => $"""
            update {_s}.stages set cost_before_reset_usd = cost_before_reset_usd
                + (select coalesce(sum(coalesce(cost_usd, 0) + failed_cost_usd + earlier_cost_usd), 0) from {_s}.items where run_id = @r and stage = @s),
              status = 'in_progress', started_at = @at, reset_at = @at, updated_at = @at, completed_at = null, failed_at = null, error = null, estimated_cost_to_finish_usd = null
            where run_id = @r and stage = @s;
            delete from {_s}.items where run_id = @r and stage = @s;
            update {_s}.runs set reset = true where id = @run;
            """,
        CheckpointRecordType.Completed => $"""
            with done as (
              insert into {_s}.items as i (run_id, stage, key, state, cost_usd, completed_at, adopted, attempt, completed_by, completions)
              values (@r, @s, @k, 'completed', @cost, @at, nullif(@adopted, false), @attempt, @w, 1)
              on conflict (run_id, stage, key) do update set state = 'completed', cost_usd = @cost, completed_at = @at, adopted = nullif(@adopted, false),
                attempt = @attempt, completed_by = @w, completions = i.completions + 1, output = null, output_sha256 = null, lease_owner = null, lease_expires_at = null
              where i.state <> 'completed'
              returning 1)
            update {_s}.runs set processed = processed + case when @adopted then 0 else 1 end, adopted = adopted + case when @adopted then 1 else 0 end,
              cost_usd = cost_usd + case when @adopted then 0 else @cost end, adopted_cost_usd = adopted_cost_usd + case when @adopted then @cost else 0 end
            where id = @run and exists (select 1 from done);
            """,
        CheckpointRecordType.AttemptFailed => $"""
            insert into {_s}.items as i (run_id, stage, key, failed_attempts, failed_cost_usd, error, failed_at) values (@r, @s, @k, 1, @cost, @error, @at)
            on conflict (run_id, stage, key) do update set failed_attempts = i.failed_attempts + 1, failed_cost_usd = i.failed_cost_usd + @cost, error = @error, failed_at = @at;
            update {_s}.runs set failed_attempts = failed_attempts + 1, cost_usd = cost_usd + @cost, heartbeat_at = now() where id = @run;
            """,
        CheckpointRecordType.ItemFailed => $"""
            with failed as (
              insert into {_s}.items as i (run_id, stage, key, state, failed_attempts, failed_cost_usd, error, failed_at) values (@r, @s, @k, 'failed', 1, @cost, @error, @at)
              on conflict (run_id, stage, key) do update set state = 'failed', failed_attempts = greatest(i.failed_attempts, 1), failed_cost_usd = i.failed_cost_usd + @cost,
                error = @error, failed_at = @at, lease_owner = null, lease_expires_at = null
              where i.state <> 'completed'
              returning 1)
            update {_s}.runs set failed = failed + 1, cost_usd = cost_usd + @cost where id = @run and exists (select 1 from failed);
            """,
        CheckpointRecordType.Invalidated => $"""
            with redo as (
              update {_s}.items set state = 'pending', earlier_cost_usd = earlier_cost_usd + coalesce(cost_usd, 0), cost_usd = null, completed_at = null,
                adopted = null, output = null, output_sha256 = null, error = @error
              where run_id = @r and stage = @s and key = @k and state = 'completed'
              returning 1)
            update {_s}.runs set invalidated = invalidated + 1 where id = @run and exists (select 1 from redo);
            """,
        CheckpointRecordType.RunEnded => $"""
            update {_s}.items set state = 'pending', lease_owner = null, lease_expires_at = null where run_id = @r and stage = @s and state = 'claimed' and lease_owner = @w;
            with totals as (
              select count(*) filter (where state in ('pending', 'claimed')) as open,
                     count(*) filter (where state = 'failed') as failed,
                     count(*) filter (where state <> 'completed') as left_undone,
                     avg(cost_usd + failed_cost_usd) filter (where state = 'completed') as average
              from {_s}.items where run_id = @r and stage = @s),
            estimate as (select case when average is null then null else round(average * left_undone, 6) end as usd from totals),
            ended as (
              update {_s}.runs set ended_at = @at, status = @status, error = @error, skipped = @skipped, heartbeat_at = now(),
                estimated_cost_to_finish_usd = (select usd from estimate)
              where id = @run returning 1)
            update {_s}.stages set updated_at = @at, estimated_cost_to_finish_usd = (select usd from estimate),
              status = case
                when @status = 'completed' and (select open from totals) > 0 then 'in_progress'
                when @status = 'completed' and (select failed from totals) > 0 then 'failed'
                else @status end,
              completed_at = case when @status = 'completed' and (select open + failed from totals) = 0 then @at else completed_at end,
              failed_at = case when @status = 'failed' or (@status = 'completed' and (select open from totals) = 0 and (select failed from totals) > 0) then @at else null end,
              error = case
                when @status = 'failed' then @error
                when @status = 'completed' and (select open from totals) = 0 and (select failed from totals) > 0
                  then (select failed from totals) || ' item(s) failed in this or other workers'' runs and are retried by the next run'
                else null end
            where run_id = @r and stage = @s;
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown record type."),
    };

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CompactAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask RegisterItemsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        // Large lists go in chunks: one statement per 10,000 keys keeps each transaction short.
        for (var start = 0; start < keys.Count; start += 10_000)
        {
            var chunk = keys.Skip(start).Take(10_000).ToArray();
            await _store.ExecuteAsync(
                async (connection, ct) =>
                {
                    await using var command = Command(connection, $"""
                        insert into {_s}.items as i (run_id, stage, key) select @r, @s, unnest(@keys)
                        on conflict (run_id, stage, key) do update set state = 'pending' where i.state = 'failed'
                        """);
                    command.Parameters.AddWithValue("keys", chunk);
                    return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                },
                "register the run's items", cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<ItemClaim>> ClaimAsync(int maxItems, IReadOnlySet<string> excludedKeys, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);
        var excluded = excludedKeys.ToArray();
        while (true)
        {
            var (claims, othersHold, secondsToExpiry) = await _store.ExecuteAsync(
                async (connection, ct) =>
                {
                    var claimed = new List<ItemClaim>();
                    await using (var command = Command(connection, $"""
                        with c as (
                          select key from {_s}.items
                          where run_id = @r and stage = @s and (state = 'pending' or (state = 'claimed' and lease_expires_at < now())) and not (key = any(@excluded))
                          limit @n for update skip locked)
                        update {_s}.items i set state = 'claimed', lease_owner = @w, lease_token = i.lease_token + 1, lease_expires_at = now() + @lease, claims = i.claims + 1
                        from c where i.run_id = @r and i.stage = @s and i.key = c.key
                        returning i.key, i.lease_token
                        """))
                    {
                        command.Parameters.AddWithValue("excluded", excluded);
                        command.Parameters.AddWithValue("n", maxItems);
                        command.Parameters.AddWithValue("w", Worker);
                        command.Parameters.AddWithValue("lease", _store.Options.LeaseDuration);
                        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            claimed.Add(new ItemClaim(reader.GetString(0), reader.GetInt64(1)));
                        }
                    }

                    if (claimed.Count > 0)
                    {
                        return (claimed, false, 0.0);
                    }

                    // Nothing free: wait only while a lease is held (by anyone) on an item this worker could take.
                    await using (var command = Command(connection, $"""
                        select count(*), extract(epoch from min(lease_expires_at) - now())::float8 from {_s}.items
                        where run_id = @r and stage = @s and state in ('pending', 'claimed') and not (key = any(@excluded))
                        """))
                    {
                        command.Parameters.AddWithValue("excluded", excluded);
                        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                        await reader.ReadAsync(ct).ConfigureAwait(false);
                        return (claimed, reader.GetInt64(0) > 0, reader.IsDBNull(1) ? 0.0 : reader.GetDouble(1));
                    }
                },
                "claim items", cancellationToken).ConfigureAwait(false);

            // Held (and renewed) only once the claim reached the runner: when an attempt fails after its claim
            // committed (say the connection broke while the answer was being read), the retry claims other
            // items and the first attempt's claims, held by nobody, must expire rather than be renewed forever
            // (this worker would then wait for them forever: its own renewals keep them from expiring).
            foreach (var claim in claims)
            {
                _held[claim.Key] = 0;
            }

            if (claims.Count > 0 || !othersHold)
            {
                return claims;
            }

            var poll = _store.Options.ClaimPollInterval;
            var untilExpiry = TimeSpan.FromSeconds(Math.Max(secondsToExpiry, 0.01));
            await Task.Delay(untilExpiry < poll ? untilExpiry : poll, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<bool> CompleteClaimAsync(ItemClaim claim, byte[] output, decimal costUsd, int? attempt, CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetString(output);
        _held.TryRemove(claim.Key, out _);
        var sha = SHA256.HashData(output);
        var at = DateTimeOffset.UtcNow;
        return await _store.ExecuteAsync(
            async (connection, ct) =>
            {
                await using (var command = Command(connection, $"""
                    with done as (
                      update {_s}.items set state = 'completed', cost_usd = @cost, completed_at = @at, adopted = null, attempt = @attempt, completed_by = @w,
                        completions = completions + 1, output = @output, output_sha256 = @sha, lease_owner = null, lease_expires_at = null
                      where run_id = @r and stage = @s and key = @k and state = 'claimed' and lease_owner = @w and lease_token = @t
                      returning 1),
                    counted as (
                      update {_s}.runs set processed = processed + 1, cost_usd = cost_usd + @cost, heartbeat_at = now()
                      where id = @run and exists (select 1 from done) returning 1)
                    select (select count(*) from done) + (select count(*) from counted) * 0
                    """))
                {
                    command.Parameters.AddWithValue("cost", costUsd);
                    command.Parameters.AddWithValue("at", at);
                    command.Parameters.AddWithValue("attempt", NpgsqlDbType.Integer, (object?)attempt ?? DBNull.Value);
                    command.Parameters.AddWithValue("w", Worker);
                    command.Parameters.AddWithValue("output", NpgsqlDbType.Json, json);
                    command.Parameters.AddWithValue("sha", sha);
                    command.Parameters.AddWithValue("k", claim.Key);
                    command.Parameters.AddWithValue("t", claim.LeaseToken);
                    command.Parameters.AddWithValue("run", NpgsqlDbType.Bigint, (object?)_runRow ?? DBNull.Value);
                    if ((long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))! == 1)
                    {
                        return true;
                    }
                }

                // Not under this lease: either an earlier try of this very completion committed before its
                // connection failed (then it is done), or the lease went to another worker.
                await using (var command = Command(connection, $"select exists (select 1 from {_s}.items where run_id = @r and stage = @s and key = @k and state = 'completed' and lease_token = @t and completed_by = @w and output_sha256 = @sha)"))
                {
                    command.Parameters.AddWithValue("k", claim.Key);
                    command.Parameters.AddWithValue("t", claim.LeaseToken);
                    command.Parameters.AddWithValue("w", Worker);
                    command.Parameters.AddWithValue("sha", sha);
                    return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                }
            },
            $"complete item '{claim.Key}'", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(ItemClaim claim, CancellationToken cancellationToken)
    {
        _held.TryRemove(claim.Key, out _);
        await _store.ExecuteAsync(
            async (connection, ct) =>
            {
                await using var command = Command(connection, $"update {_s}.items set state = 'pending', lease_owner = null, lease_expires_at = null where run_id = @r and stage = @s and key = @k and state = 'claimed' and lease_owner = @w and lease_token = @t");
                command.Parameters.AddWithValue("k", claim.Key);
                command.Parameters.AddWithValue("t", claim.LeaseToken);
                command.Parameters.AddWithValue("w", Worker);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            $"release item '{claim.Key}'", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyDictionary<string, byte[]>> ReadOutputsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var outputs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return outputs;
        }

        var all = keys.ToArray();
        await _store.ExecuteAsync(
            async (connection, ct) =>
            {
                outputs.Clear();
                await using var command = Command(connection, $"select key, output::text from {_s}.items where run_id = @r and stage = @s and state = 'completed' and output is not null and key = any(@keys)");
                command.Parameters.AddWithValue("keys", all);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    outputs[reader.GetString(0)] = Encoding.UTF8.GetBytes(reader.GetString(1));
                }

                return true;
            },
            "read the stored outputs", cancellationToken).ConfigureAwait(false);
        return outputs;
    }

    /// <summary>
    /// The cost recorded by the other workers' runs of the stage that are open, or that ended after this worker's
    /// run started (one small read of the runs table: one row per worker run).
    /// </summary>
    public async ValueTask<decimal> ReadOthersSpendingAsync(CancellationToken cancellationToken) =>
        await _store.ExecuteAsync(
            async (connection, ct) =>
            {
                await using var command = Command(connection, $"""
                    select coalesce(sum(cost_usd), 0) from {_s}.runs
                    where run_id = @r and stage = @s and id <> coalesce(@run, -1)
                      and (ended_at is null or ended_at >= (select started_at from {_s}.runs where id = @run))
                    """);
                command.Parameters.AddWithValue("run", NpgsqlDbType.Bigint, (object?)_runRow ?? DBNull.Value);
                return (decimal)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            },
            "read what the other workers spent", cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _renewalStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            // Whatever this worker still holds (a run that ended without its end record) goes back at once.
            await _store.ExecuteAsync(
                async (connection, ct) =>
                {
                    await using var command = Command(connection, $"update {_s}.items set state = 'pending', lease_owner = null, lease_expires_at = null where run_id = @r and stage = @s and state = 'claimed' and lease_owner = @w");
                    command.Parameters.AddWithValue("w", Worker);
                    return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                },
                "release its claims", CancellationToken.None).ConfigureAwait(false);
        }
        catch (PostgresStoreUnavailableException e)
        {
            _store.Logger.LogWarning("Stage {Stage}: could not release this worker's claims ({Error}); their leases expire in {Lease}", _request.StageName, e.Message, _store.Options.LeaseDuration);
        }

        _renewalStop.Dispose();
    }

    /// <summary>Renews this worker's leases and its run's heartbeat every third of the lease.</summary>
    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(_store.Options.LeaseDuration / 3);
        while (await timer.WaitForNextTickAsync(_renewalStop.Token).ConfigureAwait(false))
        {
            try
            {
                await using var connection = await _store.DataSource.OpenConnectionAsync(_renewalStop.Token).ConfigureAwait(false);
                await using var command = Command(connection, $"""
                    update {_s}.items set lease_expires_at = now() + @lease where run_id = @r and stage = @s and state = 'claimed' and lease_owner = @w and key = any(@held);
                    update {_s}.runs set heartbeat_at = now() where id = @run;
                    """);
                command.Parameters.AddWithValue("lease", _store.Options.LeaseDuration);
                command.Parameters.AddWithValue("w", Worker);
                command.Parameters.AddWithValue("held", _held.Keys.ToArray());
                command.Parameters.AddWithValue("run", NpgsqlDbType.Bigint, (object?)_runRow ?? DBNull.Value);
                await command.ExecuteNonQueryAsync(_renewalStop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!_renewalStop.IsCancellationRequested)
            {
                // Whatever the error (a connection failure, a server that refuses the statement), the next tick
                // tries again: a renewal loop that died would let the worker's leases run out while it works.
                // Leases not renewed in time go to other workers, and fencing stops this one from completing those items.
                _store.Logger.LogWarning("Stage {Stage}: could not renew this worker's leases: {Error}", _request.StageName, e.Message);
            }
        }
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("r", _request.RunId);
        command.Parameters.AddWithValue("s", _request.StageName);
        return command;
    }
}
