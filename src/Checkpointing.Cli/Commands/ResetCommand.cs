using System.CommandLine;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint reset &lt;root&gt; --run ID --stage NAME [--yes]</c>.</summary>
internal static class ResetCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var root = new Argument<string>("root") { Description = "The storage root." };
        var run = new Option<string>("--run") { Description = "The run id.", Required = true };
        var stage = new Option<string>("--stage") { Description = "The stage name.", Required = true };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("reset", "Start a stage over: every item is processed again; the run history and lifetime cost are kept.")
        {
            root, run, stage, yes,
        };
        command.SetAction(CliApp.Guard(console, globals, async (parse, cancellationToken) =>
        {
            var (rootPath, runId) = RootArgument.Resolve(parse.GetValue(root)!, parse.GetValue(run));
            var state = StageEditor.Locate(rootPath, runId!, parse.GetValue(stage)!);
            if (state.Running)
            {
                throw new CommandFailedException($"Refused: stage '{state.Location.Stage}' is running ({state.Lock!.Describe()}). Nothing was changed.");
            }

            var document = state.Document!;
            await Confirmation.RequireAsync(console, parse.GetValue(yes),
                $"Reset stage '{state.Location.Stage}' of run '{state.Location.RunId}'? This discards {document.CompletedCount} completed item(s), {Format.Money(document.TotalCostUsd)} of spent work; " +
                "every item is processed again (the lifetime cost and the run history are kept, the outputs stay until replaced).",
                cancellationToken).ConfigureAwait(false);
            var report = await StageEditor.ResetAsync(state.Location, console.Error, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(globals.Json))
            {
                CliJson.Write(console.Out, report, CliJsonContext.Default.ChangeReport);
            }
            else
            {
                console.Ansi.Write(new Text(
                    $"Reset stage '{report.Stage}' (run '{report.RunId}'): discarded {report.DiscardedItems} completed item(s), {Format.Money(report.DiscardedCostUsd)} of spent work. " +
                    $"Lifetime cost {Format.Money(report.LifetimeCostUsd)} is kept. The next run processes every item.\n"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
