using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>
/// Collects the store's and the runner's log lines, with the time since the test started, so that a test that
/// gives up on a wait can show what the worker was doing (its retries, warnings and errors).
/// </summary>
internal sealed class TestLog : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _lines.Enqueue($"{_clock.Elapsed.TotalSeconds,7:0.000} s {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " [" + exception.GetType().Name + ": " + exception.Message + "]")}");
        }
    }

    /// <summary>The last <paramref name="count"/> lines.</summary>
    public string Tail(int count = 60) => string.Join('\n', _lines.TakeLast(count));

    public override string ToString() => Tail(int.MaxValue);
}
