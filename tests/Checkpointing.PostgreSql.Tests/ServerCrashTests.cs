using System.Collections.Concurrent;
using System.Diagnostics;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>
/// The server's own crash: <c>pg_ctl stop -m immediate</c> (no shutdown checkpoint, as a power cut or a kill -9 of
/// the postmaster) in the middle of a run, then a start. Needs control of the test cluster: the variables
/// <c>CHECKPOINTING_POSTGRES_BIN</c> and <c>CHECKPOINTING_POSTGRES_DATA</c> that .ci/postgres-start prints.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ServerCrashTests(ITestOutputHelper output)
{
    /// <summary>pg_ctl waits at most 60 s itself (PGCTLTIMEOUT) for a start or a stop.</summary>
    private static readonly TimeSpan PgCtlLimit = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task A_server_crash_in_the_middle_of_a_run_loses_no_completed_item()
    {
        await using var db = PostgresTestDatabase.Create();
        var bin = Environment.GetEnvironmentVariable("CHECKPOINTING_POSTGRES_BIN");
        var data = Environment.GetEnvironmentVariable("CHECKPOINTING_POSTGRES_DATA");
        Skip.If(
            string.IsNullOrEmpty(bin) || string.IsNullOrEmpty(data),
            "CHECKPOINTING_POSTGRES_BIN and CHECKPOINTING_POSTGRES_DATA are not set: this test stops and starts the test server, so it needs the cluster .ci/postgres-start created.");

        const int items = 800;
        await using var store = db.Store(retries: 12);
        output.WriteLine("server log: " + Path.Combine(Path.GetDirectoryName(data)!, "server.log"));
        var confirmed = new ConcurrentQueue<string>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SyncProgress(p =>
        {
            if (p.LastKey is { } key && !p.LastFailed)
            {
                confirmed.Enqueue(key);
                if (confirmed.Count >= 200)
                {
                    reached.TrySetResult();
                }
            }
        });
        var run = Task.Run(() => StageRunner.RunAsync(
            TestStage.Definition(before: (_, _, ct) => Task.Delay(2, ct)), Enumerable.Range(0, items),
            new StageRunOptions { Root = db.Root, RunId = "run1", Store = store, MaxDegreeOfParallelism = 4, ItemFailurePolicy = ItemFailurePolicy.SkipItem, Progress = progress, Logger = db.Log }));
        await db.WithinAsync(Task.WhenAny(reached.Task, run), "the first 200 completions before the crash");
        Assert.False(run.IsCompleted && !reached.Task.IsCompleted, "the run ended before 200 completions: " + (run.Exception?.ToString() ?? "no error"));

        // Every item reported complete before the crash must survive it.
        var before = confirmed.ToHashSet(StringComparer.Ordinal);
        await PgCtlAsync(bin!, $"-D {data} stop -m immediate");
        await PgCtlAsync(bin!, $"-D {data} -l {Path.Combine(Path.GetDirectoryName(data)!, "server.log")} -w start");

        try
        {
            var result = await db.WithinAsync(run, "the run across the server's crash and restart");
            output.WriteLine($"the run bridged the restart: {result.Processed} processed, {result.Failed} failed");
        }
        catch (StageFailedException e)
        {
            // Retries can run out while the server recovers: the worker stops claiming and says why.
            output.WriteLine("the run stopped: " + e.Message);
        }

        output.WriteLine(db.Log.Tail(30));

        Npgsql.NpgsqlConnection.ClearAllPools();
        var keys = string.Join(",", before.Select(k => $"'{k}'"));
        Assert.Equal(before.Count, await db.ScalarAsync<int>($"select count(*) from {{s}}.items where state = 'completed' and key in ({keys})"));

        // A rerun finishes the stage: each item completed once.
        await using var again = db.Store();
        await db.RunAsync(TestStage.Definition(), Enumerable.Range(0, items), new StageRunOptions { Root = db.Root, RunId = "run1", Store = again, MaxDegreeOfParallelism = 4, Logger = db.Log }, "the rerun after the crash");
        Assert.Equal(items, await db.ScalarAsync<int>("select count(*) from {s}.items where state = 'completed' and completions = 1"));
    }

    [SkippableFact]
    public async Task A_worker_that_cannot_reach_the_server_stops_claiming_says_why_and_loses_no_completed_item()
    {
        await using var db = PostgresTestDatabase.Create();
        var (bin, data) = Cluster();
        await using var store = db.Store(retries: 2);
        var confirmed = new ConcurrentQueue<string>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SyncProgress(p =>
        {
            if (p.LastKey is { } key && !p.LastFailed)
            {
                confirmed.Enqueue(key);
                if (confirmed.Count >= 100)
                {
                    reached.TrySetResult();
                }
            }
        });
        var run = Task.Run(() => StageRunner.RunAsync(
            TestStage.Definition(before: (_, _, ct) => Task.Delay(2, ct)), Enumerable.Range(0, 2000),
            new StageRunOptions { Root = db.Root, RunId = "run1", Store = store, MaxDegreeOfParallelism = 4, ItemFailurePolicy = ItemFailurePolicy.SkipItem, Progress = progress, Logger = db.Log }));
        await db.WithinAsync(Task.WhenAny(reached.Task, run), "the first 100 completions before the server stops");
        Assert.False(run.IsCompleted && !reached.Task.IsCompleted, "the run ended before 100 completions: " + (run.Exception?.ToString() ?? "no error"));
        await PgCtlAsync(bin, $"-D {data} stop -m immediate");
        StageFailedException error;
        try
        {
            error = await Assert.ThrowsAsync<StageFailedException>(() => db.WithinAsync(run, "the run after the server stopped (it must give up and fail)"));
        }
        finally
        {
            await PgCtlAsync(bin, $"-D {data} -l {Path.Combine(Path.GetDirectoryName(data)!, "server.log")} -w start");
        }

        output.WriteLine(error.Message);
        Assert.IsType<PostgresStoreUnavailableException>(error.InnerException);
        Assert.Contains("could not", error.InnerException!.Message);
        Assert.Contains("stopped claiming items; items already completed are stored in the database and are not lost", error.InnerException.Message);
        Assert.InRange(error.Result.Processed, 100, 1999);

        Npgsql.NpgsqlConnection.ClearAllPools();
        var keys = string.Join(",", confirmed.Select(k => $"'{k}'"));
        Assert.Equal(confirmed.Count, await db.ScalarAsync<int>($"select count(*) from {{s}}.items where state = 'completed' and key in ({keys})"));
    }

    private static (string Bin, string Data) Cluster()
    {
        var bin = Environment.GetEnvironmentVariable("CHECKPOINTING_POSTGRES_BIN");
        var data = Environment.GetEnvironmentVariable("CHECKPOINTING_POSTGRES_DATA");
        Skip.If(
            string.IsNullOrEmpty(bin) || string.IsNullOrEmpty(data),
            "CHECKPOINTING_POSTGRES_BIN and CHECKPOINTING_POSTGRES_DATA are not set: this test stops and starts the test server, so it needs the cluster .ci/postgres-start created.");
        return (bin!, data!);
    }

    private static async Task PgCtlAsync(string bin, string arguments)
    {
        // pg_ctl refuses to run as root: the cluster of .ci/postgres-start belongs to the postgres user then.
        var root = Environment.UserName == "root";
        var info = new ProcessStartInfo(root ? "runuser" : Path.Combine(bin, "pg_ctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (root)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", Path.Combine(bin, "pg_ctl") })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in arguments.Split(' '))
        {
            info.ArgumentList.Add(arg);
        }

        // Both streams are read at once (one left unread could fill its pipe and block pg_ctl), and every wait is bounded.
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(PgCtlLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await Task.WhenAll(stdout, stderr).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pg_ctl {arguments} did not finish within {PgCtlLimit.TotalSeconds:0} s (or a process it started holds its output open).");
        }

        Assert.True(process.ExitCode == 0, $"pg_ctl {arguments} failed ({process.ExitCode}): {await stdout}{await stderr}");
    }

    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
