using System.Globalization;
using System.Text.RegularExpressions;
using Checkpointing.Cli.Json;

namespace Checkpointing.Cli.Inspection;

/// <summary>The kinds of files <c>list</c> shows and <c>clean</c> may remove (docs/cli.md).</summary>
internal static class FileKinds
{
    public const string StageCheckpoint = "stage_checkpoint";
    public const string StageJournal = "stage_journal";
    public const string CheckpointBackup = "checkpoint_backup";
    public const string CumulativeCsv = "cumulative_csv";
    public const string SetAside = "set_aside";
    public const string RedoBackup = "redo_backup";
    public const string Backup = "backup";
    public const string TempFile = "temp_file";
    public const string PhaseSnapshot = "phase_snapshot";
    public const string BatchCheckpoint = "batch_checkpoint";
}

/// <summary>Finds the files the library and this tool write under a root, by their documented names.</summary>
internal static partial class FileInventory
{
    private const int MaxDepth = 6;

    /// <summary>The suffix of an output set aside by <c>checkpoint redo</c>: <c>&lt;key&gt;.json.redo-&lt;UTC time&gt;.bak</c>.</summary>
    public static string RedoBackupName(string key, DateTimeOffset at) =>
        $"{key}.json.redo-{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}.bak";

    public static List<FileEntry> Scan(string root, CancellationToken cancellationToken)
    {
        var files = new List<FileEntry>();
        Walk(root, root, 0, files, cancellationToken);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        MarkLatestCumulative(files);
        return files;
    }

    private static void Walk(string root, string folder, int depth, List<FileEntry> files, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var inCheckpoints = Path.GetFileName(folder) == StageLocation.CheckpointsFolder;
        foreach (var info in new DirectoryInfo(folder).EnumerateFiles())
        {
            if (Classify(info.Name, inCheckpoints) is not { } kind)
            {
                continue;
            }

            var group = kind.Group is null ? Path.GetRelativePath(root, folder) : Path.Combine(Path.GetRelativePath(root, folder), kind.Group);
            files.Add(new FileEntry(info.FullName, kind.Kind, group, info.Length, info.LastWriteTimeUtc, kind.Note));
        }

        if (depth >= MaxDepth)
        {
            return;
        }

        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            Walk(root, sub, depth + 1, files, cancellationToken);
        }
    }

    private static (string Kind, string? Group, string? Note)? Classify(string name, bool inCheckpoints)
    {
        if (name.EndsWith(".ckpt.tmp", StringComparison.Ordinal) && name.StartsWith('.'))
        {
            return (FileKinds.TempFile, null, "left by an interrupted atomic write");
        }

        if (inCheckpoints)
        {
            if (name.EndsWith(".json.bak", StringComparison.Ordinal))
            {
                return (FileKinds.CheckpointBackup, name[..^".json.bak".Length], "previous snapshot, the runtime's recovery copy");
            }

            if (name.EndsWith(BatchCheckpoints.Suffix, StringComparison.Ordinal))
            {
                return (FileKinds.BatchCheckpoint, name[..^BatchCheckpoints.Suffix.Length], null);
            }

            if (name.EndsWith(".journal", StringComparison.Ordinal))
            {
                return (FileKinds.StageJournal, name[..^".journal".Length], null);
            }

            if (StageLocation.IsStageSnapshotName(name))
            {
                return (FileKinds.StageCheckpoint, name[..^".json".Length], null);
            }

            return null;
        }

        if (PhaseSnapshots.IsSnapshotName(name))
        {
            return (FileKinds.PhaseSnapshot, null, null);
        }

        if (CumulativeName().Match(name) is { Success: true } cumulative)
        {
            return (FileKinds.CumulativeCsv, cumulative.Groups[2].Value, null);
        }

        if (RedoName().Match(name) is { Success: true } redo)
        {
            return (FileKinds.RedoBackup, redo.Groups[1].Value, "an output set aside by 'checkpoint redo'");
        }

        if (name.EndsWith(".old", StringComparison.Ordinal))
        {
            return (FileKinds.SetAside, null, "set aside by a fresh start");
        }

        return name.EndsWith(".bak", StringComparison.Ordinal) ? (FileKinds.Backup, null, null) : null;
    }

    private static void MarkLatestCumulative(List<FileEntry> files)
    {
        foreach (var group in files.Where(f => f.Kind == FileKinds.PhaseSnapshot).GroupBy(f => f.Group).ToList())
        {
            foreach (var file in group)
            {
                var snapshot = PhaseSnapshots.Inspect(file.Path);
                var note = snapshot.Valid ? $"iteration {snapshot.Iteration}, sequence {snapshot.Sequence}" + (snapshot.Complete ? ", complete" : "") : "invalid: " + snapshot.Problem;
                files[files.IndexOf(file)] = file with { Note = note };
            }
        }

        foreach (var file in files.Where(f => f.Kind == FileKinds.BatchCheckpoint).ToList())
        {
            var checkpoint = BatchCheckpoints.Read(file.Path);
            files[files.IndexOf(file)] = file with { Note = checkpoint.Problem is null ? $"{checkpoint.Status}, batch {checkpoint.Batch}, {checkpoint.Rows} row(s) in {checkpoint.File}" : "unreadable: " + checkpoint.Problem };
        }

        foreach (var group in files.Where(f => f.Kind == FileKinds.CumulativeCsv).GroupBy(f => f.Group).ToList())
        {
            var latest = group.MaxBy(f => Path.GetFileName(f.Path), StringComparer.Ordinal)!;
            files[files.IndexOf(latest)] = latest with { Note = "latest of its imprint: the one a run resumes" };
        }
    }

    /// <summary>The timestamp a file's name carries, else its last write: what "older than" and "newest" compare.</summary>
    public static DateTimeOffset AgeOf(FileEntry file)
    {
        var name = Path.GetFileName(file.Path);
        if (CumulativeName().Match(name) is { Success: true } match
            && DateTime.TryParseExact(match.Groups[1].Value, "yyyyMMdd_HHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
        {
            // A resumed file keeps being appended to: its last write says when it was last used.
            return new DateTimeOffset(created, TimeSpan.Zero) > file.ModifiedAt ? new DateTimeOffset(created, TimeSpan.Zero) : file.ModifiedAt;
        }

        if (PhaseName().Match(name) is { Success: true } phase
            && DateTime.TryParseExact(phase.Groups[1].Value, "yyyyMMdd_HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var saved))
        {
            return new DateTimeOffset(saved, TimeSpan.Zero);
        }

        if (RedoName().Match(name) is { Success: true } redo
            && DateTime.TryParseExact(redo.Groups[2].Value, "yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var setAside))
        {
            // A move keeps the output's own time: the name says when it was set aside.
            return new DateTimeOffset(setAside, TimeSpan.Zero);
        }

        return file.ModifiedAt;
    }

    [GeneratedRegex(@"^cumulative_checkpoint_(\d{8}_\d{4})_(.+)\.csv$", RegexOptions.CultureInvariant)]
    public static partial Regex CumulativeName();

    [GeneratedRegex(@"^checkpoint_(\d{8}_\d{6})_iter\d+_seq\d+\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex PhaseName();

    [GeneratedRegex(@"^(.+)\.json\.redo-(\d{8}T\d{9}Z)\.bak$", RegexOptions.CultureInvariant)]
    private static partial Regex RedoName();
}
