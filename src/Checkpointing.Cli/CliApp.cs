using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Checkpointing.Cli.Commands;

namespace Checkpointing.Cli;

/// <summary>The options every command has.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json") { Description = "Write the result as JSON (versioned shapes, see docs/cli.md).", Recursive = true };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "On an error, also print the stack trace.", Recursive = true };
}

/// <summary>The <c>checkpoint</c> command line: commands, global options, error handling and exit codes.</summary>
internal static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">The streams.</param>
    /// <param name="handleTermination">Whether Ctrl+C cancels the command (a process); off for tests in process.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static async Task<int> RunAsync(string[] args, CliConsole console, bool handleTermination = false, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Inspect, validate, compare, clean and redo the files written by Checkpointing (docs/cli.md).")
        {
            StatusCommand.Create(globals, console),
            ValidateCommand.Create(globals, console),
            CompareCommand.Create(globals, console),
            ListCommand.Create(globals, console),
            CleanCommand.Create(globals, console),
            RedoCommand.Create(globals, console),
            ResetCommand.Create(globals, console),
        };
        root.Options.Add(globals.Json);
        root.Options.Add(globals.Verbose);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine("checkpoint: " + Format.OneLine(error.Message));
            }

            var command = parse.CommandResult.Command;
            var name = command is RootCommand ? "" : command.Name + " ";
            console.Error.WriteLine($"Run 'checkpoint {name}--help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = handleTermination ? TimeSpan.FromSeconds(3) : null,
        };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command's body and turns what it throws into one line on standard error (the stack trace only
    /// with --verbose) and an exit code: usage mistakes 2, everything else 1.
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guard(
        CliConsole console, GlobalOptions globals, Func<ParseResult, CancellationToken, Task<int>> body) =>
        async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                console.Error.WriteLine("checkpoint: " + Format.OneLine(e.Message));
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                console.Error.WriteLine("checkpoint: cancelled");
                return ExitCodes.Problems;
            }
            catch (Exception e)
            {
                console.Error.WriteLine("checkpoint: " + (e is CommandFailedException ? "" : "error: ") + Format.OneLine(e.Message));
                if (parse.GetValue(globals.Verbose))
                {
                    console.Error.WriteLine(e.ToString());
                }

                return ExitCodes.Problems;
            }
        };
}
