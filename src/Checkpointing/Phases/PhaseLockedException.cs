namespace Checkpointing.Phases;

/// <summary>Thrown when a phase is already open, in another process or in this one.</summary>
public sealed class PhaseLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PhaseLockedException(string phase, string lockPath, int? ownerProcessId, string? ownerHost, DateTimeOffset? since)
        : base(BuildMessage(phase, lockPath, ownerProcessId, ownerHost, since))
    {
        Phase = phase;
        LockPath = lockPath;
        OwnerProcessId = ownerProcessId;
        OwnerHost = ownerHost;
        Since = since;
    }

    /// <summary>The locked phase.</summary>
    public string Phase { get; }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }

    /// <summary>The process id of the holder, when it could be read.</summary>
    public int? OwnerProcessId { get; }

    /// <summary>The host of the holder, when it could be read.</summary>
    public string? OwnerHost { get; }

    /// <summary>Since when the holder has held the lock, when it could be read.</summary>
    public DateTimeOffset? Since { get; }

    private static string BuildMessage(string phase, string lockPath, int? pid, string? host, DateTimeOffset? since)
    {
        var who = pid is null ? "another process (owner unknown)" : $"process {pid} on {host ?? "unknown host"}";
        var when = since is null ? "" : $" since {since:yyyy-MM-dd HH:mm:ss zzz}";
        return $"Phase '{phase}' is already open: its lock '{lockPath}' is held by {who}{when}. " +
               "Wait for that run to finish or stop it; a lock of a killed process is released automatically.";
    }
}
