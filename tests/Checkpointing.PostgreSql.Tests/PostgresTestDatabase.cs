using System.Globalization;
using System.Text.Json.Serialization;
using Checkpointing.PostgreSql;
using Npgsql;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>
/// The server the tests use: <c>CHECKPOINTING_POSTGRES</c> (a connection string), set by .ci/run through
/// .ci/postgres-start. Without it every test that needs a server is skipped with the reason. Each test works
/// in its own PostgreSQL schema, dropped at the end, so runs never see each other's rows.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "CHECKPOINTING_POSTGRES";

    private PostgresTestDatabase(string connectionString, string schema)
    {
        ConnectionString = connectionString;
        Schema = schema;
        Root = Path.Combine(Path.GetTempPath(), "ckpt-pg-" + schema);
    }

    /// <summary>The longest a test waits for anything (a run, a claim, a worker); past it the test fails and says what it waited for.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(3);

    public string ConnectionString { get; }

    /// <summary>The log of this test's stores and runs, shown when a wait gives up.</summary>
    public TestLog Log { get; } = new();

    public string Schema { get; }

    /// <summary>The storage root of the output file copies.</summary>
    public string Root { get; }

    /// <summary>A fresh schema on the test server; skips the test (naming the variable and the fix) when there is none.</summary>
    public static PostgresTestDatabase Create()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        Skip.If(
            string.IsNullOrWhiteSpace(connectionString),
            $"{Variable} is not set: this test needs a PostgreSQL server. Start one with eval \"$(.ci/postgres-start)\" (README, 'PostgreSQL store'); .ci/run does it in CI.");
        return new PostgresTestDatabase(connectionString!, "t_" + Guid.NewGuid().ToString("N")[..12]);
    }

    public PostgresCheckpointStore Store(TimeSpan? lease = null, string? worker = null, int retries = 6, Microsoft.Extensions.Logging.ILogger? logger = null, string? connectionString = null) =>
        new(connectionString ?? ConnectionString, new PostgresCheckpointStoreOptions
        {
            Logger = logger ?? Log,
            Schema = Schema,
            LeaseDuration = lease ?? TimeSpan.FromSeconds(30),
            WorkerName = worker,
            MaxRetryAttempts = retries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            ClaimPollInterval = TimeSpan.FromMilliseconds(50),
        });

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{s}", Schema, StringComparison.Ordinal), connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{s}", Schema, StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Awaits <paramref name="task"/> for at most <paramref name="limit"/> (default <see cref="WaitLimit"/>); past it,
    /// throws a <see cref="TimeoutException"/> naming <paramref name="what"/>, with the server's state and the log.
    /// </summary>
    public async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? limit = null)
    {
        var wait = limit ?? WaitLimit;
        try
        {
            return await task.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what}: not done within {wait.TotalSeconds:0} s.\nServer state:\n{await DescribeAsync()}\nLog (last lines):\n{Log.Tail()}");
        }
    }

    /// <inheritdoc cref="WithinAsync{T}(Task{T}, string, TimeSpan?)"/>
    public Task WithinAsync(Task task, string what, TimeSpan? limit = null) =>
        WithinAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what, limit);

    /// <summary>Runs a stage (give it <see cref="Log"/> as its logger to see its messages on a timeout), bounded by <see cref="WaitLimit"/>.</summary>
    public Task<StageRunResult> RunAsync<TItem, TOutput>(StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, StageRunOptions options, string? what = null) =>
        WithinAsync(
            Task.Run(() => StageRunner.RunAsync(definition, items, options)),
            what ?? $"the run of stage '{definition.StageName}' (run '{options.RunId}')");

    /// <summary>
    /// What the server holds for this test's schema, for a test that gives up waiting: the items by state, the
    /// claimed ones with their lease owner and how long until their lease expires, the runs, and the sessions
    /// with what each is doing or waiting for. Never throws: a server that cannot be read is said so.
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false;Timeout=10;Command Timeout=10");
            await connection.OpenAsync(timeout.Token);
            var text = new System.Text.StringBuilder();
            foreach (var (title, sql) in new[]
            {
                ("items by state", "select state, count(*) from {s}.items group by state order by state"),
                ("claimed items", "select key, lease_owner, lease_token, round(extract(epoch from lease_expires_at - now())::numeric, 1) as expires_in_s from {s}.items where state = 'claimed' order by key limit 20"),
                ("runs", "select run, worker, status, processed, failed, cost_usd, round(extract(epoch from now() - heartbeat_at)::numeric, 1) as silent_s, ended_at is not null as ended from {s}.runs order by run"),
                ("sessions", "select pid, application_name, state, wait_event_type, wait_event, round(extract(epoch from now() - xact_start)::numeric, 1) as xact_s, left(query, 80) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'"),
            })
            {
                text.AppendLine("-- " + title);
                await using var command = new NpgsqlCommand(sql.Replace("{s}", Schema, StringComparison.Ordinal), connection);
                await using var reader = await command.ExecuteReaderAsync(timeout.Token);
                while (await reader.ReadAsync(timeout.Token))
                {
                    text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
                }
            }

            return text.ToString();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return $"(the test server could not be read: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ExecuteAsync("drop schema if exists {s} cascade");
        }
        catch (NpgsqlException)
        {
            // A test that stopped the server leaves its schema to the throwaway cluster.
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>The tests' stage: item i's output and cost are fixed functions of i.</summary>
internal static class TestStage
{
    public static decimal CostOf(int item) => 0.001m * ((item % 7) + 1);

    public static string Expected(int item) => "item " + item.ToString(CultureInfo.InvariantCulture);

    public static StageDefinition<int, TestOutput> Definition(string stage = "work", Func<int, ItemContext, CancellationToken, Task>? before = null) => new()
    {
        StageName = stage,
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = TestJson.Default.TestOutput,
        Validate = output => output.Text == Expected(output.Item) ? [] : [$"text '{output.Text}' is not '{Expected(output.Item)}'"],
        ProcessAsync = async (item, context, ct) =>
        {
            if (before is not null)
            {
                await before(item, context, ct);
            }

            context.AddCost(CostOf(item));
            return new TestOutput(item, Expected(item));
        },
    };
}

internal sealed record TestOutput(int Item, string Text);

[JsonSerializable(typeof(TestOutput))]
internal sealed partial class TestJson : JsonSerializerContext;

/// <summary>One collection: the server-crash test restarts the server, which no other test may see.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    public const string Name = "postgres";
}
