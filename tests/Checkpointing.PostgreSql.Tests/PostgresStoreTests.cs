using System.Net;
using System.Net.Sockets;
using Checkpointing.PostgreSql;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>The store under the runner: runs, resumes, costs and failures, schema and bad input.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests
{
    private static StageRunOptions Options(PostgresTestDatabase db, PostgresCheckpointStore store, int parallel = 4) =>
        new() { Root = db.Root, RunId = "run1", Store = store, MaxDegreeOfParallelism = parallel, ItemFailurePolicy = ItemFailurePolicy.SkipItem, Logger = db.Log };

    [SkippableFact]
    public async Task A_stage_runs_on_the_store_and_a_rerun_skips_every_item_after_checking_the_stored_outputs()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        var first = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 120), Options(db, store));
        Assert.Equal(120, first.Processed);
        Assert.Equal(StageStatus.Completed, first.Status);
        var expectedCost = Enumerable.Range(0, 120).Sum(TestStage.CostOf);
        Assert.Equal(expectedCost, first.TotalCostUsd);

        // The output files are copies of the stored outputs, byte for byte.
        var stored = await db.ScalarAsync<string>("select output::text from {s}.items where key = '000007'");
        Assert.Equal(stored, await File.ReadAllTextAsync(Path.Combine(db.Root, "run1", "work", "000007.json")));

        // A deleted copy is written back from the database; nothing is redone.
        File.Delete(Path.Combine(db.Root, "run1", "work", "000007.json"));
        var second = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 120), Options(db, store));
        Assert.Equal(0, second.Processed);
        Assert.Equal(120, second.Skipped);
        Assert.True(File.Exists(Path.Combine(db.Root, "run1", "work", "000007.json")));

        var state = await store.ReadStateAsync("run1", "work");
        Assert.NotNull(state);
        Assert.Equal(120, state!.CompletedCount);
        Assert.Equal(expectedCost, state.TotalCostUsd);
        Assert.Equal([RunStatus.Completed, RunStatus.Completed], state.Runs.Select(r => r.Status));
        Assert.Equal(120, state.Runs[0].Processed);
        Assert.Equal(120, state.Runs[1].Skipped);
        Assert.Equal(StageStatus.Completed, state.Status);
        Assert.Null(await store.ReadStateAsync("run1", "other"));
    }

    [SkippableFact]
    public async Task A_worker_that_starts_leaves_the_temp_files_of_workers_already_writing_in_the_shared_folder_alone()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        var folder = Path.Combine(db.Root, "run1", "work");
        Directory.CreateDirectory(folder);
        var inFlight = Path.Combine(folder, ".000003.json.0123456789ab.ckpt.tmp");
        await File.WriteAllTextAsync(inFlight, "another worker's save in progress");

        await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 5), Options(db, store));

        Assert.True(File.Exists(inFlight));
    }

    [SkippableFact]
    public async Task A_stored_output_that_fails_validation_is_redone_on_resume()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 10), Options(db, store));
        await db.ExecuteAsync("""update {s}.items set output = replace(output::text, '"item 3"', '"tampered"')::json where key = '000003'""");

        var rerun = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 10), Options(db, store));

        Assert.Equal(1, rerun.Processed);
        Assert.Equal(9, rerun.Skipped);
        Assert.Equal(1, (await store.ReadStateAsync("run1", "work"))!.Runs[^1].Invalidated);
        Assert.Contains("\"item 3\"", await db.ScalarAsync<string>("select output::text from {s}.items where key = '000003'"));

        // The redone item's first cost stays spent: it is counted once in the total, beside the new one.
        var expected = Enumerable.Range(0, 10).Sum(TestStage.CostOf) + TestStage.CostOf(3);
        Assert.Equal(expected, (await store.ReadStateAsync("run1", "work"))!.TotalCostUsd);
    }

    [SkippableFact]
    public async Task Failed_attempts_and_failed_items_keep_their_cost_and_the_next_run_retries_them()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        var failing = TestStage.Definition(before: (item, context, _) =>
        {
            if (item == 4)
            {
                context.AddCost(0.5m);
                throw new InvalidOperationException("injected failure");
            }

            return Task.CompletedTask;
        });

        var first = await db.RunAsync(failing, Enumerable.Range(0, 8), Options(db, store));
        Assert.Equal(7, first.Processed);
        Assert.Equal(1, first.Failed);
        var state = (await store.ReadStateAsync("run1", "work"))!;
        Assert.Equal(StageStatus.Failed, state.Status);
        Assert.Equal(0.5m, state.Failed["000004"].CostUsd);
        Assert.Contains("injected failure", state.Failed["000004"].Error);
        Assert.Equal(Enumerable.Range(0, 8).Where(i => i != 4).Sum(TestStage.CostOf) + 0.5m, state.TotalCostUsd);

        var second = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 8), Options(db, store));
        Assert.Equal(1, second.Processed);
        state = (await store.ReadStateAsync("run1", "work"))!;
        Assert.Equal(StageStatus.Completed, state.Status);
        Assert.Empty(state.Failed);
        Assert.Equal(2, state.Completed["000004"].Attempts);
        Assert.Equal(TestStage.CostOf(4) + 0.5m, state.Completed["000004"].CostUsd);
        Assert.Equal(Enumerable.Range(0, 8).Sum(TestStage.CostOf) + 0.5m, state.TotalCostUsd);
        Assert.Equal(state.TotalCostUsd, state.Runs.Sum(r => r.CostUsd));
    }

    [SkippableFact]
    public async Task A_budget_stops_the_worker_and_a_run_with_a_higher_one_goes_on()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        var options = Options(db, store, parallel: 1);
        var stopped = await Assert.ThrowsAsync<StageBudgetExceededException>(() =>
            db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 40), new StageRunOptions { Root = options.Root, RunId = options.RunId, Store = store, CostBudgetUsd = 0.02m }));
        Assert.InRange(stopped.Result.Processed, 1, 39);
        Assert.Equal(StageStatus.BudgetExceeded, (await store.ReadStateAsync("run1", "work"))!.Status);

        var rest = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 40), options);
        Assert.Equal(40 - stopped.Result.Processed, rest.Processed);
        Assert.Equal(Enumerable.Range(0, 40).Sum(TestStage.CostOf), rest.TotalCostUsd);
    }

    [SkippableFact]
    public async Task A_fresh_start_resets_the_stage_and_keeps_the_lifetime_cost_and_the_history()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 5), Options(db, store));
        var again = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 5), new StageRunOptions { Root = db.Root, RunId = "run1", Store = store, Resume = false });
        Assert.Equal(5, again.Processed);
        var state = (await store.ReadStateAsync("run1", "work"))!;
        var cost = Enumerable.Range(0, 5).Sum(TestStage.CostOf);
        Assert.Equal(cost, state.TotalCostUsd);
        Assert.Equal(2 * cost, state.LifetimeCostUsd);
        Assert.NotNull(state.ResetAt);
        Assert.True(state.Runs[1].Reset);
    }

    [SkippableFact]
    public async Task A_stage_name_used_with_another_item_type_is_a_clear_error()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store();
        await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 2), Options(db, store));
        var other = new StageDefinition<string, TestOutput>
        {
            StageName = "work",
            GetKey = CheckpointKeys.From,
            OutputTypeInfo = TestJson.Default.TestOutput,
            ProcessAsync = (item, _, _) => ValueTask.FromResult(new TestOutput(0, item)),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            db.RunAsync(other, ["a"], new StageRunOptions { Root = db.Root, RunId = "run1", Store = store }));
        Assert.Contains("Stage 'work' of run 'run1'", error.Message);
        Assert.Contains("System.Int32 -> Checkpointing.PostgreSql.Tests.TestOutput", error.Message);
        Assert.Contains("System.String -> Checkpointing.PostgreSql.Tests.TestOutput", error.Message);
    }

    [SkippableFact]
    public async Task A_schema_of_a_newer_version_is_a_clear_error()
    {
        await using var db = PostgresTestDatabase.Create();
        await using (var store = db.Store())
        {
            await store.EnsureSchemaAsync();
        }

        await db.ExecuteAsync("update {s}.schema_version set version = 99");
        await using var newer = db.Store();
        var error = await Assert.ThrowsAsync<PostgresSchemaVersionException>(() => newer.EnsureSchemaAsync());
        Assert.Equal(99, error.FoundVersion);
        Assert.Contains($"\"{db.Schema}\" is at version 99", error.Message);
        Assert.Contains("Upgrade", error.Message);
    }

    [SkippableFact]
    public async Task A_schema_of_version_1_is_migrated_keeping_its_rows_and_each_new_run_records_its_lease()
    {
        await using var db = PostgresTestDatabase.Create();
        await using (var connection = new Npgsql.NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            await PostgresSchema.EnsureAsync(connection, db.Schema, target: 1, CancellationToken.None);
        }

        // What a worker of version 1 left: its stage, one ended run, one pending item.
        Assert.Equal(1, await db.ScalarAsync<int>("select version from {s}.schema_version"));
        await db.ExecuteAsync("""
            insert into {s}.stages (run_id, stage, item_type, output_dir, status) values ('run1', 'work', 'System.Int32 -> Checkpointing.PostgreSql.Tests.TestOutput', 'work', 'in_progress');
            insert into {s}.runs (run_id, stage, run, worker, host, pid, started_at, heartbeat_at, ended_at, status, resume, cost_usd)
              values ('run1', 'work', 1, 'old:1:x', 'old', 1, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', 'cancelled', true, 0.25);
            insert into {s}.items (run_id, stage, key) values ('run1', 'work', '000000');
            """);

        await using var store = db.Store(lease: TimeSpan.FromSeconds(12));
        var result = await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 3), Options(db, store));

        Assert.Equal(3, result.Processed);
        Assert.Equal(2, await db.ScalarAsync<int>("select version from {s}.schema_version"));
        Assert.Equal(0.25m, await db.ScalarAsync<decimal>("select cost_usd from {s}.runs where run = 1 and lease_seconds is null"));
        Assert.Equal(12m, await db.ScalarAsync<decimal>("select lease_seconds from {s}.runs where run = 2"));
        Assert.Equal(StageStatus.Completed, (await store.ReadStateAsync("run1", "work"))!.Status);
    }

    [SkippableFact]
    public async Task Workers_that_start_at_once_create_the_schema_once()
    {
        await using var db = PostgresTestDatabase.Create();
        var stores = Enumerable.Range(0, 6).Select(_ => db.Store()).ToList();
        try
        {
            await db.WithinAsync(Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync())), "six stores creating the schema at once");
            Assert.Equal(PostgresSchema.CurrentVersion, await db.ScalarAsync<int>("select version from {s}.schema_version"));
            Assert.Equal(1, await db.ScalarAsync<int>("select count(*) from {s}.schema_version"));

            // And run the same stage at once: every item is completed once.
            await db.WithinAsync(Task.WhenAll(stores.Select(s => db.RunAsync(TestStage.Definition(), Enumerable.Range(0, 60), new StageRunOptions { Root = db.Root, RunId = "run1", Store = s, MaxDegreeOfParallelism = 2, Logger = db.Log }))), "six workers running one stage");
            Assert.Equal(60, await db.ScalarAsync<int>("select count(*) from {s}.items where state = 'completed' and completions = 1"));
            Assert.Equal(60, await db.ScalarAsync<int>("select sum(processed) from {s}.runs"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public void A_connection_string_without_a_database_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresCheckpointStore("Host=127.0.0.1;Port=5432;Username=app"));
        Assert.Contains("names no database", error.Message);
        Assert.Contains("Database=<name>", error.Message);
        Assert.Contains("names no database", Assert.Throws<ArgumentException>(() => new PostgresCheckpointStore("postgres://app@db.example:5432")).Message);
        Assert.Contains("malformed", Assert.Throws<ArgumentException>(() => new PostgresCheckpointStore("Hots=x;Database=y")).Message);
        Assert.Contains("plain PostgreSQL identifier", Assert.Throws<ArgumentException>(() => new PostgresCheckpointStore("Host=h;Database=d", new PostgresCheckpointStoreOptions { Schema = "x; drop table y" })).Message);
    }

    [Fact]
    public async Task A_postgres_url_names_host_port_user_and_database()
    {
        await using var store = new PostgresCheckpointStore("postgres://app:s%40cret@db.example:6543/books");
        Assert.Equal("books", store.Database);
        Assert.Equal("db.example:6543/books", store.Endpoint);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_a_clear_error_after_the_retries()
    {
        // A port nobody listens on: bind one, note it, free it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var store = new PostgresCheckpointStore(
            $"Host=127.0.0.1;Port={port};Database=checkpointing;Username=postgres;Timeout=2",
            new PostgresCheckpointStoreOptions { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var error = await Assert.ThrowsAsync<PostgresStoreUnavailableException>(() =>
            StageRunner.RunAsync(TestStage.Definition(), [1], new StageRunOptions { Root = Path.GetTempPath(), RunId = "unreachable", Store = store }).WaitAsync(PostgresTestDatabase.WaitLimit));
        Assert.Contains($"127.0.0.1:{port}/checkpointing", error.Message);
        Assert.Contains("after 2 retries", error.Message);
    }
}
