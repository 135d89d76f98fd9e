using System.CommandLine;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint list [root]</c>: the checkpoints, cumulative CSVs, backups and temp files under a root.</summary>
internal static class ListCommand
{
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var root = new Argument<string>("root") { Description = "The folder to look in (default: data).", DefaultValueFactory = _ => "data" };
        var command = new Command("list", "List stage checkpoints, journals, cumulative CSVs, backups and orphaned temp files.") { root };
        command.SetAction(CliApp.Guard(console, globals, (parse, cancellationToken) =>
        {
            var rootPath = Path.GetFullPath(parse.GetValue(root)!);
            if (!Directory.Exists(rootPath))
            {
                throw new UsageException($"Root folder '{rootPath}' does not exist.");
            }

            var report = new ListReport(rootPath, FileInventory.Scan(rootPath, cancellationToken));
            if (parse.GetValue(globals.Json))
            {
                CliJson.Write(console.Out, report, CliJsonContext.Default.ListReport);
                return Task.FromResult(ExitCodes.Ok);
            }

            if (report.Files.Count == 0)
            {
                console.Ansi.Write(new Text($"Nothing under {rootPath}.\n"));
                return Task.FromResult(ExitCodes.Ok);
            }

            var table = new Table { Border = TableBorder.Rounded };
            table.AddColumn("File");
            table.AddColumn("Kind");
            table.AddColumn(new TableColumn("Size").RightAligned());
            table.AddColumn("Modified");
            table.AddColumn("Note");
            foreach (var file in report.Files)
            {
                table.AddRow(new Text(Path.GetRelativePath(rootPath, file.Path)), new Text(file.Kind), new Text(Format.Bytes(file.SizeBytes)), new Text(Format.Time(file.ModifiedAt)), new Text(file.Note ?? ""));
            }

            console.Ansi.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
