using System.CommandLine;
using System.Globalization;
using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Json;
using Spectre.Console;

namespace Checkpointing.Cli.Commands;

/// <summary><c>checkpoint compare &lt;cumulative.csv&gt; &lt;batch.csv&gt; [--key COLUMN]</c>.</summary>
internal static class CompareCommand
{
    private const int ShownCells = 100;

    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        var cumulative = new Argument<string>("cumulative") { Description = "The cumulative checkpoint CSV (or any CSV taken as the reference)." };
        var batch = new Argument<string>("batch") { Description = "The batch CSV to compare with it." };
        var key = new Option<string?>("--key") { Description = "The column that identifies a row (default: 'ISBN or SKU' when present, else the first column)." };
        var command = new Command("compare", "Compare a cumulative checkpoint CSV with a batch CSV: missing, extra and different rows, cell by cell.")
        {
            cumulative, batch, key,
        };
        command.SetAction(CliApp.Guard(console, globals, (parse, cancellationToken) =>
        {
            var report = CsvComparer.Compare(parse.GetValue(cumulative)!, parse.GetValue(batch)!, parse.GetValue(key), cancellationToken);
            if (parse.GetValue(globals.Json))
            {
                CliJson.Write(console.Out, report, CliJsonContext.Default.CompareReport);
            }
            else
            {
                Render(console, report);
            }

            return Task.FromResult(report.Identical ? ExitCodes.Ok : ExitCodes.Problems);
        }));
        return command;
    }

    private static void Render(CliConsole console, CompareReport report)
    {
        var ansi = console.Ansi;
        ansi.Write(new Text($"cumulative: {report.Cumulative} ({report.CumulativeRows.ToString("#,0", CultureInfo.InvariantCulture)} rows)\n"));
        ansi.Write(new Text($"batch:      {report.Batch} ({report.BatchRows.ToString("#,0", CultureInfo.InvariantCulture)} rows)\n"));
        ansi.Write(new Text($"key:        {report.KeyColumn}\n"));
        foreach (var column in report.ColumnsOnlyInCumulative)
        {
            ansi.Write(new Text($"column only in the cumulative CSV: '{column}'\n", new Style(Color.Yellow)));
        }

        foreach (var column in report.ColumnsOnlyInBatch)
        {
            ansi.Write(new Text($"column only in the batch CSV: '{column}'\n", new Style(Color.Yellow)));
        }

        foreach (var row in report.MissingFromBatch)
        {
            ansi.Write(new Text($"missing from the batch: {row.Key} (cumulative line {row.Line})\n", new Style(Color.Red)));
        }

        foreach (var row in report.ExtraInBatch)
        {
            ansi.Write(new Text($"extra in the batch: {row.Key} (batch line {row.Line})\n", new Style(Color.Red)));
        }

        if (report.Different.Count > 0)
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle($"{report.Different.Count} row(s) differ") };
            table.AddColumn("Key");
            table.AddColumn("Lines");
            table.AddColumn("Column");
            table.AddColumn("Cumulative");
            table.AddColumn("Batch");
            var shown = 0;
            foreach (var row in report.Different)
            {
                foreach (var cell in row.Cells)
                {
                    if (shown++ < ShownCells)
                    {
                        table.AddRow(new Text(row.Key), new Text($"{row.CumulativeLine} / {row.BatchLine}"), new Text(cell.Column), new Text(Clip(cell.Cumulative)), new Text(Clip(cell.Batch)));
                    }
                }
            }

            ansi.Write(table);
            if (shown > ShownCells)
            {
                ansi.Write(new Text($"... and {shown - ShownCells} more differing cell(s); --json lists them all\n"));
            }
        }

        foreach (var problem in report.Problems)
        {
            ansi.Write(new Text($"{problem.Severity}: {problem.File}{(problem.Line is null ? "" : $", line {problem.Line}")}: {problem.Message}\n", new Style(Color.Red)));
        }

        ansi.Write(report.Identical
            ? new Text("IDENTICAL: every row of the cumulative CSV is in the batch, cell for cell\n", new Style(Color.Green))
            : new Text($"DIFFERENT: {report.MissingFromBatch.Count} missing, {report.ExtraInBatch.Count} extra, {report.Different.Count} different row(s)\n", new Style(Color.Red)));
    }

    private static string Clip(string value)
    {
        var line = Format.OneLine(value);
        return line.Length > 60 ? line[..57] + "..." : line;
    }
}
