using Npgsql;
using Checkpointing.Store;

namespace Checkpointing.PostgreSql;

/// <summary>
/// Builds a <see cref="StageCheckpointDocument"/> (the file store's state, as monitors and the runner read
/// it) from the tables. The stage's costs are sums over its items (completed, failed and invalidated work),
/// so that workers never contend on one counter row.
/// </summary>
internal static class PostgresStateReader
{
    public static async Task<StageCheckpointDocument?> ReadAsync(NpgsqlConnection connection, string schema, string runId, string stage, CancellationToken cancellationToken)
    {
        // One snapshot for the three reads, so items and runs agree with each other.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        StageCheckpointDocument document;
        decimal costBeforeReset;
        await using (var command = new NpgsqlCommand(
            $"select output_dir, status, started_at, updated_at, completed_at, failed_at, reset_at, error, cost_before_reset_usd, estimated_cost_to_finish_usd from {schema}.stages where run_id = @r and stage = @s",
            connection, transaction))
        {
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("s", stage);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            document = new StageCheckpointDocument
            {
                Stage = stage,
                RunId = runId,
                OutputDirectory = reader.GetString(0),
                Status = StatusNames.ParseStage(reader.GetString(1)),
                StartedAt = Time(reader, 2),
                UpdatedAt = Time(reader, 3),
                CompletedAt = Time(reader, 4),
                FailedAt = Time(reader, 5),
                ResetAt = Time(reader, 6),
                Error = reader.IsDBNull(7) ? null : reader.GetString(7),
                EstimatedCostToFinishUsd = reader.IsDBNull(9) ? null : reader.GetDecimal(9),
            };
            costBeforeReset = reader.GetDecimal(8);
        }

        decimal total = 0;
        await using (var command = new NpgsqlCommand(
            $"""
            select key, state, coalesce(cost_usd, 0), failed_cost_usd, earlier_cost_usd, failed_attempts, completed_at, adopted, error, failed_at
            from {schema}.items where run_id = @r and stage = @s and (state in ('completed', 'failed') or failed_attempts > 0 or earlier_cost_usd > 0)
            """,
            connection, transaction))
        {
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("s", stage);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                var state = reader.GetString(1);
                var cost = reader.GetDecimal(2);
                var failedCost = reader.GetDecimal(3);
                var failedAttempts = reader.GetInt32(5);
                total += cost + failedCost + reader.GetDecimal(4);
                if (state == "completed")
                {
                    document.Completed[key] = new CompletedItem
                    {
                        CostUsd = cost + failedCost,
                        At = Time(reader, 6) ?? default,
                        Adopted = !reader.IsDBNull(7) && reader.GetBoolean(7) ? true : null,
                        Attempts = failedAttempts > 0 ? failedAttempts + 1 : null,
                    };
                }
                else if (state == "failed" || failedAttempts > 0)
                {
                    document.Failed[key] = new FailedItem
                    {
                        Error = reader.IsDBNull(8) ? "" : reader.GetString(8),
                        At = Time(reader, 9) ?? default,
                        Attempts = Math.Max(failedAttempts, 1),
                        CostUsd = failedCost,
                    };
                }
            }
        }

        await using (var command = new NpgsqlCommand(
            $"""
            select run, started_at, ended_at, status, resume, reset, items, processed, adopted, skipped, failed, failed_attempts,
                   invalidated, cost_usd, adopted_cost_usd, estimated_cost_to_finish_usd, error, redo, redo_reason
            from {schema}.runs where run_id = @r and stage = @s order by run
            """,
            connection, transaction))
        {
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("s", stage);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                document.Runs.Add(new RunRecord
                {
                    Run = reader.GetInt32(0),
                    StartedAt = Time(reader, 1)!.Value,
                    EndedAt = Time(reader, 2),
                    Status = StatusNames.ParseRun(reader.GetString(3)),
                    Resume = reader.GetBoolean(4),
                    Reset = reader.GetBoolean(5),
                    Items = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    Processed = reader.GetInt32(7),
                    Adopted = reader.GetInt32(8),
                    Skipped = reader.GetInt32(9),
                    Failed = reader.GetInt32(10),
                    FailedAttempts = reader.GetInt32(11),
                    Invalidated = reader.GetInt32(12),
                    CostUsd = reader.GetDecimal(13),
                    AdoptedCostUsd = reader.GetDecimal(14),
                    EstimatedCostToFinishUsd = reader.IsDBNull(15) ? null : reader.GetDecimal(15),
                    Error = reader.IsDBNull(16) ? null : reader.GetString(16),
                    Redo = reader.IsDBNull(17) ? null : [.. reader.GetFieldValue<string[]>(17)],
                    RedoReason = reader.IsDBNull(18) ? null : reader.GetString(18),
                });
            }
        }

        document.TotalCostUsd = total;
        document.LifetimeCostUsd = costBeforeReset + total;
        document.CompletedCount = document.Completed.Count;
        return document;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(ordinal), TimeSpan.Zero);
}
