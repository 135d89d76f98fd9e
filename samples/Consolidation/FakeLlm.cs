namespace Consolidation;

/// <summary>
/// Stands in for an LLM that reads a book and proposes recommendations: latency and a price per call. The
/// reply depends only on the book's text, so every run proposes the same recommendations.
/// </summary>
public sealed class FakeLlm(double latencyScale)
{
    private const decimal PricePerThousandTokens = 0.0125m;

    private static readonly string[] Recommendations =
    [
        "Version every prompt with its evaluation set",
        "Checkpoint long batch jobs and resume by item identity",
        "Track LLM spend per book and per phase",
        "Validate outputs before marking work complete",
        "Write files atomically: temp, fsync, rename",
        "Fingerprint inputs so cached results expire when inputs change",
        "Keep a human review queue for low-confidence outputs",
        "Prefer idempotent steps over exactly-once delivery",
        "Monitor drift in the inputs, not only the outputs",
        "Budget retries: every attempt is paid for",
        "Store one accumulator, not a pile of partial files",
        "Log why a cached result was not used",
    ];

    public async Task<LlmReply> RecommendAsync(string bookText, CancellationToken cancellationToken)
    {
        var hash = StableHash(bookText);
        await Task.Delay(TimeSpan.FromMilliseconds((40 + hash % 120) * latencyScale), cancellationToken);
        var picks = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; picks.Count < 3; i++)
        {
            picks.Add(Recommendations[(int)(((hash >> (i % 8 * 3)) + (uint)i * 5) % (uint)Recommendations.Length)]);
        }

        var tokens = 800 + (int)(hash % 1200);
        return new LlmReply([.. picks], tokens, Math.Round(tokens * PricePerThousandTokens / 1000m, 6));
    }

    private static uint StableHash(string text)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return hash;
        }
    }
}

/// <summary>What one call returned and cost.</summary>
public sealed record LlmReply(IReadOnlyList<string> Recommendations, int Tokens, decimal CostUsd);
