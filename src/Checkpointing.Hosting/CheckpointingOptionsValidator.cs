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

    // The keys of the section; a new section is added here with its property.
    private static readonly string[] KnownKeys =
    [
        nameof(CheckpointingOptions.Root), nameof(CheckpointingOptions.RunId), nameof(CheckpointingOptions.Resume),
        nameof(CheckpointingOptions.MaxDegreeOfParallelism), nameof(CheckpointingOptions.CommitPolicy),
        nameof(CheckpointingOptions.CommitItems), nameof(CheckpointingOptions.CommitInterval),
        nameof(CheckpointingOptions.ItemFailurePolicy), nameof(CheckpointingOptions.ValidateOutputsOnResume),
        nameof(CheckpointingOptions.StrictCheckpoint), nameof(CheckpointingOptions.Stages), nameof(CheckpointingOptions.Store),
        nameof(CheckpointingOptions.Health), nameof(CheckpointingOptions.Phases), nameof(CheckpointingOptions.SharedFiles),
    ];

    private static readonly string[] StageKeys =
    [
        nameof(StageSettings.Resume), nameof(StageSettings.MaxDegreeOfParallelism), nameof(StageSettings.CommitPolicy),
        nameof(StageSettings.CommitItems), nameof(StageSettings.CommitInterval), nameof(StageSettings.ItemFailurePolicy),
        nameof(StageSettings.ValidateOutputsOnResume), nameof(StageSettings.StrictCheckpoint),
    ];

    private static readonly string[] PhaseKeys =
    [
        nameof(PhaseSettings.Root), nameof(PhaseSettings.MinSaveInterval), nameof(PhaseSettings.Ttl), nameof(PhaseSettings.MaxSnapshots),
    ];

    private static readonly string[] SharedFileKeys =
    [
        nameof(SharedFileSettings.FileName), nameof(SharedFileSettings.BatchSize), nameof(SharedFileSettings.BatchSeconds),
        nameof(SharedFileSettings.BatchBytes),
    ];

    public ValidateOptionsResult Validate(string? name, CheckpointingOptions options)
    {
        var errors = new List<string>();
        foreach (var section in sections)
        {
            AddUnknownKeys(section.Section, errors);
        }

        if (GetRootProblem(Prefix + "Root", options.Root) is { } rootProblem)
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

        foreach (var (phase, settings) in (options.Phases ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AddPhaseProblems(phase, settings ?? new PhaseSettings(), errors);
        }

        foreach (var (fileName, settings) in (options.SharedFiles ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AddSharedFileProblems(fileName, settings ?? new SharedFileSettings(), errors);
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

    private static void AddPhaseProblems(string phase, PhaseSettings settings, List<string> errors)
    {
        var prefix = $"{Prefix}Phases:{phase}:";
        if (CheckpointKeys.GetProblem(phase) is { } phaseProblem)
        {
            errors.Add($"{Prefix}Phases:{phase} does not name a phase: {phaseProblem}.");
            return;
        }

        if (settings.Root is { } root && GetRootProblem(prefix + "Root", root) is { } rootProblem)
        {
            errors.Add(rootProblem);
        }

        if (settings.MinSaveInterval is { } interval && interval < TimeSpan.Zero)
        {
            errors.Add($"{prefix}MinSaveInterval must be zero (save every time) or positive; it is {interval:c}.");
        }

        if (settings.Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}Ttl must be positive; it is {ttl:c}.");
        }

        if (settings.MaxSnapshots is { } max && max < 1)
        {
            errors.Add($"{prefix}MaxSnapshots must be 1 or more; it is {max.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static void AddSharedFileProblems(string name, SharedFileSettings settings, List<string> errors)
    {
        var prefix = $"{Prefix}SharedFiles:{name}:";
        if (CheckpointKeys.GetProblem(name) is { } nameProblem)
        {
            errors.Add($"{Prefix}SharedFiles:{name} does not name a shared-file checkpoint: {nameProblem}.");
            return;
        }

        if (settings.FileName is { } fileName)
        {
            var segments = fileName.Replace('\\', '/').Split('/');
            var problem = string.IsNullOrWhiteSpace(fileName) ? "it is empty"
                : Path.IsPathRooted(fileName) ? "it is rooted"
                : segments.Select(CheckpointKeys.GetProblem).FirstOrDefault(p => p is not null);
            if (problem is not null)
            {
                errors.Add($"{prefix}FileName '{fileName}' must be a relative path inside the run folder: {problem}.");
            }
        }

        if (settings.BatchSize is { } size && size < 1)
        {
            errors.Add($"{prefix}BatchSize must be 1 or more; it is {size.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (settings.BatchSeconds is { } seconds && !(seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds))
        {
            errors.Add($"{prefix}BatchSeconds must be positive; it is {seconds.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (settings.BatchBytes is { } bytes && bytes < 1)
        {
            errors.Add($"{prefix}BatchBytes must be 1 or more; it is {bytes.ToString(CultureInfo.InvariantCulture)}.");
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
            else if (Is(child, nameof(CheckpointingOptions.Phases)))
            {
                foreach (var phase in child.GetChildren())
                {
                    AddUnknown(phase, PhaseKeys, errors);
                }
            }
            else if (Is(child, nameof(CheckpointingOptions.SharedFiles)))
            {
                foreach (var sharedFile in child.GetChildren())
                {
                    AddUnknown(sharedFile, SharedFileKeys, errors);
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

    private static string? GetRootProblem(string key, string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
        {
            return $"{key} must name a folder; it is empty.";
        }

        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(root);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{key} '{root}' is not a valid path: {e.Message}";
        }

        // The folder is created on first use, so only an existing file in the way is an error, at the root
        // itself or at any of its ancestors; the first existing folder settles it.
        for (var path = fullPath; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path == fullPath
                    ? $"{key} '{root}' is a file ({fullPath}); it must be a folder (created if missing)."
                    : $"{key} '{root}' cannot be created: '{path}' is a file.";
            }

            if (Directory.Exists(path))
            {
                break;
            }
        }

        return null;
    }
}
