using Checkpointing.Cli.Json;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Decides which files <c>clean</c> removes and removes them. Only kinds that are safe to lose are candidates
/// (stage checkpoints, journals and the snapshot's recovery copy never are); of each group the newest
/// <c>keep</c> stay, the latest cumulative CSV of an imprint always stays, and nothing newer than
/// <c>olderThan</c> goes. A file is only removed while holding the locks of whoever writes it, so a
/// running pipeline never loses a file it is using.
/// </summary>
internal static class Cleaner
{
    private static readonly HashSet<string> Candidates = [FileKinds.CumulativeCsv, FileKinds.TempFile, FileKinds.SetAside, FileKinds.RedoBackup, FileKinds.Backup, FileKinds.PhaseSnapshot];

    public static CleanReport Run(string root, TimeSpan olderThan, int keep, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var files = FileInventory.Scan(root, cancellationToken).Where(f => Candidates.Contains(f.Kind)).ToList();
        var plan = new List<(FileEntry File, bool Delete, string Reason)>();
        foreach (var group in files.GroupBy(f => (f.Kind, f.Group)))
        {
            var newestFirst = group.Key.Kind == FileKinds.PhaseSnapshot
                ? group.Select(f => (File: f, Snapshot: PhaseSnapshots.Inspect(f.Path))).OrderByDescending(s => s.Snapshot.Valid).ThenByDescending(s => s.Snapshot.Sequence).Select(s => s.File).ToList()
                : group.OrderByDescending(FileInventory.AgeOf).ThenByDescending(f => f.Path, StringComparer.Ordinal).ToList();
            for (var i = 0; i < newestFirst.Count; i++)
            {
                var file = newestFirst[i];
                var age = now - FileInventory.AgeOf(file);
                if (file.Kind == FileKinds.CumulativeCsv && i == 0)
                {
                    plan.Add((file, false, "the latest of its imprint (the one a run resumes) is always kept"));
                }
                else if (file.Kind == FileKinds.PhaseSnapshot && i == 0)
                {
                    plan.Add((file, false, "the latest valid snapshot of its phase (the one a run resumes from) is always kept"));
                }
                else if (file.Kind != FileKinds.TempFile && i < keep)
                {
                    plan.Add((file, false, $"among the newest {keep} of its group"));
                }
                else if (age < olderThan)
                {
                    plan.Add((file, false, $"newer than {Describe(olderThan)}"));
                }
                else
                {
                    plan.Add((file, true, $"{Describe(age)} old" + (file.Kind == FileKinds.TempFile ? "" : $", beyond the newest {keep}")));
                }
            }
        }

        var entries = new List<CleanEntry>();
        long freed = 0;
        using var locks = new LockSet();
        foreach (var (file, delete, reason) in plan.OrderBy(p => p.File.Path, StringComparer.Ordinal))
        {
            if (!delete)
            {
                entries.Add(new CleanEntry(file.Path, file.Kind, file.SizeBytes, file.ModifiedAt, "kept", reason));
                continue;
            }

            if (locks.FirstHeld(LocksFor(root, file)) is { } held)
            {
                entries.Add(new CleanEntry(file.Path, file.Kind, file.SizeBytes, file.ModifiedAt, "kept", $"in use: the lock '{held}' is held by a running pipeline"));
                continue;
            }

            if (dryRun)
            {
                entries.Add(new CleanEntry(file.Path, file.Kind, file.SizeBytes, file.ModifiedAt, "would_delete", reason));
                freed += file.SizeBytes;
                continue;
            }

            try
            {
                File.Delete(file.Path);
                entries.Add(new CleanEntry(file.Path, file.Kind, file.SizeBytes, file.ModifiedAt, "deleted", reason));
                freed += file.SizeBytes;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                entries.Add(new CleanEntry(file.Path, file.Kind, file.SizeBytes, file.ModifiedAt, "failed", e.Message));
            }
        }

        return new CleanReport(root, dryRun, olderThan.TotalSeconds, keep, freed, entries);
    }

    /// <summary>The lock files of whoever may write <paramref name="file"/>: its run's stages, and its imprint's cumulative CSV.</summary>
    private static IEnumerable<string> LocksFor(string root, FileEntry file)
    {
        var folder = Path.GetDirectoryName(file.Path)!;
        var relative = Path.GetRelativePath(root, folder);
        var run = relative == "." ? null : relative.Split(Path.DirectorySeparatorChar)[0];
        var checkpoints = run is null ? null : Path.Combine(root, run, StageLocation.CheckpointsFolder);
        if (checkpoints is not null && Directory.Exists(checkpoints))
        {
            foreach (var lockFile in Directory.EnumerateFiles(checkpoints, "*.lock"))
            {
                yield return lockFile;
            }
        }

        if (file.Kind == FileKinds.PhaseSnapshot || (file.Kind == FileKinds.TempFile && Path.GetFileName(file.Path).StartsWith(".checkpoint_", StringComparison.Ordinal)))
        {
            yield return Path.Combine(folder, "phase.lock");
        }

        var name = Path.GetFileName(file.Path).TrimStart('.');
        if (FileInventory.CumulativeName().Match(StripTemp(name)) is { Success: true } match)
        {
            yield return Path.Combine(folder, $".cumulative_checkpoint_{match.Groups[2].Value}.lock");
        }
    }

    private static string StripTemp(string name)
    {
        // ".<name>.<12 hex>.ckpt.tmp" -> "<name>"
        if (!name.EndsWith(".ckpt.tmp", StringComparison.Ordinal))
        {
            return name;
        }

        var withoutSuffix = name[..^".ckpt.tmp".Length];
        var dot = withoutSuffix.LastIndexOf('.');
        return dot > 0 ? withoutSuffix[..dot] : withoutSuffix;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{span.TotalDays:0} days"
        : span.TotalHours >= 2 ? $"{span.TotalHours:0} hours"
        : span.TotalMinutes >= 2 ? $"{span.TotalMinutes:0} minutes"
        : $"{span.TotalSeconds:0} seconds";

    /// <summary>Locks taken by <c>clean</c>, held until it ends.</summary>
    private sealed class LockSet : IDisposable
    {
        private readonly Dictionary<string, FileStream?> _held = new(StringComparer.Ordinal);

        /// <summary>Takes every lock; returns the first one another process holds, or null.</summary>
        public string? FirstHeld(IEnumerable<string> paths)
        {
            foreach (var path in paths)
            {
                if (_held.TryGetValue(path, out var taken))
                {
                    if (taken is null)
                    {
                        return path;
                    }

                    continue;
                }

                try
                {
                    // FileMode.Open: a lock file that does not exist is held by no one, and clean creates nothing.
                    _held[path] = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }
                catch (IOException)
                {
                    _held[path] = null;
                    return path;
                }
            }

            return null;
        }

        public void Dispose()
        {
            foreach (var stream in _held.Values)
            {
                stream?.Dispose();
            }
        }
    }
}
