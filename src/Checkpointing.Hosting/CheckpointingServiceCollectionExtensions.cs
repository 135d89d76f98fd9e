using Checkpointing;
using Checkpointing.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Checkpointing.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Checkpointing to an application's services.</summary>
public static class CheckpointingServiceCollectionExtensions
{
    /// <summary>
    /// Adds Checkpointing with its settings bound from the <c>Checkpointing</c> section of
    /// <paramref name="configuration"/> (the app's configuration, or that section itself), then adjusted by
    /// <paramref name="configure"/>. The settings are validated when the host starts.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The app's configuration (e.g. <c>builder.Configuration</c>).</param>
    /// <param name="configure">Applied after binding; code wins over configuration.</param>
    /// <returns>A builder to register stages, jobs and stores.</returns>
    public static ICheckpointingBuilder AddCheckpointing(this IServiceCollection services, IConfiguration configuration, Action<CheckpointingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration is IConfigurationSection { Key: CheckpointingOptions.SectionName } own
            ? own
            : configuration.GetSection(CheckpointingOptions.SectionName);
        var builder = AddCore(services);
        services.AddOptions<CheckpointingOptions>().Bind(section);
        services.AddSingleton(new CheckpointingConfigurationSection(section));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>Adds Checkpointing with its settings set in code. The settings are validated when the host starts.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to register stages, jobs and stores.</returns>
    public static ICheckpointingBuilder AddCheckpointing(this IServiceCollection services, Action<CheckpointingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore(services);
        services.Configure(configure);
        return builder;
    }

    private static CheckpointingBuilder AddCore(IServiceCollection services)
    {
        var builder = new CheckpointingBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(HostedStageRunner)))
        {
            return builder;
        }

        services.AddOptions<CheckpointingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CheckpointingOptions>, CheckpointingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new StageMonitor(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SelectedCheckpointStore>();
        services.TryAddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<SelectedCheckpointStore>().Store);
        services.TryAddSingleton(sp => new HostedStageRunner(
            sp.GetRequiredService<IOptions<CheckpointingOptions>>().Value,
            // The selected store, not any ICheckpointStore an app registered itself: the runner's stages must be monitored.
            sp.GetRequiredService<SelectedCheckpointStore>().Store,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<StageMonitor>()));
        services.TryAddSingleton(sp => new CheckpointOptionsFactory(
            sp.GetRequiredService<IOptions<CheckpointingOptions>>().Value,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetRequiredService<TimeProvider>()));
        builder.AddStore(CheckpointStoreOptions.File, sp => new FileCheckpointStore(
            sp.GetRequiredService<IOptions<CheckpointingOptions>>().Value.Root,
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
