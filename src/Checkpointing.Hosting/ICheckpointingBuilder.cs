using Microsoft.Extensions.DependencyInjection;

namespace Checkpointing.Hosting;

/// <summary>
/// Returned by <c>services.AddCheckpointing(...)</c> to register stages, jobs and checkpoint stores
/// (see <see cref="CheckpointingBuilderExtensions"/>).
/// </summary>
public interface ICheckpointingBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

internal sealed class CheckpointingBuilder(IServiceCollection services) : ICheckpointingBuilder
{
    public IServiceCollection Services { get; } = services;
}
