using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Checkpointing.Hosting;

/// <summary>
/// Runs one <see cref="ICheckpointedJob"/> with the host's stopping token. A stop by the host is not an
/// error: the stages have recorded their runs as cancelled, and the next start resumes.
/// </summary>
internal sealed class CheckpointedJobService<TJob>(IServiceProvider services, CheckpointedJobOptions options) : BackgroundService
    where TJob : class, ICheckpointedJob
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosts before .NET 10 run ExecuteAsync inline up to its first await; yielding lets the host finish starting.
        await Task.Yield();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Checkpointing.Hosting.Job") ?? NullLogger.Instance;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var name = typeof(TJob).Name;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var job = scope.ServiceProvider.GetRequiredService<TJob>();
            logger.LogInformation("Job {Job} started", name);
            await job.RunAsync(stoppingToken).ConfigureAwait(false);
            logger.LogInformation("Job {Job} completed", name);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("Job {Job} was stopped by the host before it finished; every finished item is kept and the next start resumes", name);
            if (options.InterruptedExitCode != 0)
            {
                Environment.ExitCode = options.InterruptedExitCode;
            }

            return;
        }
        catch (Exception e)
        {
            // Not rethrown: what follows a failure is this job's policy, not the host's generic one.
            logger.LogError(e, "Job {Job} failed: {Error}", name, e.Message);
            Environment.ExitCode = options.FailedExitCode;
        }

        if (options.StopHostWhenDone)
        {
            lifetime.StopApplication();
        }
    }
}
