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

    public string ConnectionString { get; }

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

    public PostgresCheckpointStore Store(TimeSpan? lease = null, string? worker = null, int retries = 6) =>
        new(ConnectionString, new PostgresCheckpointStoreOptions
        {
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
