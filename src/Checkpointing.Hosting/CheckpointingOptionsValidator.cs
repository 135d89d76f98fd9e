using System.Globalization;
using Microsoft.Extensions.Options;

namespace Checkpointing.Hosting;

/// <summary>
/// Checks <see cref="CheckpointingOptions"/> when the host starts, so a wrong setting stops the app before
/// any work is done, with one message per problem naming the key, its value and what is accepted.
/// </summary>
internal sealed class CheckpointingOptionsValidator(IEnumerable<CheckpointStoreRegistration> stores) : IValidateOptions<CheckpointingOptions>
{
    private const string Prefix = CheckpointingOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, CheckpointingOptions options)
    {
        var errors = new List<string>();
        if (GetRootProblem(options.Root) is { } rootProblem)
        {
            errors.Add(rootProblem);
        }

        if (options.RunId is { } runId && CheckpointKeys.GetProblem(runId) is { } runIdProblem)
        {
            errors.Add($"{Prefix}RunId '{runId}' cannot be used as a folder name: {runIdProblem}.");
        }

        if (options.MaxDegreeOfParallelism < 1)
        {
            errors.Add($"{Prefix}MaxDegreeOfParallelism must be 1 or more; it is {options.MaxDegreeOfParallelism}.");
        }

        AddCommitPolicyProblems(options, errors);
        if (!OptionValues.TryParseItemFailurePolicy(options.ItemFailurePolicy, out _))
        {
            errors.Add($"{Prefix}ItemFailurePolicy '{options.ItemFailurePolicy}' is not an item failure policy; use FailStage or SkipItem.");
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

    private static void AddCommitPolicyProblems(CheckpointingOptions options, List<string> errors)
    {
        var policy = options.CommitPolicy;
        if (!OptionValues.TryParseCommitPolicyKind(policy, out var kind))
        {
            errors.Add($"{Prefix}CommitPolicy '{policy}' is not a commit policy; use EveryItem, EveryItems (with {Prefix}CommitItems) or Every (with {Prefix}CommitInterval).");
            return;
        }

        if (kind == CommitPolicyKind.EveryItems)
        {
            if (options.CommitItems is not { } items)
            {
                errors.Add($"{Prefix}CommitPolicy EveryItems needs {Prefix}CommitItems (the group size, 1 or more).");
            }
            else if (items < 1)
            {
                errors.Add($"{Prefix}CommitItems must be 1 or more; it is {items.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
        else if (options.CommitItems is { } items)
        {
            errors.Add($"{Prefix}CommitItems ({items.ToString(CultureInfo.InvariantCulture)}) is only used with {Prefix}CommitPolicy EveryItems, but the policy is '{policy}'.");
        }

        if (kind == CommitPolicyKind.Every)
        {
            if (options.CommitInterval is not { } interval)
            {
                errors.Add($"{Prefix}CommitPolicy Every needs {Prefix}CommitInterval (e.g. 00:00:02).");
            }
            else if (interval <= TimeSpan.Zero)
            {
                errors.Add($"{Prefix}CommitInterval must be positive; it is {interval:c}.");
            }
        }
        else if (options.CommitInterval is { } interval)
        {
            errors.Add($"{Prefix}CommitInterval ({interval:c}) is only used with {Prefix}CommitPolicy Every, but the policy is '{policy}'.");
        }
    }

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
