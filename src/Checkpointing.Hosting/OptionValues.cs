using Checkpointing.SharedFiles;

namespace Checkpointing.Hosting;

/// <summary>The commit policies that configuration can name.</summary>
internal enum CommitPolicyKind
{
    EveryItem,
    EveryItems,
    Every,
}

/// <summary>
/// The run settings of one stage: the defaults with the stage's own settings applied. <c>Prefix</c> is the
/// configuration path they are named under in messages (<c>Checkpointing:</c> or <c>Checkpointing:Stages:ocr:</c>).
/// </summary>
internal sealed record RunSettings(
    string Prefix, bool Resume, int MaxDegreeOfParallelism, string? CommitPolicy, int? CommitItems, TimeSpan? CommitInterval,
    string? ItemFailurePolicy, bool ValidateOutputsOnResume, bool StrictCheckpoint)
{
    private const string DefaultPrefix = CheckpointingOptions.SectionName + ":";

    /// <summary>The settings of <paramref name="stageName"/>, or the defaults when it is null or has no section.</summary>
    public static RunSettings For(CheckpointingOptions options, string? stageName)
    {
        var defaults = new RunSettings(
            DefaultPrefix, options.Resume, options.MaxDegreeOfParallelism, options.CommitPolicy, options.CommitItems, options.CommitInterval,
            options.ItemFailurePolicy, options.ValidateOutputsOnResume, options.StrictCheckpoint);
        if (stageName is null || options.Stages is null || !options.Stages.TryGetValue(stageName, out var stage) || stage is null)
        {
            return defaults;
        }

        // A stage's own commit policy does not inherit the group size or interval of another policy.
        var ownPolicy = stage.CommitPolicy is not null;
        return new RunSettings(
            $"{DefaultPrefix}Stages:{stageName}:",
            stage.Resume ?? defaults.Resume,
            stage.MaxDegreeOfParallelism ?? defaults.MaxDegreeOfParallelism,
            stage.CommitPolicy ?? defaults.CommitPolicy,
            ownPolicy ? stage.CommitItems : stage.CommitItems ?? defaults.CommitItems,
            ownPolicy ? stage.CommitInterval : stage.CommitInterval ?? defaults.CommitInterval,
            stage.ItemFailurePolicy ?? defaults.ItemFailurePolicy,
            stage.ValidateOutputsOnResume ?? defaults.ValidateOutputsOnResume,
            stage.StrictCheckpoint ?? defaults.StrictCheckpoint);
    }
}

/// <summary>Turns the string settings of <see cref="CheckpointingOptions"/> into the runtime's types.</summary>
internal static class OptionValues
{
    public static bool TryParseCommitPolicyKind(string? value, out CommitPolicyKind kind) =>
        TryParseName(value, out kind);

    public static bool TryParseItemFailurePolicy(string? value, out ItemFailurePolicy policy) =>
        TryParseName(value, out policy);

    /// <summary>The commit policy of validated settings.</summary>
    public static CommitPolicy GetCommitPolicy(RunSettings options)
    {
        TryParseCommitPolicyKind(options.CommitPolicy, out var kind);
        return kind switch
        {
            CommitPolicyKind.EveryItems => CommitPolicy.EveryItems(options.CommitItems!.Value),
            CommitPolicyKind.Every => CommitPolicy.Every(options.CommitInterval!.Value),
            _ => CommitPolicy.EveryItem,
        };
    }

    /// <summary>The item failure policy of validated settings.</summary>
    public static ItemFailurePolicy GetItemFailurePolicy(RunSettings options)
    {
        TryParseItemFailurePolicy(options.ItemFailurePolicy, out var policy);
        return policy;
    }

    /// <summary>The batch policy of validated shared-file settings: those set, combined with Or; the default when none is.</summary>
    public static SharedFileBatchPolicy GetBatchPolicy(SharedFileSettings settings)
    {
        SharedFileBatchPolicy? policy = null;
        if (settings.BatchSize is { } size)
        {
            policy = SharedFileBatchPolicy.Items(size);
        }

        if (settings.BatchSeconds is { } seconds)
        {
            var every = SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(seconds));
            policy = policy is null ? every : policy.Or(every);
        }

        if (settings.BatchBytes is { } bytes)
        {
            var adaptive = SharedFileBatchPolicy.Adaptive(bytes);
            policy = policy is null ? adaptive : policy.Or(adaptive);
        }

        return policy ?? SharedFileBatchPolicy.Default;
    }

    // Names only: Enum.TryParse alone would also accept numbers ("7") and comma lists.
    private static bool TryParseName<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                result = candidate;
                return true;
            }
        }

        result = default;
        return false;
    }
}
