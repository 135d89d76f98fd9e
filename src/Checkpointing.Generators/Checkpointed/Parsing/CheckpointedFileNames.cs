using System;

namespace Checkpointing.Generators.Checkpointed.Parsing;

/// <summary>
/// The compile-time twin of the runtime's <c>CheckpointKeys.GetProblem</c>: stage names and output
/// folders become file names, so the generator rejects the same names the runtime would.
/// </summary>
internal static class CheckpointedFileNames
{
    public const int MaxLength = 200;

    private static readonly string[] WindowsReserved =
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Why <paramref name="name"/> is not usable as a file name, or null when it is.</summary>
    public static string? GetProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }

        if (name!.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (name is "." or "..")
        {
            return "it names a directory";
        }

        foreach (var c in name)
        {
            if (c is '/' or '\\')
            {
                return "it contains a path separator";
            }

            if (char.IsControl(c))
            {
                return "it contains a control character";
            }

            if (c is ':' or '*' or '?' or '"' or '<' or '>' or '|')
            {
                return $"it contains '{c}', which Windows file names cannot hold";
            }
        }

        if (name.IndexOf("..", StringComparison.Ordinal) >= 0)
        {
            return "it contains '..'";
        }

        if (name.EndsWith(".", StringComparison.Ordinal) || name.EndsWith(" ", StringComparison.Ordinal) || name.StartsWith(" ", StringComparison.Ordinal))
        {
            return "it starts with a space or ends with a space or a dot";
        }

        if (name.StartsWith(".", StringComparison.Ordinal))
        {
            return "it starts with a dot (hidden and temp files start with one)";
        }

        var stem = name.Split('.')[0];
        foreach (var reserved in WindowsReserved)
        {
            if (string.Equals(stem, reserved, StringComparison.OrdinalIgnoreCase))
            {
                return $"'{stem}' is a device name Windows reserves";
            }
        }

        return null;
    }
}
