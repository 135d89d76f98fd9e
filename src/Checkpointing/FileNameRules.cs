// The one rule for names that become file names (item keys, stage names, run ids, output folders, CSV
// imprints, phase names). Compiled into both the runtime and the generator (netstandard2.0), so the
// generator rejects at compile time exactly the names the runtime would reject when the stage runs.
using System;

namespace Checkpointing
{
    internal static class FileNameRules
    {
        /// <summary>The longest name accepted, in UTF-16 code units (file names are at most 255 bytes).</summary>
        public const int MaxLength = 200;

        private static readonly string[] WindowsReserved =
        {
            "CON", "PRN", "AUX", "NUL",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        };

        /// <summary>Why <paramref name="name"/> is not usable as a file name on every supported system, or null when it is.</summary>
        public static string? GetProblem(string? name)
        {
            if (name is null || name.Length == 0)
            {
                return "it is empty";
            }

            if (name.Length > MaxLength)
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

            if (name[name.Length - 1] is '.' or ' ' || name[0] == ' ')
            {
                return "it starts with a space or ends with a space or a dot";
            }

            if (name[0] == '.')
            {
                return "it starts with a dot (hidden and temp files start with one)";
            }

            var dot = name.IndexOf('.');
            var stem = dot < 0 ? name : name.Substring(0, dot);
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
}
