namespace BookPipeline;

/// <summary>Thrown for a transient API failure (timeout, 429); the caller retries.</summary>
public sealed class TransientLlmException(string message) : Exception(message);

/// <summary>
/// Stands in for an LLM API: latency, occasional transient failures, a price per call. The text depends
/// only on the prompt, so reruns produce the same outputs.
/// </summary>
public sealed class FakeLlm(double latencyScale = 1.0, double transientFailureRate = 0.04)
{
    private const decimal PricePerThousandTokens = 0.0125m;

    public async Task<LlmReply> CompleteAsync(string prompt, CancellationToken cancellationToken)
    {
        var latency = TimeSpan.FromMilliseconds((40 + Random.Shared.Next(120)) * latencyScale);
        await Task.Delay(latency, cancellationToken);
        if (Random.Shared.NextDouble() < transientFailureRate)
        {
            throw new TransientLlmException("503 Service Unavailable (simulated)");
        }

        var hash = (uint)StableHash(prompt);
        var tokens = 600 + (int)(hash % 900);
        var text = $"[{hash:x8}] {prompt}";
        return new LlmReply(text, tokens, Math.Round(tokens * PricePerThousandTokens / 1000m, 6));
    }

    /// <summary>Calls <see cref="CompleteAsync"/> with retries; every attempt is paid for.</summary>
    public async Task<LlmReply> CompleteWithRetryAsync(string prompt, Checkpointing.ItemContext context, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var reply = await CompleteAsync(prompt, cancellationToken);
                context.AddCost(reply.CostUsd);
                return reply;
            }
            catch (TransientLlmException) when (attempt < 4)
            {
                context.AddCost(0.0004m); // a failed call still costs its prompt
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
            }
        }
    }

    public static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}

public sealed record LlmReply(string Text, int Tokens, decimal CostUsd);
