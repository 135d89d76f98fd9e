using System.CommandLine;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint status &lt;root&gt; [--run ID] [--watch]</c>: every run and stage, without disturbing a running one.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var root = new Argument<string>("root") { Description = "The storage root (StageRunOptions.Root), or one run's folder." };
        var run = new Option<string?>("--run") { Description = "Only this run id." };
        var watch = new Option<bool>("--watch") { Description = "Refresh until Ctrl+C (with --json: one JSON document per line)." };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "How often --watch refreshes (e.g. 500ms, 2s).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(2),
            CustomParser = result => Duration.TryParse(result.Tokens[0].Value, out var value) && value > TimeSpan.Zero
                ? value
                : Fail(result, $"'{result.Tokens[0].Value}' is not a duration such as 500ms, 2s or 1m."),
        };
        var store = StoreOptions.Store();
        var schema = StoreOptions.Schema();
        var command = new Command("status", "Show every run and stage: status, done/failed/remaining, cost, estimated cost to finish, last update, errors, lock holders.")
        {
            root, run, watch, interval, store, schema,
        };
        command.SetAction(CliApp.Guard(console, globals, async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(globals.Json);
            await using var inspection = parse.GetValue(store) is { } connection
                ? await StoreInspection.OpenAsync(connection, parse.GetValue(schema)!, cancellationToken).ConfigureAwait(false)
                : null;
            Func<Task<StatusReport>> read;
            if (inspection is null)
            {
                var (rootPath, runId) = RootArgument.Resolve(parse.GetValue(root)!, parse.GetValue(run));
                read = () => Task.FromResult(StatusBuilder.Read(rootPath, runId, DateTimeOffset.UtcNow));
            }
            else
            {
                // With a store the root only names where the file copies are; it need not exist on this machine.
                var rootPath = Path.GetFullPath(parse.GetValue(root)!);
                var runId = parse.GetValue(run);
                read = () => StatusBuilder.ReadAsync(inspection, rootPath, runId, DateTimeOffset.UtcNow, cancellationToken);
            }

            if (!parse.GetValue(watch))
            {
                var report = await read().ConfigureAwait(false);
                if (json)
                {
                    StatusJson.Write(console.Out, report);
                }
                else
                {
                    console.Ansi.Write(Render(report));
                }

                return StatusBuilder.HasProblems(report) ? ExitCodes.Problems : ExitCodes.Ok;
            }

            await WatchAsync(console, read, json, parse.GetValue(interval), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static TimeSpan Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }

    private static async Task WatchAsync(CliConsole console, Func<Task<StatusReport>> read, bool json, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            if (!json && console.Interactive)
            {
                var report = await read().ConfigureAwait(false);
                await console.Ansi.Live(Render(report, live: true)).StartAsync(async context =>
                {
                    while (true)
                    {
                        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                        context.UpdateTarget(Render(await read().ConfigureAwait(false), live: true));
                    }
                }).ConfigureAwait(false);
                return;
            }

            while (true)
            {
                var report = await read().ConfigureAwait(false);
                if (json)
                {
                    StatusJson.Write(console.Out, report, indented: false);
                }
                else
                {
                    console.Ansi.Write(Render(report, live: true));
                    console.Out.Flush();
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a watch: that is its normal end.
        }
    }

    public static IRenderable Render(StatusReport report, bool live = false)
    {
        var rows = new List<IRenderable>();
        if (live)
        {
            rows.Add(new Text($"{Format.Time(report.GeneratedAt)}  {report.Root}  (Ctrl+C to stop)", new Style(decoration: Decoration.Dim)));
        }

        if (report.Stages.Count == 0 && report.Batches.Count == 0 && report.Phases.Count == 0)
        {
            rows.Add(new Text($"No checkpoints under {report.Root}."));
            return new Rows(rows);
        }

        foreach (var run in report.Stages.GroupBy(s => s.RunId))
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle("run " + run.Key) };
            table.AddColumn("Stage");
            table.AddColumn("State");
            table.AddColumn(new TableColumn("Done").RightAligned());
            table.AddColumn(new TableColumn("Failed").RightAligned());
            table.AddColumn(new TableColumn("Left").RightAligned());
            table.AddColumn(new TableColumn("Cost").RightAligned());
            table.AddColumn(new TableColumn("To finish").RightAligned());
            table.AddColumn("Updated");
            table.AddColumn("Note");
            foreach (var stage in run)
            {
                table.AddRow(
                    new Text(stage.Stage),
                    new Text(stage.State, StateStyle(stage.State)),
                    new Text(Format.Count(stage.Completed)),
                    new Text(Format.Count(stage.Failed), stage.Failed > 0 ? new Style(Color.Red) : Style.Plain),
                    new Text(Format.Count(stage.Remaining)),
                    new Text(Format.Money(stage.CostUsd)),
                    new Text(stage.Remaining == 0 ? "-" : Format.Money(stage.EstimatedCostToFinishUsd)),
                    new Text(Format.Time(stage.UpdatedAt)),
                    new Text(Note(stage)));
            }

            rows.Add(table);
        }

        if (report.Batches.Count > 0)
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle("shared-file batches") };
            foreach (var column in new[] { "Run", "Name", "Status", "File", "Batch", "Rows", "Failed", "Cost", "Updated", "Note" })
            {
                table.AddColumn(column);
            }

            foreach (var batch in report.Batches)
            {
                table.AddRow(
                    new Text(batch.RunId), new Text(batch.Name), new Text(batch.Status, StateStyle(batch.Status)), new Text(batch.File ?? "-"),
                    new Text(Format.Count(batch.Batch)), new Text(Format.Count(batch.Rows)), new Text(Format.Count(batch.Failed)), new Text(Format.Money(batch.CostUsd)),
                    new Text(Format.Time(batch.UpdatedAt)), new Text(Format.OneLine(batch.Problem ?? batch.Error ?? "")));
            }

            rows.Add(table);
        }

        if (report.Phases.Count > 0)
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle("phase snapshots") };
            foreach (var column in new[] { "Phase", "Snapshots", "Valid", "Latest", "Iteration", "Saved", "Note" })
            {
                table.AddColumn(column);
            }

            foreach (var phase in report.Phases)
            {
                var note = phase.Problem ?? (phase.Running && phase.Lock is { } l ? "open by " + new LockHolder(l.Pid, l.Host, l.Since, l.Alive).Describe() : phase.Complete ? "complete" : "");
                table.AddRow(
                    new Text(phase.Phase), new Text(Format.Count(phase.Snapshots)), new Text(Format.Count(phase.Valid)),
                    new Text(phase.LatestSequence is null ? "-" : "seq " + phase.LatestSequence), new Text(Format.Count(phase.LatestIteration)),
                    new Text(Format.Time(phase.LatestAt)), new Text(Format.OneLine(note)));
            }

            rows.Add(table);
        }

        return new Rows(rows);
    }

    private static string Note(StageEntry stage)
    {
        var notes = new List<string>();
        if (stage.Problem is not null)
        {
            notes.Add(stage.Problem);
        }

        if (stage.Lock is { } holder && (stage.Running || stage.State == "interrupted"))
        {
            var who = new LockHolder(holder.Pid, holder.Host, holder.Since, holder.Alive).Describe();
            var others = stage.Running ? stage.Workers.Count - 1 : 0;
            notes.Add((stage.Running ? "held by " : "last held by ") + who
                + (others > 0 ? $" (+{others} more live worker{(others == 1 ? "" : "s")})" : ""));
        }

        if (stage.Error is not null && stage.State is "failed" or "cancelled" or "interrupted")
        {
            notes.Add(stage.Error);
        }

        if (stage.Failed > 0 && stage.Error is null)
        {
            var first = stage.FailedItems[0];
            notes.Add($"item {first.Key}: {first.Error}" + (stage.Failed > 1 ? $" (+{stage.Failed - 1} more)" : ""));
        }

        return Format.OneLine(string.Join("; ", notes));
    }

    private static Style StateStyle(string state) => state switch
    {
        "completed" => new Style(Color.Green),
        "running" => new Style(Color.Blue),
        "interrupted" or "cancelled" or "budget_exceeded" => new Style(Color.Yellow),
        "failed" or "unreadable" => new Style(Color.Red),
        _ => Style.Plain,
    };
}
