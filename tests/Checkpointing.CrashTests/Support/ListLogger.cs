using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Checkpointing.CrashTests.Support;

/// <summary>Keeps every log message, to assert that users are told what happened.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Messages { get; } = new();

    public string Text => string.Join('\n', Messages.Select(m => $"{m.Level}: {m.Message}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue((logLevel, formatter(state, exception)));
}
