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
        _width = width;
    }

    private readonly int? _width;
    private IAnsiConsole? _ansi;

    /// <summary>Results.</summary>
    public TextWriter Out { get; }

    /// <summary>Errors, warnings and prompts.</summary>
    public TextWriter Error { get; }

    /// <summary>Confirmations.</summary>
    public TextReader In { get; }

    /// <summary>Whether standard output is a terminal (live views, colours).</summary>
    public bool Interactive { get; }

    /// <summary>
    /// Spectre.Console over <see cref="Out"/>, for tables, trees and live views; created on first use, so that
    /// <c>--json</c> and errors never pay for detecting the terminal (start-up time, docs/cli.md).
    /// </summary>
    public IAnsiConsole Ansi => _ansi ??= CreateAnsi();

    private IAnsiConsole CreateAnsi()
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });

        // Redirected output has no width of its own: $COLUMNS, else wide enough that rows stay on one line.
        if (!Interactive)
        {
            ansi.Profile.Width = _width ?? 200;
        }

        return ansi;
    }

    /// <summary>The process's own console.</summary>
    public static CliConsole System() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsOutputRedirected,
            int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20 ? columns : null);
}
