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

    /// <summary>What a call that fails costs (its prompt tokens).</summary>
    public const decimal FailedCallCostUsd = 0.0004m;

    /// <summary>
    /// One paid call. A failed call still costs its prompt, and says so on <paramref name="context"/> before it
    /// throws: the stage keeps that cost even when the attempt fails (the stage's retry pipeline retries it).
    /// </summary>
    public async Task<LlmReply> CompleteAsync(string prompt, Checkpointing.ItemContext context, CancellationToken cancellationToken)
    {
        var latency = TimeSpan.FromMilliseconds((40 + Random.Shared.Next(120)) * latencyScale);
        await Task.Delay(latency, cancellationToken);
        if (Random.Shared.NextDouble() < transientFailureRate)
        {
            context.AddCost(FailedCallCostUsd);
            throw new TransientLlmException($"503 Service Unavailable (simulated, attempt {context.Attempt})");
        }

        var hash = (uint)StableHash(prompt);
        var tokens = 600 + (int)(hash % 900);
        var text = $"[{hash:x8}] {prompt}";
        var reply = new LlmReply(text, tokens, Math.Round(tokens * PricePerThousandTokens / 1000m, 6));
        context.AddCost(reply.CostUsd);
        return reply;
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
