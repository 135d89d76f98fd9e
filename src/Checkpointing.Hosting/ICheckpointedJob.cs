using Microsoft.Extensions.DependencyInjection;

namespace Checkpointing.Hosting;

/// <summary>
/// A batch job (typically a few stages run one after another through <see cref="HostedStageRunner"/>) run
/// by the host once it starts; register it with <see cref="CheckpointingBuilderExtensions.AddJob"/>.
/// </summary>
public interface ICheckpointedJob
{
    /// <summary>
    /// Runs the job. <paramref name="cancellationToken"/> is the host's stopping token: pass it to every
    /// stage so that host shutdown ends the runs as <c>cancelled</c> with every finished item kept.
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>What a hosted <see cref="ICheckpointedJob"/> does when it ends.</summary>
public sealed class CheckpointedJobOptions
{
    /// <summary>
    /// True (default): the host stops when the job completes or fails, like a command-line batch run.
    /// False: the host keeps running (e.g. a web app that also runs a job).
    /// </summary>
    public bool StopHostWhenDone { get; set; } = true;

    /// <summary>
    /// The process exit code (<see cref="Environment.ExitCode"/>) set when the job fails. Defaults to 1, so
    /// systemd's <c>Restart=on-failure</c> or a container orchestrator sees the failure.
    /// </summary>
    public int FailedExitCode { get; set; } = 1;

    /// <summary>
    /// The exit code set when host shutdown stopped the job before it finished. Defaults to 0 (a clean stop,
    /// as systemd expects after SIGTERM); set a non-zero code (e.g. 75) where an orchestrator must run the job
    /// again until it completes, such as a Kubernetes Job.
    /// </summary>
    public int InterruptedExitCode { get; set; }
}
