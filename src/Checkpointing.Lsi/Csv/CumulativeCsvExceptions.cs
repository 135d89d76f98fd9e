namespace Checkpointing.Csv;

/// <summary>Thrown when a cumulative checkpoint cannot be used (I/O failure with <see cref="CumulativeCsvOptions.FailOnIOError"/>, or a damaged file).</summary>
public sealed class CumulativeCsvException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CumulativeCsvException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Thrown when another writer holds the cumulative checkpoint of an imprint.</summary>
public sealed class CumulativeCsvLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CumulativeCsvLockedException(string imprint, string lockPath)
        : base($"The cumulative checkpoint CSV of imprint '{imprint}' is being written by another process or another open checkpoint: its lock '{lockPath}' is held. " +
               "Wait for that run to finish or stop it; a lock of a killed process is released automatically.")
    {
        Imprint = imprint;
        LockPath = lockPath;
    }

    /// <summary>The imprint.</summary>
    public string Imprint { get; }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }
}
