using System.Diagnostics;
using System.Globalization;
using Checkpointing;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace BookPipeline;

/// <summary>
/// The sample's console: a live Spectre.Console progress display with one line per stage, and log lines
/// written through the same console, so Spectre draws them above the live display instead of through it.
/// </summary>
internal static class ConsoleUi
{
    public static void Configure()
    {
        // Redirected output (CI, tests) is not re-flowed to 80 columns: a path or a log line stays one line.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 400;
        }
    }

    public static Task RunWithProgressAsync(Func<ProgressContext, Task> run) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(run);

    public static void PrintSummary(IReadOnlyList<StageRunResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Tranche summary");
        foreach (var header in new[] { "Stage", "Items", "Skipped", "Done", "Failed", "Retried", "Cost (run)", "Cost (total)", "Saved", "To finish", "Status" })
        {
            table.AddColumn(new TableColumn(header) { Alignment = header is "Stage" or "Status" ? Justify.Left : Justify.Right });
        }

        foreach (var r in results)
        {
            var color = r.Status switch
            {
                StageStatus.Completed => "green",
                StageStatus.Failed => "red",
                _ => "yellow",
            };
            table.AddRow(
                Markup.Escape(r.StageName), Count(r.Total), Count(r.Skipped), Count(r.Processed), Count(r.Failed), Count(r.FailedAttempts),
                Usd(r.RunCostUsd), Usd(r.TotalCostUsd), Usd(r.EstimatedCostSavedUsd), r.EstimatedCostToFinishUsd is { } e ? Usd(e) : "?",
                $"[{color}]{Status(r.Status)}[/]");
        }

        AnsiConsole.Write(table);
    }

    public static string Usd(decimal value) => "$" + value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Status(StageStatus status) => status switch
    {
        StageStatus.BudgetExceeded => "budget exceeded",
        StageStatus.InProgress => "in progress",
        StageStatus.NotStarted => "not started",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>One stage's line of the live display: done/total, cost, estimated cost to finish, ETA.</summary>
internal sealed class StageProgressLine(ProgressTask task, string stage) : IProgress<StageProgress>
{
    private readonly object _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Report(StageProgress value)
    {
        lock (_lock)
        {
            if (!task.IsStarted)
            {
                task.StartTask();
            }

            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Done;
            var estimate = value.EstimatedCostToFinishUsd is { } e ? "~" + ConsoleUi.Usd(e) : "~?";
            var eta = value.Processed > 0 && value.Done < value.Total
                ? TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / value.Processed * (value.Total - value.Done)).ToString(@"m\:ss", CultureInfo.InvariantCulture)
                : "-";
            task.Description = Markup.Escape(
                $"{stage,-9} {value.Done,3}/{value.Total} {ConsoleUi.Usd(value.RunCostUsd)} spent, {estimate} to finish, ETA {eta}" +
                (value.Failed > 0 ? $", {value.Failed} failed" : ""));
            if (value.Done >= value.Total)
            {
                task.StopTask();
            }
        }
    }
}

/// <summary>Writes log lines through Spectre's console, which keeps them clear of the live display.</summary>
internal sealed class SpectreLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SpectreLogger();

    public void Dispose()
    {
    }

    private sealed class SpectreLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var (label, color) = logLevel switch
            {
                LogLevel.Warning => ("warn", "yellow"),
                LogLevel.Error or LogLevel.Critical => ("fail", "red"),
                _ => ("info", "grey"),
            };
            var time = DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            AnsiConsole.MarkupLine($"[grey]{time}[/] [{color}]{label}[/] {Markup.Escape(formatter(state, exception))}");
        }
    }
}
