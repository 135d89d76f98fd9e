namespace Checkpointing.Hosting;

/// <summary>The commit policies that configuration can name.</summary>
internal enum CommitPolicyKind
{
    EveryItem,
    EveryItems,
    Every,
}

/// <summary>Turns the string settings of <see cref="CheckpointingOptions"/> into the runtime's types.</summary>
internal static class OptionValues
{
    public static bool TryParseCommitPolicyKind(string? value, out CommitPolicyKind kind) =>
        TryParseName(value, out kind);

    public static bool TryParseItemFailurePolicy(string? value, out ItemFailurePolicy policy) =>
        TryParseName(value, out policy);

    /// <summary>The commit policy of validated options.</summary>
    public static CommitPolicy GetCommitPolicy(CheckpointingOptions options)
    {
        TryParseCommitPolicyKind(options.CommitPolicy, out var kind);
        return kind switch
        {
            CommitPolicyKind.EveryItems => CommitPolicy.EveryItems(options.CommitItems!.Value),
            CommitPolicyKind.Every => CommitPolicy.Every(options.CommitInterval!.Value),
            _ => CommitPolicy.EveryItem,
        };
    }

    /// <summary>The item failure policy of validated options.</summary>
    public static ItemFailurePolicy GetItemFailurePolicy(CheckpointingOptions options)
    {
        TryParseItemFailurePolicy(options.ItemFailurePolicy, out var policy);
        return policy;
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
