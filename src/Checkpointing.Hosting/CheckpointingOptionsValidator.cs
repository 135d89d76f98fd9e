using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Checkpointing.Hosting;

/// <summary>
/// Checks <see cref="CheckpointingOptions"/> when the host starts, so a wrong setting stops the app before
/// any work is done, with one message per problem naming the key, its value and what is accepted.
/// </summary>
internal sealed class CheckpointingOptionsValidator(IEnumerable<CheckpointStoreRegistration> stores, IEnumerable<CheckpointingConfigurationSection> sections) : IValidateOptions<CheckpointingOptions>
{
    private const string Prefix = CheckpointingOptions.SectionName + ":";

    // The keys of the section; a new section (e.g. Phases, SharedFiles) is added here with its property.
    private static readonly string[] KnownKeys =
    [
        nameof(CheckpointingOptions.Root), nameof(CheckpointingOptions.RunId), nameof(CheckpointingOptions.Resume),
        nameof(CheckpointingOptions.MaxDegreeOfParallelism), nameof(CheckpointingOptions.CommitPolicy),
        nameof(CheckpointingOptions.CommitItems), nameof(CheckpointingOptions.CommitInterval),
        nameof(CheckpointingOptions.ItemFailurePolicy), nameof(CheckpointingOptions.ValidateOutputsOnResume),
        nameof(CheckpointingOptions.StrictCheckpoint), nameof(CheckpointingOptions.Stages), nameof(CheckpointingOptions.Store),
        nameof(CheckpointingOptions.Health),
    ];

    private static readonly string[] StageKeys =
    [
        nameof(StageSettings.Resume), nameof(StageSettings.MaxDegreeOfParallelism), nameof(StageSettings.CommitPolicy),
        nameof(StageSettings.CommitItems), nameof(StageSettings.CommitInterval), nameof(StageSettings.ItemFailurePolicy),
        nameof(StageSettings.ValidateOutputsOnResume), nameof(StageSettings.StrictCheckpoint),
    ];

