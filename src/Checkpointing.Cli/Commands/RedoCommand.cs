using System.CommandLine;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint redo &lt;root&gt; --run ID --stage NAME --keys K1,K2 [--reason TEXT] [--yes]</c>.</summary>
internal static class RedoCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var root = new Argument<string>("root") { Description = "The storage root." };
        var run = new Option<string>("--run") { Description = "The run id.", Required = true };
        var stage = new Option<string>("--stage") { Description = "The stage name.", Required = true };
        var keys = new Option<string>("--keys") { Description = "The items to redo, comma separated, as named in the checkpoint (e.g. 000012,000040).", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the checkpoint with each item." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("redo", "Make the next run process chosen completed items again (their outputs are set aside, their cost stays in the history).")
        {
            root, run, stage, keys, reason, yes,
        };
        command.SetAction(CliApp.Guard(console, globals, async (parse, cancellationToken) =>
        {
            var (rootPath, runId) = RootArgument.Resolve(parse.GetValue(root)!, parse.GetValue(run));
            var keyList = ParseKeys(parse.GetValue(keys)!);
            var state = StageEditor.Locate(rootPath, runId!, parse.GetValue(stage)!);
            StageEditor.CheckKeys(state.Document!, keyList);
            if (state.Running)
            {
                throw new CommandFailedException($"Refused: stage '{state.Location.Stage}' is running ({state.Lock!.Describe()}). Nothing was changed.");
            }

            var cost = keyList.Sum(k => state.Document!.Completed[k].CostUsd);
            await Confirmation.RequireAsync(console, parse.GetValue(yes),
                $"Redo {keyList.Count} item(s) of stage '{state.Location.Stage}' in run '{state.Location.RunId}'? Their outputs are set aside; the {Format.Money(cost)} they cost stays in the cost history.",
                cancellationToken).ConfigureAwait(false);
            var report = await StageEditor.RedoAsync(state.Location, keyList, parse.GetValue(reason), console.Error, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(globals.Json))
            {
                CliJson.Write(console.Out, report, CliJsonContext.Default.ChangeReport);
            }
            else
            {
                foreach (var moved in report.MovedOutputs)
                {
                    console.Ansi.Write(new Text($"set aside {moved.From} -> {Path.GetFileName(moved.To)}\n"));
                }

                console.Ansi.Write(new Text(
                    $"Marked {report.Keys.Count} item(s) of stage '{report.Stage}' (run '{report.RunId}') for redo: {string.Join(", ", report.Keys)}. " +
                    $"The next run processes them again. Cost so far {Format.Money(report.CostUsd)} (their {Format.Money(report.DiscardedCostUsd)} included), lifetime {Format.Money(report.LifetimeCostUsd)}.\n"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static List<string> ParseKeys(string text)
    {
        var keys = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (CheckpointKeys.GetProblem(part) is { } problem)
            {
                throw new UsageException($"Key '{part}' is not a valid item key: {problem}.");
            }

            if (!keys.Contains(part, StringComparer.Ordinal))
            {
                keys.Add(part);
            }
        }

        return keys.Count > 0 ? keys : throw new UsageException("--keys names no item.");
    }
}
