using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Checkpointing.Cli.Inspection;

/// <summary>One phase snapshot file, checked as docs/phase-snapshots.md (format <c>checkpointing.phase</c>, version 1) says.</summary>
/// <param name="Path">The file.</param>
/// <param name="Phase">The phase (its folder's name).</param>
/// <param name="Iteration">The iteration from the name.</param>
/// <param name="Sequence">The sequence from the name.</param>
/// <param name="Problem">Why it is not valid, or null.</param>
/// <param name="Complete">Whether it is the final snapshot of a finished phase.</param>
/// <param name="Timestamp">When it was saved.</param>
internal sealed record PhaseSnapshot(string Path, string Phase, int Iteration, long Sequence, string? Problem, bool Complete, DateTimeOffset? Timestamp)
{
    public bool Valid => Problem is null;
}

/// <summary>
/// Reads phase snapshots by their documented format, without the state's type: the name's shape, the
/// SHA-256 of the bytes before the <c>"sha256"</c> member, and the fields. The latest is the valid one with
/// the highest sequence.
/// </summary>
internal static partial class PhaseSnapshots
{
    public const string Format = "checkpointing.phase";

    public static bool IsSnapshotName(string name) => NamePattern().IsMatch(name);

    /// <summary>The snapshots of a phase folder, highest sequence first.</summary>
    public static List<PhaseSnapshot> InFolder(string folder) =>
        Directory.EnumerateFiles(folder, "checkpoint_*.json")
            .Where(f => IsSnapshotName(System.IO.Path.GetFileName(f)))
            .Select(Inspect)
            .OrderByDescending(s => s.Sequence)
            .ToList();

