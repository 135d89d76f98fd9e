using Npgsql;

namespace Checkpointing.PostgreSql;

/// <summary>
/// The store's tables, created and migrated by the library: every migration from the version found to
/// <see cref="CurrentVersion"/> runs in one transaction under a transaction-scoped advisory lock, so two
/// workers that start at once migrate once (the second waits, then finds the schema current). The tables
/// are documented in docs/postgresql.md.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The schema version this library writes and reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>Migration N brings the schema from version N-1 to N. Only ever append.</summary>
    private static readonly string[] Migrations =
    [
        """
        create table {s}.stages (
          run_id text not null,
          stage text not null,
          item_type text,
          output_dir text not null,
          status text not null default 'not_started',
          started_at timestamptz,
          updated_at timestamptz,
          completed_at timestamptz,
          failed_at timestamptz,
          reset_at timestamptz,
          error text,
          cost_before_reset_usd numeric not null default 0,
          estimated_cost_to_finish_usd numeric,
          primary key (run_id, stage));
        create table {s}.items (
          run_id text not null,
          stage text not null,
          key text not null,
          state text not null default 'pending' check (state in ('pending', 'claimed', 'completed', 'failed')),
          lease_owner text,
          lease_token bigint not null default 0,
          lease_expires_at timestamptz,
          claims int not null default 0,
          failed_attempts int not null default 0,
          failed_cost_usd numeric not null default 0,
          error text,
          failed_at timestamptz,
          cost_usd numeric,
          earlier_cost_usd numeric not null default 0,
          completed_at timestamptz,
          adopted boolean,
          attempt int,
          completed_by text,
          completions int not null default 0,
          output json,
          output_sha256 bytea,
          primary key (run_id, stage, key),
          foreign key (run_id, stage) references {s}.stages on delete cascade);
        create index items_open on {s}.items (run_id, stage, lease_expires_at) where state in ('pending', 'claimed');
        create table {s}.runs (
          id bigserial primary key,
          run_id text not null,
          stage text not null,
          run int not null,
          worker text not null,
          host text not null,
          pid int not null,
          started_at timestamptz not null,
          heartbeat_at timestamptz not null,
          ended_at timestamptz,
          status text not null default 'in_progress',
          resume boolean not null,
          reset boolean not null default false,
          items int,
          processed int not null default 0,
          adopted int not null default 0,
          skipped int not null default 0,
          failed int not null default 0,
          failed_attempts int not null default 0,
          invalidated int not null default 0,
          cost_usd numeric not null default 0,
          adopted_cost_usd numeric not null default 0,
          estimated_cost_to_finish_usd numeric,
          error text,
          redo text[],
          redo_reason text,
          unique (run_id, stage, run),
          foreign key (run_id, stage) references {s}.stages on delete cascade);
        """,

        // 2: each worker run records its lease, so that tools judge a live worker by its own lease (null: a run of version 1).
        """
        alter table {s}.runs add column lease_seconds numeric;
        """,
    ];

    /// <summary>Creates or migrates the schema; throws <see cref="PostgresSchemaVersionException"/> for a newer one.</summary>
    public static Task EnsureAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken) =>
        EnsureAsync(connection, schema, CurrentVersion, cancellationToken);

    /// <summary>Creates or migrates the schema up to <paramref name="target"/> (the tests build an older version with it).</summary>
    internal static async Task EnsureAsync(NpgsqlConnection connection, string schema, int target, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, CurrentVersion);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('checkpointing.schema:' || @schema))", connection, transaction))
        {
            command.Parameters.AddWithValue("schema", schema);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var found = 0;
        await using (var command = new NpgsqlCommand($"create schema if not exists {schema}; create table if not exists {schema}.schema_version (only_row boolean primary key default true check (only_row), version int not null, migrated_at timestamptz not null default now()); select version from {schema}.schema_version", connection, transaction))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            found = value is int version ? version : 0;
        }

        if (found > CurrentVersion)
        {
            throw new PostgresSchemaVersionException(schema, found, CurrentVersion);
        }

        if (found >= target)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var version = found + 1; version <= target; version++)
        {
            await using var command = new NpgsqlCommand(Migrations[version - 1].Replace("{s}", schema, StringComparison.Ordinal), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand($"insert into {schema}.schema_version (version) values (@v) on conflict (only_row) do update set version = excluded.version, migrated_at = now()", connection, transaction))
        {
            command.Parameters.AddWithValue("v", target);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A schema name is spliced into SQL: only plain lower-case identifiers are accepted.</summary>
    public static string Validate(string schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Length > 63 || !(schema[0] is >= 'a' and <= 'z' or '_') ||
            !schema.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
        {
            throw new ArgumentException($"Schema name \"{schema}\" is not a plain PostgreSQL identifier: use lower-case letters, digits and '_' (at most 63), starting with a letter or '_'.", nameof(schema));
        }

        return schema;
    }
}
