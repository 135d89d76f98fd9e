namespace Checkpointing;

/// <summary>Thrown when a stage's checkpoint is held by another process or another open in this process.</summary>
public sealed class CheckpointLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointLockedException(string stageName, string lockPath, int? ownerProcessId, string? ownerHost, DateTimeOffset? since)
        : base(BuildMessage(stageName, lockPath, ownerProcessId, ownerHost, since))
    {
        StageName = stageName;
        LockPath = lockPath;
        OwnerProcessId = ownerProcessId;
        OwnerHost = ownerHost;
        Since = since;
    }

    /// <summary>The stage whose checkpoint is locked.</summary>
    public string StageName { get; }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }

    /// <summary>The process id of the holder, when it could be read.</summary>
    public int? OwnerProcessId { get; }

    /// <summary>The host of the holder, when it could be read.</summary>
    public string? OwnerHost { get; }

    /// <summary>Since when the holder has held the lock, when it could be read.</summary>
    public DateTimeOffset? Since { get; }

    private static string BuildMessage(string stageName, string lockPath, int? pid, string? host, DateTimeOffset? since)
    {
        var who = pid is null ? "another process (owner unknown)" : $"process {pid} on {host ?? "unknown host"}";
        var when = since is null ? "" : $" since {since:yyyy-MM-dd HH:mm:ss zzz}";
        return $"Stage '{stageName}' is already running: its checkpoint lock '{lockPath}' is held by {who}{when}. " +
               "Wait for that run to finish or stop it; a lock of a killed process is released automatically.";
    }
}

/// <summary>Thrown when a checkpoint cannot be read and the run is configured strict (or nothing else can be trusted).</summary>
public sealed class CheckpointCorruptException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointCorruptException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint '{path}' is unreadable: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The unreadable file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
