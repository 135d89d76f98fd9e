using Spectre.Console;

namespace Checkpointing.Cli;

/// <summary>
/// The tool's streams: standard output for results (tables or JSON), standard error for errors and prompts,
/// standard input for confirmations. Tests run the tool in process over string writers.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, TextReader input, bool interactive, int? width = null)
    {
        Out = output;
        Error = error;
        In = input;
        Interactive = interactive;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });

        // Redirected output has no width of its own: $COLUMNS, else wide enough that rows stay on one line.
        if (!interactive)
        {
            Ansi.Profile.Width = width ?? 200;
        }
    }

    /// <summary>Results.</summary>
    public TextWriter Out { get; }

    /// <summary>Errors, warnings and prompts.</summary>
    public TextWriter Error { get; }

    /// <summary>Confirmations.</summary>
    public TextReader In { get; }

    /// <summary>Whether standard output is a terminal (live views, colours).</summary>
    public bool Interactive { get; }

    /// <summary>Spectre.Console over <see cref="Out"/>, for tables, trees and live views.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>The process's own console.</summary>
    public static CliConsole System() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsOutputRedirected,
            int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20 ? columns : null);
}
