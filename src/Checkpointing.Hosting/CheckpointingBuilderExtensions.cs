using System.Diagnostics.CodeAnalysis;
using Checkpointing;
using Checkpointing.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Checkpointing.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers stages, hosted jobs and checkpoint stores on an <see cref="ICheckpointingBuilder"/>.</summary>
public static class CheckpointingBuilderExtensions
{
    /// <summary>
    /// Makes <typeparamref name="TStage"/> (e.g. a <c>[Checkpointed]</c> class) resolvable with its constructor
    /// dependencies, as a transient service.
    /// </summary>
    public static ICheckpointingBuilder AddStage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStage>(this ICheckpointingBuilder builder)
        where TStage : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddTransient<TStage>();
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="TJob"/> in a hosted <c>BackgroundService</c> when the host starts. Host
    /// shutdown (SIGTERM, Ctrl+C, <c>IHostApplicationLifetime.StopApplication</c>) cancels it: its stages end
    /// as <c>cancelled</c> with every finished item kept, and the next start resumes. The job is resolved
    /// in its own scope, with its constructor dependencies.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets what happens when the job ends (see <see cref="CheckpointedJobOptions"/>).</param>
    public static ICheckpointingBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(
        this ICheckpointingBuilder builder, Action<CheckpointedJobOptions>? configure = null)
        where TJob : class, ICheckpointedJob
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddTransient<TJob>();
        var options = new CheckpointedJobOptions();
        configure?.Invoke(options);
        builder.Services.AddHostedService(services => new CheckpointedJobService<TJob>(services, options));
        return builder;
    }

    /// <summary>
    /// Registers a checkpoint store under <paramref name="name"/>, selected when <c>Checkpointing:Store:Type</c>
    /// names it (case-insensitive). The file store is registered as <c>File</c>; a database store
    /// package adds itself this way. The factory runs once, when the store is first needed.
    /// </summary>
    public static ICheckpointingBuilder AddStore(this ICheckpointingBuilder builder, string name, Func<IServiceProvider, ICheckpointStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(new CheckpointStoreRegistration(name, factory));
        return builder;
    }
}
