using System.CommandLine;
using System.CommandLine.Parsing;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint clean [root] --older-than 24h --keep 10 [--dry-run]</c>.</summary>
internal static class CleanCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var root = new Argument<string>("root") { Description = "The folder to clean (default: data).", DefaultValueFactory = _ => "data" };
        var olderThan = new Option<TimeSpan>("--older-than")
        {
            Description = "Only remove files older than this (e.g. 24h, 7d, 30m).",
            DefaultValueFactory = _ => TimeSpan.FromHours(24),
            CustomParser = result => Duration.TryParse(result.Tokens[0].Value, out var value) ? value : Fail(result),
        };
        var keep = new Option<int>("--keep") { Description = "Keep the newest N of each group (an imprint's cumulative CSVs, a folder's backups).", DefaultValueFactory = _ => 10 };
        keep.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--keep must be 0 or more.");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be removed." };
        var command = new Command("clean", "Remove old cumulative CSVs, orphaned temp files and backups (never a checkpoint, never a file in use).")
        {
            root, olderThan, keep, dryRun,
        };
        command.SetAction(CliApp.Guard(console, globals, (parse, cancellationToken) =>
        {
            var rootPath = Path.GetFullPath(parse.GetValue(root)!);
            if (!Directory.Exists(rootPath))
            {
                throw new UsageException($"Root folder '{rootPath}' does not exist.");
            }

            var report = Cleaner.Run(rootPath, parse.GetValue(olderThan), parse.GetValue(keep), parse.GetValue(dryRun), DateTimeOffset.UtcNow, cancellationToken);
            if (parse.GetValue(globals.Json))
            {
                CliJson.Write(console.Out, report, CliJsonContext.Default.CleanReport);
            }
            else
            {
                Render(console, report);
            }

            return Task.FromResult(report.Files.Any(f => f.Action == "failed") ? ExitCodes.Problems : ExitCodes.Ok);
        }));
        return command;
    }

    private static TimeSpan Fail(ArgumentResult result)
    {
        result.AddError($"'{result.Tokens[0].Value}' is not a duration such as 24h, 7d or 30m.");
        return default;
    }

    private static void Render(CliConsole console, CleanReport report)
    {
        if (report.Files.Count == 0)
        {
            console.Ansi.Write(new Text($"Nothing to clean under {report.Root}.\n"));
            return;
        }

        var table = new Table { Border = TableBorder.Rounded };
        table.AddColumn("File");
        table.AddColumn("Kind");
        table.AddColumn(new TableColumn("Size").RightAligned());
        table.AddColumn("Action");
        table.AddColumn("Why");
        foreach (var file in report.Files)
        {
            var style = file.Action switch { "deleted" or "would_delete" => new Style(Color.Yellow), "failed" => new Style(Color.Red), _ => Style.Plain };
            table.AddRow(new Text(Path.GetRelativePath(report.Root, file.Path)), new Text(file.Kind), new Text(Format.Bytes(file.SizeBytes)), new Text(file.Action, style), new Text(file.Reason));
        }

        console.Ansi.Write(table);
        var count = report.Files.Count(f => f.Action is "deleted" or "would_delete");
        console.Ansi.Write(new Text(report.DryRun
            ? $"Dry run: would remove {count} file(s), {Format.Bytes(report.FreedBytes)}.\n"
            : $"Removed {count} file(s), {Format.Bytes(report.FreedBytes)}.\n"));
    }
}
