using Checkpointing.Store;
namespace Checkpointing.PostgreSql.Tests;

/// <summary>Claims, leases and fencing, on the journal the runner uses, with two workers in one process.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaimTests
{
    private static readonly HashSet<string> None = [];

    private static async Task<IClaimingCheckpointJournal> OpenAsync(PostgresCheckpointStore store)
    {
        var journal = (IClaimingCheckpointJournal)await store.OpenAsync(
            new CheckpointOpenRequest { RunId = "run1", StageName = "work", OutputDirectory = "work", ItemType = "int" }, CancellationToken.None);
        await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = DateTimeOffset.UtcNow }, AppendDurability.Immediate, CancellationToken.None);
        return journal;
    }

    private static byte[] Output(string key) => System.Text.Encoding.UTF8.GetBytes("{\"key\":\"" + key + "\",\"cost_usd\":0.1,\"output\":{}}");

    [SkippableFact]
    public async Task Two_workers_claim_disjoint_batches_until_nothing_is_left()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var storeA = db.Store(worker: "a");
        await using var storeB = db.Store(worker: "b");
        await using var a = await OpenAsync(storeA);
        await using var b = await OpenAsync(storeB);
        var keys = Enumerable.Range(0, 20).Select(CheckpointKeys.From).ToList();
        await a.RegisterItemsAsync(keys, CancellationToken.None);
        await b.RegisterItemsAsync(keys, CancellationToken.None);

        var seen = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var fromA = await a.ClaimAsync(3, None, CancellationToken.None);
            var fromB = await b.ClaimAsync(3, None, CancellationToken.None);
            Assert.Empty(fromA.Select(c => c.Key).Intersect(fromB.Select(c => c.Key)));
            foreach (var claim in fromA)
            {
                Assert.True(await a.CompleteClaimAsync(claim, Output(claim.Key), 0.1m, 1, CancellationToken.None));
            }

            foreach (var claim in fromB)
            {
                Assert.True(await b.CompleteClaimAsync(claim, Output(claim.Key), 0.1m, 1, CancellationToken.None));
            }

            seen.AddRange(fromA.Concat(fromB).Select(c => c.Key));
        }

        // The last two: a takes them, and b, finding nothing left once a completes them, gets none.
        var last = await a.ClaimAsync(3, None, CancellationToken.None);
        Assert.Equal(2, last.Count);
        foreach (var claim in last)
        {
            Assert.True(await a.CompleteClaimAsync(claim, Output(claim.Key), 0.1m, 1, CancellationToken.None));
        }

        seen.AddRange(last.Select(c => c.Key));
        Assert.Empty(await b.ClaimAsync(3, None, CancellationToken.None));
        Assert.Equal(keys.Order(), seen.Order());
        Assert.Equal(20, await db.ScalarAsync<int>("select count(*) from {s}.items where state = 'completed' and completions = 1 and lease_owner is null"));
    }

    [SkippableFact]
    public async Task An_expired_lease_is_claimed_again_and_the_old_holder_can_no_longer_complete_the_item()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var storeA = db.Store(lease: TimeSpan.FromMilliseconds(400), worker: "a");
        await using var storeB = db.Store(lease: TimeSpan.FromMilliseconds(400), worker: "b");
        await using var b = await OpenAsync(storeB);
        var a = await OpenAsync(storeA);
        await a.RegisterItemsAsync(["k1"], CancellationToken.None);
        var old = Assert.Single(await a.ClaimAsync(1, None, CancellationToken.None));

        // Worker a stops renewing (as a dead or stalled process does): its lease runs out.
        await a.DisposeAsync();
        await db.ExecuteAsync("update {s}.items set state = 'claimed', lease_owner = 'a', lease_expires_at = now() - interval '1 second' where key = 'k1'");
        var taken = Assert.Single(await b.ClaimAsync(1, None, CancellationToken.None));
        Assert.Equal("k1", taken.Key);
        Assert.True(taken.LeaseToken > old.LeaseToken);

        // Fencing: the late holder's completion stores nothing.
        await using var lateA = await OpenAsync(storeA);
        Assert.False(await lateA.CompleteClaimAsync(old, Output("k1"), 0.1m, 1, CancellationToken.None));
        Assert.True(await b.CompleteClaimAsync(taken, Output("k1"), 0.2m, 1, CancellationToken.None));
        Assert.Equal("b", await db.ScalarAsync<string>("select completed_by from {s}.items where key = 'k1'"));
        Assert.Equal(0.2m, await db.ScalarAsync<decimal>("select cost_usd from {s}.items where key = 'k1'"));
        Assert.False(await lateA.CompleteClaimAsync(old, Output("k1"), 0.1m, 1, CancellationToken.None));
        Assert.Equal(1, await db.ScalarAsync<int>("select completions from {s}.items where key = 'k1'"));
    }

    [SkippableFact]
    public async Task A_lease_renewed_by_a_live_worker_is_not_claimed_by_another_and_the_other_waits_for_it()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var storeA = db.Store(lease: TimeSpan.FromMilliseconds(600), worker: "a");
        await using var storeB = db.Store(lease: TimeSpan.FromMilliseconds(600), worker: "b");
        await using var a = await OpenAsync(storeA);
        await using var b = await OpenAsync(storeB);
        await a.RegisterItemsAsync(["k1"], CancellationToken.None);
        var claim = Assert.Single(await a.ClaimAsync(1, None, CancellationToken.None));

        // b waits while a holds the only item; a's renewals outlast several lease durations.
        var waiting = b.ClaimAsync(1, None, CancellationToken.None).AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(2000));
        Assert.False(waiting.IsCompleted);
        Assert.True(await a.CompleteClaimAsync(claim, Output("k1"), 0.1m, 1, CancellationToken.None));

        // Once a completes it, nothing is left: b's claim ends empty rather than waiting on.
        Assert.Empty(await db.WithinAsync(waiting, "worker b's claim after a completed the only item"));
        Assert.Equal("a", await db.ScalarAsync<string>("select completed_by from {s}.items where key = 'k1'"));
    }

    [SkippableFact]
    public async Task A_released_claim_is_claimable_at_once_and_a_failed_item_waits_for_the_next_run()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var storeA = db.Store(worker: "a");
        await using var storeB = db.Store(worker: "b");
        await using var a = await OpenAsync(storeA);
        await using var b = await OpenAsync(storeB);
        await a.RegisterItemsAsync(["k1", "k2"], CancellationToken.None);
        var claims = await a.ClaimAsync(2, None, CancellationToken.None);
        Assert.Equal(2, claims.Count);
        await a.ReleaseAsync(claims.Single(c => c.Key == "k1"), CancellationToken.None);
        await a.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.ItemFailed, At = DateTimeOffset.UtcNow, Key = "k2", Error = "boom", CostUsd = 0.3m }, AppendDurability.Policy, CancellationToken.None);

        Assert.Equal(["k1"], (await b.ClaimAsync(5, None, CancellationToken.None)).Select(c => c.Key));
        Assert.Equal("failed", await db.ScalarAsync<string>("select state from {s}.items where key = 'k2'"));

        // A worker that starts a run registers its keys: the failed item becomes claimable again.
        await b.RegisterItemsAsync(["k1", "k2"], CancellationToken.None);
        Assert.Equal(["k2"], (await b.ClaimAsync(5, None, CancellationToken.None)).Select(c => c.Key));
        Assert.Equal(0.3m, await db.ScalarAsync<decimal>("select failed_cost_usd from {s}.items where key = 'k2'"));
    }

    [SkippableFact]
    public async Task Keys_a_worker_excludes_are_left_to_the_others()
    {
        await using var db = PostgresTestDatabase.Create();
        await using var store = db.Store(worker: "a");
        await using var a = await OpenAsync(store);
        await a.RegisterItemsAsync(["k1", "k2"], CancellationToken.None);
        var claims = await a.ClaimAsync(5, new HashSet<string> { "k2" }, CancellationToken.None);
        Assert.Equal(["k1"], claims.Select(c => c.Key));
        Assert.True(await a.CompleteClaimAsync(claims[0], Output("k1"), 0.1m, 1, CancellationToken.None));
        Assert.Empty(await a.ClaimAsync(5, new HashSet<string> { "k2" }, CancellationToken.None));
        Assert.Equal("pending", await db.ScalarAsync<string>("select state from {s}.items where key = 'k2'"));
    }

    [SkippableFact]
    public async Task A_claim_whose_answer_is_lost_after_its_commit_is_not_renewed_and_comes_back_when_its_lease_expires()
    {
        // The hang this guards against: the lost claim's items were renewed by the worker's own renewal loop, so
        // the worker waited forever for items nobody would ever process.
        await using var db = PostgresTestDatabase.Create();
        await using var proxy = new LosingProxy(db.ConnectionString);
        await using var store = db.Store(lease: TimeSpan.FromMilliseconds(900), worker: "a", connectionString: proxy.ConnectionString);
        await using var a = await OpenAsync(store);
        await a.RegisterItemsAsync(["k1", "k2", "k3", "k4"], CancellationToken.None);

        proxy.Arm();
        var claims = await db.WithinAsync(a.ClaimAsync(2, None, CancellationToken.None).AsTask(), "the claim retried after its answer was cut");
        Assert.Equal(1, proxy.Cuts);
        Assert.Equal(2, claims.Count);

        // The first attempt committed its claim of two other items: they are this worker's on the server, but
        // the runner never saw them.
        var lost = (await db.ScalarAsync<string>("select string_agg(key, ',' order by key) from {s}.items where state = 'claimed'")).Split(',').Except(claims.Select(c => c.Key)).ToList();
        Assert.Equal(2, lost.Count);
        foreach (var claim in claims)
        {
            Assert.True(await a.CompleteClaimAsync(claim, Output(claim.Key), 0.1m, 1, CancellationToken.None));
        }

        // Several renewal periods later the lost claims have expired (not renewed) and are claimed again.
        var again = await db.WithinAsync(a.ClaimAsync(2, None, CancellationToken.None).AsTask(), "the claim of the items whose first claim was lost (their lease must expire)", TimeSpan.FromSeconds(60));
        Assert.Equal(lost, again.Select(c => c.Key).Order());
        foreach (var claim in again)
        {
            Assert.True(await a.CompleteClaimAsync(claim, Output(claim.Key), 0.1m, 1, CancellationToken.None));
        }

        Assert.Empty(await db.WithinAsync(a.ClaimAsync(2, None, CancellationToken.None).AsTask(), "the last claim (nothing left)"));
        Assert.Equal(4, await db.ScalarAsync<int>("select count(*) from {s}.items where state = 'completed' and completions = 1"));
    }
}
