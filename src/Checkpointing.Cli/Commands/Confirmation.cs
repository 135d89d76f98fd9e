namespace Checkpointing.Cli.Commands;

/// <summary>Asks before a change: a question on standard error, an answer on standard input.</summary>
internal static class Confirmation
{
    /// <summary>Returns when confirmed (or <paramref name="yes"/>); throws otherwise, nothing changed.</summary>
    public static async Task RequireAsync(CliConsole console, bool yes, string question, CancellationToken cancellationToken)
    {
        if (yes)
        {
            return;
        }

        await console.Error.WriteAsync(question + " [y/N] ").ConfigureAwait(false);
        await console.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
        var answer = await console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            await console.Error.WriteLineAsync().ConfigureAwait(false);
            throw new CommandFailedException("Not confirmed (no answer on standard input; pass --yes to confirm in scripts). Nothing was changed.");
        }

        if (answer.Trim().ToLowerInvariant() is not ("y" or "yes"))
        {
            throw new CommandFailedException("Not confirmed. Nothing was changed.");
        }
    }
}
