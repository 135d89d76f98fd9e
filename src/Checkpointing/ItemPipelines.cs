using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Checkpointing;

/// <summary>Ready-made <see cref="StageRunOptions.ItemPipeline"/>s.</summary>
public static class ItemPipelines
{
    /// <summary>
    /// Retries an item's work on a transient exception, with exponential backoff and jitter:
    /// <c>ItemPipeline = ItemPipelines.RetryTransient()</c>. Without <paramref name="isTransient"/>, transient
    /// means <see cref="TimeoutException"/>, Polly's <see cref="TimeoutRejectedException"/>,
    /// <see cref="HttpRequestException"/> and an <see cref="HttpClient"/> timeout; never a cancellation of the run.
    /// </summary>
    /// <param name="maxRetryAttempts">Retries after the first attempt (default 3).</param>
    /// <param name="baseDelay">The first retry's delay before jitter, doubled for each next one (default 1 s).</param>
    /// <param name="isTransient">Which exceptions are worth a retry; replaces the default list.</param>
    public static ResiliencePipeline RetryTransient(int maxRetryAttempts = 3, TimeSpan? baseDelay = null, Func<Exception, bool>? isTransient = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetryAttempts, 1);
        var transient = isTransient ?? IsTransient;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle(transient),
                MaxRetryAttempts = maxRetryAttempts,
                Delay = baseDelay ?? TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }

    /// <summary>The default notion of a transient failure of <see cref="RetryTransient"/>.</summary>
    /// <param name="exception">The exception an attempt threw.</param>
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutRejectedException or TimeoutException or HttpRequestException => true,

        // HttpClient reports its own timeout as a cancellation whose inner exception is a TimeoutException.
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };
}
