using Checkpointing.Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Checkpointing.Hosting.Tests;

public sealed class HealthCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_stage_that_stops_marking_items_turns_degraded_then_unhealthy_and_healthy_again_when_it_moves()
    {
        var start = new DateTimeOffset(2030, 5, 6, 7, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var gate = new PageGate(limit: 3);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(gate);
        services.AddCheckpointing(o =>
        {
            o.Root = _temp.Path;
            o.RunId = "scan-9";
            o.Health.DegradedAfter = TimeSpan.FromMinutes(2);
            o.Health.UnhealthyAfter = TimeSpan.FromMinutes(10);
        }).AddStage<PagesStage>();
        services.AddHealthChecks().AddCheckpointing();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        var monitor = provider.GetRequiredService<StageMonitor>();

        var idle = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, idle.Status);
        Assert.Equal("No stage is running.", idle.Entries["checkpointing"].Description);

        using var stop = new CancellationTokenSource();
        var run = provider.GetRequiredService<HostedStageRunner>().RunAsync(
            provider.GetRequiredService<PagesStage>().CreateDefinition(), Enumerable.Range(1, 10), cancellationToken: stop.Token);
        await Wait.UntilAsync(() => monitor.GetRunningStages() is [{ Progress.Processed: 3 }], "three pages are marked");

        var busy = (await health.CheckHealthAsync()).Entries["checkpointing"];
        Assert.Equal(HealthStatus.Healthy, busy.Status);
        Assert.Contains("scan-9/pages: 3/10 done (3 this run, 0 failed), last mark 0 s ago", busy.Description);
        Assert.Contains($"lock held by pid {Environment.ProcessId} on {Environment.MachineName} since 2030-05-06 07:00:00Z", busy.Description);
        var stage = Assert.IsType<RunningStage>(busy.Data["scan-9/pages"]);
        Assert.Equal(start, stage.LockHeldSince);
        Assert.Equal(start, stage.LastMarkAt);
        Assert.Equal(3, stage.MarkedThisRun);

        time.Advance(TimeSpan.FromMinutes(2));
        var slow = (await health.CheckHealthAsync()).Entries["checkpointing"];
        Assert.Equal(HealthStatus.Degraded, slow.Status);
        Assert.Contains("(degraded: no mark for 120 s)", slow.Description);

        time.Advance(TimeSpan.FromMinutes(8));
        var stuck = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Contains("(unhealthy: no mark for 600 s)", stuck.Entries["checkpointing"].Description);

        gate.OpenUpTo(4);
        await Wait.UntilAsync(() => monitor.GetRunningStages() is [{ Progress.Processed: 4 }], "the fourth page is marked");
        var moving = (await health.CheckHealthAsync()).Entries["checkpointing"];
        Assert.Equal(HealthStatus.Healthy, moving.Status);
        Assert.Equal(start.AddMinutes(10), Assert.IsType<RunningStage>(moving.Data["scan-9/pages"]).LastMarkAt);

        await stop.CancelAsync();
        await Assert.ThrowsAsync<StageCanceledException>(() => run);
        Assert.Empty(monitor.GetRunningStages());
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task A_stage_that_marks_nothing_after_its_start_is_measured_from_its_lock()
    {
        var start = new DateTimeOffset(2030, 5, 6, 7, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(new PageGate(limit: 0));
        services.AddCheckpointing(o =>
        {
            o.Root = _temp.Path;
            o.RunId = "scan-10";
        }).AddStage<PagesStage>();
        services.AddHealthChecks().AddCheckpointing(failureStatus: HealthStatus.Degraded);
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<StageMonitor>();

        using var stop = new CancellationTokenSource();
        var run = provider.GetRequiredService<HostedStageRunner>().RunAsync(
            provider.GetRequiredService<PagesStage>().CreateDefinition(), [1, 2], cancellationToken: stop.Token);
        await Wait.UntilAsync(() => monitor.GetRunningStages() is [{ Progress: not null }], "the stage reports its start");
        time.Advance(TimeSpan.FromMinutes(30));

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["checkpointing"];
        Assert.Equal(HealthStatus.Degraded, entry.Status); // the registration's failure status
        Assert.Contains("scan-10/pages: 0/2 done (0 this run, 0 failed), no item marked in the 1800 s since its start", entry.Description);

        await stop.CancelAsync();
        await Assert.ThrowsAsync<StageCanceledException>(() => run);
    }
}
