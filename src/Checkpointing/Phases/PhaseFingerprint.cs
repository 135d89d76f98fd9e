using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Checkpointing.Phases;

/// <summary>
/// What a phase's state was computed from. A snapshot saved under one fingerprint is not returned to a run
/// whose inputs have another, so a completed phase is redone when a book is added, removed or changed.
/// The value is <c>sha256:</c> followed by 64 hex digits (see docs/phase-snapshots.md).
/// </summary>
public sealed record PhaseFingerprint
{
    private const string Prefix = "sha256:";

    private PhaseFingerprint(string value) => Value = value;

    /// <summary>The fingerprint as written in a snapshot's <c>input_fingerprint</c>.</summary>
    public string Value { get; }

    /// <summary>
    /// Fingerprints input files by name, length and content (SHA-256), in any order: adding, removing,
    /// renaming or changing a file changes it; moving the folder does not.
    /// </summary>
    /// <param name="paths">The input files.</param>
    /// <exception cref="FileNotFoundException">A file does not exist (the message names it).</exception>
    /// <exception cref="ArgumentException">Two inputs are the same file.</exception>
    public static PhaseFingerprint OfFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var lines = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            ArgumentException.ThrowIfNullOrEmpty(path, nameof(paths));
            var full = Path.GetFullPath(path);
            if (!seen.Add(full))
            {
                throw new ArgumentException($"Input file '{full}' is listed twice.", nameof(paths));
            }

            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"Input file '{full}' of the phase fingerprint does not exist.", full);
            }

            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var hash = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(full)}\t{stream.Length}\t{hash}\n"));
        }

        lines.Sort(StringComparer.Ordinal);
        return FromBytes(Encoding.UTF8.GetBytes(string.Concat(lines)));
    }

    /// <summary>Fingerprints inputs that are not files (a model name, a prompt version): the parts joined by a line feed.</summary>
    /// <param name="parts">The parts, in a meaningful order.</param>
    public static PhaseFingerprint Of(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return FromBytes(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
    }

    /// <summary>Reads a fingerprint written by <see cref="Value"/> (for instance, kept by another tool).</summary>
    /// <exception cref="FormatException">The value is not <c>sha256:</c> and 64 lower-case hex digits.</exception>
    public static PhaseFingerprint Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return IsWellFormed(value)
            ? new PhaseFingerprint(value)
            : throw new FormatException($"'{value}' is not a phase fingerprint (sha256: and 64 lower-case hex digits).");
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    internal static bool IsWellFormed(string value) =>
        value.Length == Prefix.Length + 64 &&
        value.StartsWith(Prefix, StringComparison.Ordinal) &&
        value.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    private static PhaseFingerprint FromBytes(byte[] content) => new(Prefix + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant());
}