    public ValidateOptionsResult Validate(string? name, CheckpointingOptions options)
    {
        var errors = new List<string>();
        foreach (var section in sections)
        {
            AddUnknownKeys(section.Section, errors);
        }

        if (GetRootProblem(options.Root) is { } rootProblem)
        {
            errors.Add(rootProblem);
        }

        if (options.RunId is { } runId && CheckpointKeys.GetProblem(runId) is { } runIdProblem)
        {
            errors.Add($"{Prefix}RunId '{runId}' cannot be used as a folder name: {runIdProblem}.");
        }

        var before = errors.Count;
        AddRunSettingsProblems(RunSettings.For(options, null), errors);

        // A stage's settings are checked once the defaults they fall back on are right, so one bad default is one message.
        foreach (var stageName in (options.Stages?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
        {
            if (CheckpointKeys.GetProblem(stageName) is { } stageProblem)
            {
                errors.Add($"{Prefix}Stages:{stageName} does not name a stage: {stageProblem}.");
            }
            else if (errors.Count == before)
            {
                AddRunSettingsProblems(RunSettings.For(options, stageName), errors);
            }
        }

        var storeType = options.Store?.Type;
        if (!stores.Any(s => string.Equals(s.Name, storeType, StringComparison.OrdinalIgnoreCase)))
        {
            var known = string.Join(", ", stores.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase));
            errors.Add($"{Prefix}Store:Type '{storeType}' is not a registered checkpoint store; registered: {known}. Register another store with AddCheckpointing(...).AddStore(name, factory).");
        }

        var health = options.Health ?? new CheckpointingHealthOptions();
        if (health.DegradedAfter <= TimeSpan.Zero)
        {
            errors.Add($"{Prefix}Health:DegradedAfter must be positive; it is {health.DegradedAfter:c}.");
        }

        if (health.UnhealthyAfter <= health.DegradedAfter)
        {
            errors.Add($"{Prefix}Health:UnhealthyAfter ({health.UnhealthyAfter:c}) must be greater than {Prefix}Health:DegradedAfter ({health.DegradedAfter:c}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void AddRunSettingsProblems(RunSettings options, List<string> errors)
    {
        var prefix = options.Prefix;
        if (options.MaxDegreeOfParallelism < 1)
        {
            errors.Add($"{prefix}MaxDegreeOfParallelism must be 1 or more; it is {options.MaxDegreeOfParallelism}.");
        }

        AddCommitPolicyProblems(options, errors);
        if (!OptionValues.TryParseItemFailurePolicy(options.ItemFailurePolicy, out _))
        {
            errors.Add($"{prefix}ItemFailurePolicy '{options.ItemFailurePolicy}' is not an item failure policy; use FailStage or SkipItem.");
        }
    }

    private static void AddCommitPolicyProblems(RunSettings options, List<string> errors)
    {
        var prefix = options.Prefix;
        var policy = options.CommitPolicy;
        if (!OptionValues.TryParseCommitPolicyKind(policy, out var kind))
        {
            errors.Add($"{prefix}CommitPolicy '{policy}' is not a commit policy; use EveryItem, EveryItems (with {prefix}CommitItems) or Every (with {prefix}CommitInterval).");
            return;
        }

        if (kind == CommitPolicyKind.EveryItems)
        {
            if (options.CommitItems is not { } items)
            {
                errors.Add($"{prefix}CommitPolicy EveryItems needs {prefix}CommitItems (the group size, 1 or more).");
            }
            else if (items < 1)
            {
                errors.Add($"{prefix}CommitItems must be 1 or more; it is {items.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
        else if (options.CommitItems is { } items)
        {
            errors.Add($"{prefix}CommitItems ({items.ToString(CultureInfo.InvariantCulture)}) is only used with {prefix}CommitPolicy EveryItems, but the policy is '{policy}'.");
        }

        if (kind == CommitPolicyKind.Every)
        {
            if (options.CommitInterval is not { } interval)
            {
                errors.Add($"{prefix}CommitPolicy Every needs {prefix}CommitInterval (e.g. 00:00:02).");
            }
            else if (interval <= TimeSpan.Zero)
            {
                errors.Add($"{prefix}CommitInterval must be positive; it is {interval:c}.");
            }
        }
        else if (options.CommitInterval is { } interval)
        {
            errors.Add($"{prefix}CommitInterval ({interval:c}) is only used with {prefix}CommitPolicy Every, but the policy is '{policy}'.");
        }
    }

    // A misspelt key (Checkpointing__MaxDegreeOfParalelism=4) would otherwise be ignored without a word, and the
    // run would go on with the default. Under Store, a registered store's name may hold that store's own settings.
    private void AddUnknownKeys(IConfigurationSection section, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if ((Is(child, nameof(CheckpointingOptions.Store)) || Is(child, nameof(CheckpointingOptions.Health))) && child.Value is { } value)
            {
                errors.Add($"{child.Path} is a section, not a value ('{value}'); set its keys, e.g. {child.Path}:{(Is(child, nameof(CheckpointingOptions.Store)) ? "Type" : "DegradedAfter")}.");
            }

            if (Is(child, nameof(CheckpointingOptions.Store)))
            {
                var storeKeys = stores.Select(s => s.Name).Append(nameof(CheckpointStoreOptions.Type));
                AddUnknown(child, storeKeys, errors);
            }
            else if (Is(child, nameof(CheckpointingOptions.Stages)))
            {
                foreach (var stage in child.GetChildren())
                {
                    AddUnknown(stage, StageKeys, errors);
                }
            }
            else if (Is(child, nameof(CheckpointingOptions.Health)))
            {
                AddUnknown(child, [nameof(CheckpointingHealthOptions.DegradedAfter), nameof(CheckpointingHealthOptions.UnhealthyAfter)], errors);
            }
            else if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path} is not a setting; the settings of {section.Path} are {string.Join(", ", KnownKeys)}.");
            }
        }
    }

    private static void AddUnknown(IConfigurationSection section, IEnumerable<string> known, List<string> errors)
    {
        var names = known.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (var child in section.GetChildren())
        {
            if (!names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path} is not a setting; the settings of {section.Path} are {string.Join(", ", names)}.");
            }
        }
    }

    private static bool Is(IConfigurationSection section, string key) => string.Equals(section.Key, key, StringComparison.OrdinalIgnoreCase);

    private static string? GetRootProblem(string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
        {
            return $"{Prefix}Root must name a folder; it is empty.";
        }

        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(root);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{Prefix}Root '{root}' is not a valid path: {e.Message}";
        }

        // The folder is created on first use, so only an existing file in the way is an error, at the root
        // itself or at any of its ancestors; the first existing folder settles it.
        for (var path = fullPath; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path == fullPath
                    ? $"{Prefix}Root '{root}' is a file ({fullPath}); it must be a folder (created if missing)."
                    : $"{Prefix}Root '{root}' cannot be created: '{path}' is a file.";
            }

            if (Directory.Exists(path))
            {
                break;
            }
        }

        return null;
    }
}