    /// <summary>The folders under <paramref name="root"/> (itself included) that hold phase snapshots.</summary>
    public static IEnumerable<string> Folders(string root, int depth = 3)
    {
        if (Directory.EnumerateFiles(root, "checkpoint_*.json").Any(f => IsSnapshotName(System.IO.Path.GetFileName(f))))
        {
            yield return root;
        }

        if (depth == 0)
        {
            yield break;
        }

        foreach (var sub in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var folder in Folders(sub, depth - 1))
            {
                yield return folder;
            }
        }
    }

    public static PhaseSnapshot Inspect(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        var phase = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path)) ?? "";
        var match = NamePattern().Match(name);
        if (!match.Success)
        {
            return new PhaseSnapshot(path, phase, 0, 0, "its name is not checkpoint_<yyyyMMdd>_<HHmmss>_iter<N>_seq<N>.json", false, null);
        }

        var iteration = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var sequence = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        PhaseSnapshot Invalid(string problem) => new(path, phase, iteration, sequence, problem, false, null);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Invalid("cannot be read: " + e.Message);
        }

        if (bytes.Length == 0)
        {
            return Invalid("the file is empty");
        }

        var member = bytes.AsSpan().LastIndexOf("\"sha256\""u8);
        var comma = member < 0 ? -1 : bytes.AsSpan(0, member).LastIndexOf((byte)',');
        if (comma < 0)
        {
            return Invalid("it has no \"sha256\" checksum (truncated?)");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var expected = root.GetProperty("sha256").GetString();
            var actual = Convert.ToHexString(SHA256.HashData(bytes.AsSpan(0, comma))).ToLowerInvariant();
            if (expected != actual)
            {
                return Invalid("its checksum does not match its content (torn, zero-filled or edited by hand)");
            }

            if (root.GetProperty("format").GetString() != Format)
            {
                return Invalid($"its format is '{root.GetProperty("format").GetString()}', not '{Format}'");
            }

            if (root.GetProperty("version").GetInt32() != 1)
            {
                return Invalid($"its version {root.GetProperty("version").GetInt32()} is not supported (this tool reads version 1)");
            }

            if (root.GetProperty("phase").GetString() != phase)
            {
                return Invalid($"it belongs to phase '{root.GetProperty("phase").GetString()}', not to its folder '{phase}'");
            }

            if (root.GetProperty("sequence").GetInt64() != sequence)
            {
                return Invalid($"its sequence {root.GetProperty("sequence").GetInt64()} is not the name's {sequence} (renamed by hand?)");
            }

            if (root.GetProperty("state").ValueKind == JsonValueKind.Null)
            {
                return Invalid("its state is null");
            }

            var timestamp = root.GetProperty("timestamp").GetDateTimeOffset();
            return new PhaseSnapshot(path, phase, root.GetProperty("iteration").GetInt32(), sequence, null, root.GetProperty("complete").GetBoolean(), timestamp);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Invalid("it is not a valid phase snapshot: " + e.Message);
        }
    }

    [GeneratedRegex(@"^checkpoint_\d{8}_\d{6}_iter(\d+)_seq(\d+)\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>A shared-file batch checkpoint, <c>&lt;run&gt;/checkpoints/&lt;name&gt;.batches.json</c> (docs/shared-file-batches.md, version 1).</summary>
internal sealed record BatchCheckpoint(
    string Path, string Name, string RunId, string? File, string Status, string? Error, DateTimeOffset? UpdatedAt,
    int Batch, string? Sha256, long FileLength, int Rows, int CompletedCount, int Failed, decimal TotalCostUsd, int Redo, string? Problem);

/// <summary>Reads shared-file batch checkpoints by their documented JSON and checks the shared file against them.</summary>
internal static class BatchCheckpoints
{
    public const string Suffix = ".batches.json";
    public const string Format = "checkpointing.shared-file";

    public static BatchCheckpoint Read(string path)
    {
        var name = System.IO.Path.GetFileName(path)[..^Suffix.Length];
        var runId = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(path))) ?? "";
        BatchCheckpoint Invalid(string problem) => new(path, name, runId, null, "unreadable", null, null, 0, null, 0, 0, 0, 0, 0, 0, problem);
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format)
            {
                return Invalid($"its format is '{root.GetProperty("format").GetString()}', not '{Format}'");
            }

            if (root.GetProperty("version").GetInt32() != 1)
            {
                return Invalid($"its version {root.GetProperty("version").GetInt32()} is not supported (this tool reads version 1)");
            }

            var completed = root.GetProperty("completed");
            var count = root.GetProperty("completed_count").GetInt32();
            string? problem = completed.EnumerateObject().Count() == count ? null : $"'completed_count' is {count} but 'completed' holds {completed.EnumerateObject().Count()} key(s) (edited by hand?)";
            return new BatchCheckpoint(
                path, name, root.GetProperty("run_id").GetString() ?? runId, root.GetProperty("file").GetString(), root.GetProperty("status").GetString() ?? "",
                root.GetProperty("error").GetString(), root.GetProperty("updated_at").GetDateTimeOffset(), root.GetProperty("batch").GetInt32(),
                root.GetProperty("sha256").GetString(), root.GetProperty("file_length").GetInt64(), root.GetProperty("rows").GetInt32(), count,
                root.GetProperty("failed").EnumerateObject().Count(), root.GetProperty("total_cost_usd").GetDecimal(), root.GetProperty("redo").GetArrayLength(), problem);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return Invalid("it is not a readable batch checkpoint: " + e.Message);
        }
    }

    /// <summary>Why the shared file does not match its checkpoint (SHA-256 and length), or null.</summary>
    public static string? CheckSharedFile(BatchCheckpoint checkpoint, string runDirectory)
    {
        if (checkpoint.File is null || checkpoint.Problem is not null)
        {
            return null;
        }

        var file = System.IO.Path.GetFullPath(System.IO.Path.Combine(runDirectory, checkpoint.File));
        if (!System.IO.File.Exists(file))
        {
            return checkpoint.Sha256 is null ? null : $"the shared file '{file}' is missing, but {checkpoint.Rows} row(s) were saved to it";
        }

        if (checkpoint.Sha256 is null)
        {
            return $"the shared file '{file}' exists but the checkpoint has saved nothing yet";
        }

        var bytes = System.IO.File.ReadAllBytes(file);
        var hash = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        return hash == checkpoint.Sha256 && bytes.LongLength == checkpoint.FileLength
            ? null
            : $"the shared file '{file}' ({bytes.LongLength} bytes) is not the one batch {checkpoint.Batch} saved ({checkpoint.FileLength} bytes, SHA-256 {checkpoint.Sha256[..12]}...): changed outside the run; the next run refuses it unless forced";
    }

    /// <summary>The OS lock file a run holds while it writes the checkpoint and its shared file.</summary>
    public static string LockPath(string checkpointPath) => checkpointPath[..^".json".Length] + ".lock";

    public static string Describe(BatchCheckpoint checkpoint) =>
        $"batch checkpoint {checkpoint.Name} (run {checkpoint.RunId}): {checkpoint.Status}, batch {checkpoint.Batch}, {checkpoint.CompletedCount} done, {checkpoint.Failed} failed, {Cli.Format.Money(checkpoint.TotalCostUsd)}";
}
