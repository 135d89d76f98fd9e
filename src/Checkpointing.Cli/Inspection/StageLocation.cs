namespace Checkpointing.Cli.Inspection;

/// <summary>Where a stage's files are (docs/checkpoint-format.md): <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;stage&gt;.*</c>.</summary>
/// <param name="Root">The storage root, a full path.</param>
/// <param name="RunId">The run id.</param>
/// <param name="Stage">The stage name.</param>
internal sealed record StageLocation(string Root, string RunId, string Stage)
{
    /// <summary>The folder name of a run's checkpoints.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>The run's folder.</summary>
    public string RunDirectory => Path.Combine(Root, RunId);

    /// <summary>The run's checkpoint folder.</summary>
    public string CheckpointDirectory => Path.Combine(Root, RunId, CheckpointsFolder);

    /// <summary>The snapshot.</summary>
    public string SnapshotPath => Path.Combine(CheckpointDirectory, Stage + ".json");

    /// <summary>The previous snapshot, kept by the runtime for recovery.</summary>
    public string BackupPath => SnapshotPath + ".bak";

    /// <summary>The journal.</summary>
    public string JournalPath => Path.Combine(CheckpointDirectory, Stage + ".journal");

    /// <summary>The lock holder's file.</summary>
    public string LockInfoPath => Path.Combine(CheckpointDirectory, Stage + ".lock.json");

    /// <summary>The outputs' folder for <paramref name="outputDirectory"/> (the stage name when empty).</summary>
    public string OutputPath(string? outputDirectory) =>
        Path.Combine(Root, RunId, string.IsNullOrEmpty(outputDirectory) ? Stage : outputDirectory);

    /// <summary>
    /// The stage a checkpoint file belongs to, from its path (<c>.../&lt;run&gt;/checkpoints/&lt;stage&gt;.json</c>
    /// or <c>.journal</c>); null when the path is not laid out that way.
    /// </summary>
    public static StageLocation? FromCheckpointFile(string path)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        string stage;
        if (name.EndsWith(".journal", StringComparison.Ordinal))
        {
            stage = name[..^".journal".Length];
        }
        else if (IsStageSnapshotName(name))
        {
            stage = name[..^".json".Length];
        }
        else
        {
            return null;
        }

        var checkpoints = Path.GetDirectoryName(full);
        if (checkpoints is null || Path.GetFileName(checkpoints) != CheckpointsFolder || stage.Length == 0)
        {
            return null;
        }

        var run = Path.GetDirectoryName(checkpoints);
        var root = run is null ? null : Path.GetDirectoryName(run);
        return root is null ? null : new StageLocation(root, Path.GetFileName(run!), stage);
    }

    /// <summary>The stages of a run, from the names of their snapshots and journals, sorted.</summary>
    public static IReadOnlyList<StageLocation> InRun(string root, string runId)
    {
        var directory = Path.Combine(root, runId, CheckpointsFolder);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var stages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                continue;
            }

            if (name.EndsWith(".journal", StringComparison.Ordinal))
            {
                stages.Add(name[..^".journal".Length]);
            }
            else if (IsStageSnapshotName(name))
            {
                stages.Add(name[..^".json".Length]);
            }
        }

        return stages.Select(s => new StageLocation(root, runId, s)).ToList();
    }

    /// <summary>Whether a file of a checkpoints folder is a stage snapshot (not a lock holder or a shared-file batch checkpoint).</summary>
    public static bool IsStageSnapshotName(string name) =>
        name.EndsWith(".json", StringComparison.Ordinal)
        && !name.EndsWith(".lock.json", StringComparison.Ordinal)
        && !name.EndsWith(BatchCheckpoints.Suffix, StringComparison.Ordinal);

    /// <summary>The runs under a root: its folders that have a checkpoint folder, sorted.</summary>
    public static IReadOnlyList<string> Runs(string root) =>
        Directory.EnumerateDirectories(root)
            .Where(d => Directory.Exists(Path.Combine(d, CheckpointsFolder)))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
}
