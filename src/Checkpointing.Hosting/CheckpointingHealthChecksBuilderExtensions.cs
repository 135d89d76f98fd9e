using Checkpointing.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Checkpointing health check.</summary>
public static class CheckpointingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that reports each running stage's progress, its lock and the age of its last
    /// mark: <c>Degraded</c> and then unhealthy (<paramref name="failureStatus"/>) when a stage has marked
    /// nothing for <c>Checkpointing:Health:DegradedAfter</c> and <c>UnhealthyAfter</c>. Needs <c>AddCheckpointing</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Defaults to <c>checkpointing</c>.</param>
    /// <param name="failureStatus">The status reported past <c>UnhealthyAfter</c>; defaults to <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>live</c>).</param>
    public static IHealthChecksBuilder AddCheckpointing(this IHealthChecksBuilder builder, string name = "checkpointing", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CheckpointingHealthCheck>(name, failureStatus, tags ?? []);
    }
}
