using System.Globalization;
using System.Text.Json;
using Checkpointing.Cli.Tests.Support;
using Checkpointing.PostgreSql;
using Npgsql;

namespace Checkpointing.Cli.Tests;

/// <summary>
/// <c>status --store</c> and <c>validate --store</c> on stages run through a real PostgreSQL store, the tool run
/// as a process. Needs <c>CHECKPOINTING_POSTGRES</c> (a connection string; .ci/postgres-start prints it): without
/// it these tests are skipped, saying so. Each test works in its own schema, dropped at the end.
/// </summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private const string Variable = "CHECKPOINTING_POSTGRES";
    private readonly TempFolder _dir = new();
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string? _connection = Environment.GetEnvironmentVariable(Variable);

    private string Root => _dir["data"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _dir.Dispose();
        if (!string.IsNullOrWhiteSpace(_connection))
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync("drop schema if exists {s} cascade");
        }
    }

    [SkippableFact]
    public async Task Status_store_json_shows_each_stage_with_the_databases_done_failed_and_cost_and_takes_nothing()
    {
        var connection = RequireServer();
        await using (var store = Store())
        {
            await Pipelines.RunStageAsync(Root, "tranche_7", "ocr", 30, failAt: 17, store: store);
            await Pipelines.RunStageAsync(Root, "tranche_7", "summaries", 10, store: store);
        }

        var completedKeys = await ListAsync("select key from {s}.items where run_id = 'tranche_7' and stage = 'ocr' and state = 'completed'");
        Assert.NotEmpty(completedKeys);
        var before = await ScalarAsync("select count(*) from {s}.runs") + "/" + await ScalarAsync("select coalesce(sum(lease_token), 0) from {s}.items");

        var result = await Tool.RunProcessAsync("status", Root, "--store", connection, "--schema", _schema, "--json");
        Assert.True(result.ExitCode == 1, result.ToString()); // a failed stage is a problem: exit code 1
        var root = result.Json();
        Shape.AssertSchema(root, "checkpointing.cli.status", Shape.Status);
        var stages = root.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["ocr", "summaries"], stages.Select(s => s.GetProperty("stage").GetString()));
        foreach (var stage in stages)
        {
            Shape.Assert(stage, Shape.Stage, "stage");
            Shape.Assert(stage.GetProperty("last_run"), Shape.Run, "last_run");
            Shape.AssertEach(stage.GetProperty("failed_items"), Shape.FailedItem, "failed item");
        }

        var ocr = stages[0];
        Assert.Equal("failed", ocr.GetProperty("state").GetString());
        Assert.Equal(completedKeys.Count, ocr.GetProperty("completed").GetInt32());
        Assert.Equal(1, ocr.GetProperty("failed").GetInt32());
        Assert.Equal("000017", ocr.GetProperty("failed_items")[0].GetProperty("key").GetString());
        Assert.Contains("injected failure at item 17", ocr.GetProperty("failed_items")[0].GetProperty("error").GetString());
        Assert.Equal(completedKeys.Sum(k => Pipelines.CostOf(int.Parse(k, CultureInfo.InvariantCulture))), ocr.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(JsonValueKind.Null, ocr.GetProperty("lock").ValueKind);

        var summaries = stages[1];
        Assert.Equal("completed", summaries.GetProperty("state").GetString());
        Assert.Equal(10, summaries.GetProperty("completed").GetInt32());
        Assert.Equal(0, summaries.GetProperty("failed").GetInt32());
        Assert.Equal(0, summaries.GetProperty("remaining").GetInt32());
        Assert.Equal(Enumerable.Range(1, 10).Sum(Pipelines.CostOf), summaries.GetProperty("cost_usd").GetDecimal());

        // The table view, one run, and nothing written: no run row, no lease token moved.
        var text = await Tool.RunAsync("status", Root, "--store", connection, "--schema", _schema, "--run", "tranche_7");
        Assert.Matches(@"summaries\s+│\s+completed\s+│\s+10\s+│\s+0\s+│\s+0\s+│", text.Out);
        Assert.Equal(before, await ScalarAsync("select count(*) from {s}.runs") + "/" + await ScalarAsync("select coalesce(sum(lease_token), 0) from {s}.items"));

        var unknownRun = await Tool.RunAsync("status", Root, "--store", connection, "--schema", _schema, "--run", "nope");
        Assert.Equal(2, unknownRun.ExitCode);
        Assert.Contains("Run 'nope' not found in the store", unknownRun.Error);
    }

    [SkippableFact]
    public async Task A_live_worker_is_the_running_stages_holder_and_once_killed_its_expired_leases_make_the_stage_interrupted()
    {
        var connection = RequireServer();
        var (worker, workerOut, _) = Tool.Start("dotnet", [
            Tool.PostgresWorkerPath, "--connection", connection, "--schema", _schema, "--root", Root, "--run-id", "live",
            "--items", "400", "--delay-ms", "40", "--parallel", "2", "--lease-ms", "900"]);
        using (worker)
        {
            try
            {
                await WaitForAsync(() => Tool.Text(workerOut).Split("WORKED").Length > 3, "the worker's first items");
                var once = await Tool.RunProcessAsync("status", Root, "--store", connection, "--schema", _schema, "--run", "live", "--json");
                Assert.True(once.ExitCode == 0, once.ToString());
                var stage = once.Json().GetProperty("stages")[0];
                Assert.Equal("running", stage.GetProperty("state").GetString());
                Assert.True(stage.GetProperty("running").GetBoolean());
                Shape.Assert(stage.GetProperty("lock"), Shape.Lock, "lock");
                Assert.Equal(worker.Id, stage.GetProperty("lock").GetProperty("pid").GetInt32());
                Assert.True(stage.GetProperty("lock").GetProperty("alive").GetBoolean());
                Assert.Equal(400, stage.GetProperty("items").GetInt32());
            }
            finally
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            // Its leases (900 ms) run out: the worker is dead, the stage interrupted, the dead worker named.
            var after = await StageWhenAsync(connection, "live", stage => stage.GetProperty("state").GetString() == "interrupted", "the killed worker's leases to expire");
            Assert.False(after.GetProperty("running").GetBoolean());
            Assert.Equal(worker.Id, after.GetProperty("lock").GetProperty("pid").GetInt32());
            Assert.False(after.GetProperty("lock").GetProperty("alive").GetBoolean());
            Assert.Equal(int.Parse(await ScalarAsync("select count(*) from {s}.items where state = 'completed'"), CultureInfo.InvariantCulture), after.GetProperty("completed").GetInt32());
        }
    }

    [SkippableFact]
    public async Task Status_lists_every_live_worker_of_a_stage_and_drops_one_once_killed()
    {
        var connection = RequireServer();
        string[] Arguments() => [
            Tool.PostgresWorkerPath, "--connection", connection, "--schema", _schema, "--root", Root, "--run-id", "many",
            "--items", "4000", "--delay-ms", "40", "--parallel", "2", "--lease-ms", "900"];
        // Enough items (a minute or more of work) that the survivor is still running when the killed one's leases expire.
        var (first, firstOut, _) = Tool.Start("dotnet", Arguments());
        var (second, secondOut, _) = Tool.Start("dotnet", Arguments());
        using (first)
        using (second)
        {
            try
            {
                await WaitForAsync(() => Tool.Text(firstOut).Split("WORKED").Length > 3 && Tool.Text(secondOut).Split("WORKED").Length > 3, "both workers' first items");
                var both = (await Tool.RunProcessAsync("status", Root, "--store", connection, "--schema", _schema, "--run", "many", "--json")).Json().GetProperty("stages")[0];
                Assert.Equal("running", both.GetProperty("state").GetString());
                var workers = both.GetProperty("workers").EnumerateArray().ToList();
                foreach (var worker in workers)
                {
                    Shape.Assert(worker, Shape.Lock, "workers[]");
                    Assert.True(worker.GetProperty("alive").GetBoolean());
                }

                Assert.Equal([first.Id, second.Id], workers.Select(w => w.GetProperty("pid").GetInt32()).Order());
                // The holder is the earliest of them, and the table says how many more run.
                Assert.Equal(workers[0].GetProperty("pid").GetInt32(), both.GetProperty("lock").GetProperty("pid").GetInt32());
                var table = await Tool.RunAsync("status", Root, "--store", connection, "--schema", _schema, "--run", "many");
                // The note may wrap inside its cell: compared without spaces and borders.
                Assert.Contains("(+1moreliveworker)", System.Text.RegularExpressions.Regex.Replace(table.Out, @"[\s│]+", ""));

                first.Kill(entireProcessTree: true);
                await first.WaitForExitAsync();

                // Its leases (900 ms) run out: one live worker is left, the survivor, and it holds the stage.
                var after = await StageWhenAsync(
                    connection, "many", stage => stage.GetProperty("workers").EnumerateArray().All(w => w.GetProperty("pid").GetInt32() != first.Id), "the killed worker's leases to expire");
                Assert.Equal(second.Id, Assert.Single(after.GetProperty("workers").EnumerateArray()).GetProperty("pid").GetInt32());
                Assert.Equal(second.Id, after.GetProperty("lock").GetProperty("pid").GetInt32());
                Assert.Equal("running", after.GetProperty("state").GetString());
            }
            finally
            {
                foreach (var worker in new[] { first, second })
                {
                    if (!worker.HasExited)
                    {
                        worker.Kill(entireProcessTree: true);
                        await worker.WaitForExitAsync();
                    }
                }
            }
        }
    }

    /// <summary>The run's first stage as <c>status --json</c> shows it, once <paramref name="done"/> holds for it.</summary>
    private async Task<JsonElement> StageWhenAsync(string connection, string run, Func<JsonElement, bool> done, string what)
    {
        JsonElement stage = default;
        await WaitForAsync(
            () =>
            {
                var result = Tool.RunAsync("status", Root, "--store", connection, "--schema", _schema, "--run", run, "--json").GetAwaiter().GetResult();
                stage = result.Json().GetProperty("stages")[0];
                return done(stage);
            },
            what);
        return stage;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    [SkippableFact]
    public async Task Validate_store_finds_a_tampered_stored_output_and_a_deleted_or_edited_file_copy()
    {
        var connection = RequireServer();
        await using (var store = Store())
        {
            await Pipelines.RunStageAsync(Root, "tranche_7", "ocr", 8, store: store);
        }

        var clean = await Tool.RunProcessAsync("validate", Root, "--store", connection, "--schema", _schema, "--json");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        var report = clean.Json();
        Shape.AssertSchema(report, "checkpointing.cli.validate", Shape.Validate);
        Assert.Equal(0, report.GetProperty("errors").GetInt32());
        Assert.Contains("8 completed, 0 failed, 8 file copies match", report.GetProperty("checked")[0].GetProperty("summary").GetString());

        var outputs = Path.Combine(Root, "tranche_7", "ocr");
        File.Delete(Path.Combine(outputs, "000002.json"));
        var edited = Path.Combine(outputs, "000003.json");
        await File.WriteAllTextAsync(edited, (await File.ReadAllTextAsync(edited)).Replace("text of page 3", "text of page 9", StringComparison.Ordinal));
        // The stored output changed behind the library's back (its hash still records the original).
        await ExecuteAsync("update {s}.items set output = replace(output::text, 'text of page 5', 'TEXT OF PAGE 5')::json where key = '000005'");

        var broken = await Tool.RunProcessAsync("validate", Root, "--store", connection, "--schema", _schema, "--json");
        Assert.True(broken.ExitCode == 1, broken.ToString());
        var findings = broken.Json().GetProperty("findings").EnumerateArray().ToList();
        Shape.AssertEach(broken.Json().GetProperty("findings"), Shape.Finding, "finding");
        Assert.Equal(3, broken.Json().GetProperty("errors").GetInt32());
        Assert.Contains(findings, f => f.GetProperty("key").GetString() == "000002" && f.GetProperty("message").GetString()!.Contains("file copy of the stored output is missing", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.GetProperty("key").GetString() == "000003" && f.GetProperty("file").GetString() == edited && f.GetProperty("message").GetString()!.Contains("differs from the stored output", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.GetProperty("key").GetString() == "000005" && f.GetProperty("message").GetString()!.Contains("does not match its recorded SHA-256", StringComparison.Ordinal));

        var text = await Tool.RunAsync("validate", Root, "--store", connection, "--schema", _schema);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("PROBLEMS FOUND: 3 error(s)", text.Out);
    }

    [Fact]
    public async Task An_unreachable_server_or_a_connection_that_is_not_postgres_is_one_line_and_exit_code_2()
    {
        Directory.CreateDirectory(Root);
        var port = FreePort();
        foreach (var command in new[] { "status", "validate" })
        {
            var down = await Tool.RunProcessAsync(command, Root, "--store", $"postgres://postgres@127.0.0.1:{port}/checkpointing");
            Assert.True(down.ExitCode == 2, down.ToString());
            Assert.Equal("", down.Out);
            var line = Assert.Single(down.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"Cannot read the PostgreSQL checkpoint store at 127.0.0.1:{port}/checkpointing", line);

            var notPostgres = await Tool.RunAsync(command, Root, "--store", "mysql://db/x");
            Assert.Equal(2, notPostgres.ExitCode);
            Assert.Contains("--store 'mysql://db/x' is not a PostgreSQL connection", notPostgres.Error);

            var noDatabase = await Tool.RunAsync(command, Root, "--store", "Host=127.0.0.1");
            Assert.Equal(2, noDatabase.ExitCode);
            Assert.Contains("names no database", noDatabase.Error);
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private string RequireServer()
    {
        Skip.If(
            string.IsNullOrWhiteSpace(_connection),
            $"{Variable} is not set: this test needs a PostgreSQL server. Start one with eval \"$(.ci/postgres-start)\" (README, 'PostgreSQL store'); .ci/run does it in CI.");
        return _connection!;
    }

    private PostgresCheckpointStore Store() => new(_connection!, new PostgresCheckpointStoreOptions { Schema = _schema });

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{s}", _schema, StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{s}", _schema, StringComparison.Ordinal), connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{s}", _schema, StringComparison.Ordinal), connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}
