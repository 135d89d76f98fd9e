using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Checkpointing.Store;

namespace Checkpointing.Hosting;

/// <summary>A checkpoint store that <c>Checkpointing:Store:Type</c> can name.</summary>
internal sealed record CheckpointStoreRegistration(string Name, Func<IServiceProvider, ICheckpointStore> Factory);

/// <summary>A configuration section bound to <see cref="CheckpointingOptions"/>, kept to check its keys.</summary>
internal sealed record CheckpointingConfigurationSection(IConfigurationSection Section);

/// <summary>
/// The store named by <c>Checkpointing:Store:Type</c>, created once and wrapped so that
/// <see cref="StageMonitor"/> sees every stage opened through it.
/// </summary>
internal sealed class SelectedCheckpointStore
{
    public SelectedCheckpointStore(IServiceProvider services, IOptions<CheckpointingOptions> options, IEnumerable<CheckpointStoreRegistration> registrations, StageMonitor monitor)
    {
        var type = options.Value.Store.Type;

        // The last registration of a name wins, as with services: an app can replace a store's factory.
        var registration = registrations.LastOrDefault(r => string.Equals(r.Name, type, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"{CheckpointingOptions.SectionName}:Store:Type '{type}' is not a registered checkpoint store.");
        var store = registration.Factory(services)
            ?? throw new InvalidOperationException($"The factory of checkpoint store '{registration.Name}' returned null.");
        Store = new MonitoredCheckpointStore(store, monitor);
    }

    public ICheckpointStore Store { get; }
}
