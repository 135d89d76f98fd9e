namespace Checkpointing.Cli;

/// <summary>The tool's exit codes (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Everything is fine (or was done).</summary>
    public const int Ok = 0;

    /// <summary>Problems were found, or the change was refused or not confirmed.</summary>
    public const int Problems = 1;

    /// <summary>The command line is wrong: unknown option, missing file, run or stage.</summary>
    public const int Usage = 2;
}

/// <summary>A mistake in the command line or its arguments: exit code 2, one line naming what is wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A refusal or failure that is not a bug: exit code 1, one line.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
