using System.Security.Cryptography;
using Npgsql;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>Several real worker processes share one stage; one is killed and another loses its connection.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiProcessTests(ITestOutputHelper output)
{
    private const int Items = 2000;

    [SkippableFact]
    public async Task Four_workers_share_a_stage_one_killed_and_one_cut_off_and_every_item_completes_exactly_once()
    {
        await using var db = PostgresTestDatabase.Create();
        string[] Args() => ["--items", Items.ToString(), "--delay-ms", "3", "--parallel", "4", "--lease-ms", "1500"];

        // The four start together (each waits for the go file): on a loaded machine one worker's start-up can take
        // seconds, and the others would otherwise have finished most of the stage before it is killed or cut.
        var go = Path.Combine(db.Root, "go");
        Directory.CreateDirectory(db.Root);
        var workers = Enumerable.Range(0, 4).Select(i => PostgresWorker.Start(db, $"ckpt-{db.Schema}-w{i}", [.. Args(), "--go-file", go])).ToList();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                await workers[i].WaitForLineAsync("READY", TimeSpan.FromSeconds(90));
            }

            await File.WriteAllTextAsync(go, "go");

            // Worker 0 dies mid-run with claims in hand: its leases expire and the others take its items.
            async Task KillAsync()
            {
                await workers[0].WaitUntilAsync(w => w.Count(PostgresWorker.Worked) >= 50, TimeSpan.FromSeconds(60), "worker 0 working its 50th item");
                workers[0].Kill();
            }

            // Worker 1 loses its database connections (as on a network cut or a server-side kill): it retries.
            async Task<int> CutAsync()
            {
                await workers[1].WaitUntilAsync(w => w.Count(PostgresWorker.Worked) >= 50, TimeSpan.FromSeconds(60), "worker 1 working its 50th item");
                var terminated = await db.ScalarAsync<int>($"select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'ckpt-{db.Schema}-w1') t");
                Assert.True(terminated > 0, "worker 1 had no connection to terminate");
                output.WriteLine($"worker 1 cut off with {await db.ScalarAsync<int>("select count(*) from {s}.items where state <> 'completed'")} items not completed");
                return workers[1].Count(PostgresWorker.Worked);
            }

            var cut = CutAsync();
            await KillAsync();
            var workedBeforeCut = await cut;

            for (var i = 1; i < 4; i++)
            {
                var code = await workers[i].WaitForExitAsync(TimeSpan.FromSeconds(120));
                output.WriteLine($"worker {i}: exit {code}, worked {workers[i].Count(PostgresWorker.Worked)}\n{workers[i].Output}");
                Assert.True(code == 0, $"worker {i} exited with {code}:\n{workers[i].Output}");
            }

            Assert.True(workers[1].Count(PostgresWorker.Worked) > workedBeforeCut, "worker 1 did no work after its connections were cut");
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }

        // Every item completed exactly once, by an output that is its own and valid, at its own cost.
        Assert.Equal(Items, await db.ScalarAsync<int>("select count(*) from {s}.items"));
        Assert.Equal(Items, await db.ScalarAsync<int>("select count(*) from {s}.items where state = 'completed' and completions = 1"));
        Assert.Equal(Items, await db.ScalarAsync<int>("select count(*) from {s}.items where output->>'key' = key and output->'output'->>'Text' = 'item ' || key::int"));
        Assert.Equal(Items, await db.ScalarAsync<int>("select count(*) from {s}.items where cost_usd = 0.001 * ((key::int % 7) + 1)"));

        // No lease left behind.
        Assert.Equal(0, await db.ScalarAsync<int>("select count(*) from {s}.items where lease_owner is not null or lease_expires_at is not null"));

        // The accumulated cost is the sum of the items' costs (completions plus work lost with a lease), and the
        // runs' own tallies, kept apart by each worker, agree with it.
        await using var store = db.Store();
        var state = (await store.ReadStateAsync("shared", "work"))!;
        var itemCosts = await db.ScalarAsync<decimal>("select sum(cost_usd + failed_cost_usd + earlier_cost_usd) from {s}.items");
        Assert.Equal(itemCosts, state.TotalCostUsd);
        Assert.Equal(Enumerable.Range(0, Items).Sum(i => 0.001m * ((i % 7) + 1)) + await db.ScalarAsync<decimal>("select sum(failed_cost_usd) from {s}.items"), state.TotalCostUsd);
        Assert.Equal(state.TotalCostUsd, state.Runs.Sum(r => r.CostUsd));
        Assert.Equal(Items, state.Runs.Sum(r => r.Processed));

        // A fifth worker finds nothing to do, and closes the killed worker's run as interrupted.
        using var last = PostgresWorker.Start(db, $"ckpt-{db.Schema}-w4", Args());
        Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"RESULT processed=0 skipped={Items} status=Completed", last.Output);
        state = (await store.ReadStateAsync("shared", "work"))!;
        Assert.Equal(RunStatus.Interrupted, Assert.Single(state.Runs, r => r.Status != RunStatus.Completed).Status);
        Assert.Equal(StageStatus.Completed, state.Status);

        // The shared output folder holds each stored output, byte for byte (the fifth worker wrote back the copies
        // of items whose completion committed just before worker 0 was killed, before it could write the file).
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select key, output_sha256 from {db.Schema}.items", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var file = Path.Combine(db.Root, "shared", "work", reader.GetString(0) + ".json");
                Assert.Equal(reader.GetFieldValue<byte[]>(1), SHA256.HashData(await File.ReadAllBytesAsync(file)));
            }
        }
    }

    [SkippableFact]
    public async Task Workers_sharing_a_stage_stop_together_when_the_stage_reaches_its_budget()
    {
        await using var db = PostgresTestDatabase.Create();

        // Item i costs 0.001 * (i % 7 + 1), at most $0.007. A worker has at most `parallel` items in work and as many
        // being saved, whose cost the others cannot see yet: the stage may overshoot its cap by that much per worker.
        const int workers = 3, parallel = 2;
        const decimal maxItemCost = 0.007m;
        const decimal overshoot = workers * 2 * parallel * maxItemCost;

        async Task<decimal> RunTogetherAsync(string runId, string budgetOption, decimal cap)
        {
            var go = Path.Combine(db.Root, runId + ".go");
            Directory.CreateDirectory(db.Root);
            var started = Enumerable.Range(0, workers)
                .Select(i => PostgresWorker.Start(db, $"ckpt-{db.Schema}-{runId}-{i}", "--run-id", runId, "--items", "2000", "--delay-ms", "30", "--parallel", parallel.ToString(), budgetOption, cap.ToString(System.Globalization.CultureInfo.InvariantCulture), "--go-file", go))
                .ToList();
            try
            {
                for (var i = 0; i < workers; i++)
                {
                    await started[i].WaitForLineAsync("READY", TimeSpan.FromSeconds(90));
                }

                await File.WriteAllTextAsync(go, "go");
                for (var i = 0; i < workers; i++)
                {
                    var code = await started[i].WaitForExitAsync(TimeSpan.FromSeconds(120));
                    output.WriteLine($"{runId} worker {i}: exit {code}, worked {started[i].Count(PostgresWorker.Worked)}\n{started[i].Output}");
                    Assert.True(code == 4, $"{runId} worker {i} exited with {code}, not 4 (stopped by the budget):\n{started[i].Output}");
                    Assert.Contains($"Budget of ${cap.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} reached", started[i].Output);
                }
            }
            finally
            {
                foreach (var worker in started)
                {
                    worker.Dispose();
                }
            }

            // What the database records for the stage: every item's completed work and failed attempts.
            return await db.ScalarAsync<decimal>($"select coalesce(sum(coalesce(cost_usd, 0) + failed_cost_usd + earlier_cost_usd), 0) from {{s}}.items where run_id = '{runId}'");
        }

        // The per-run budget caps what the workers running together spend; each alone would have spent it.
        var perRun = await RunTogetherAsync("per-run", "--budget", 0.10m);
        output.WriteLine($"per-run cap $0.10: the stage spent ${perRun}");
        Assert.InRange(perRun, 0.10m, 0.10m + overshoot);

        // The total budget caps the stage's spending across runs: a second round under a higher cap goes on from
        // what the first spent, and stops at the new cap.
        var total = await RunTogetherAsync("total", "--total-budget", 0.15m);
        output.WriteLine($"total cap $0.15: the stage spent ${total}");
        Assert.InRange(total, 0.15m, 0.15m + overshoot);
        var more = await RunTogetherAsync("total", "--total-budget", 0.30m);
        output.WriteLine($"total cap $0.30 after $0.15: the stage spent ${more}");
        Assert.InRange(more, 0.30m, 0.30m + overshoot);
    }
}
