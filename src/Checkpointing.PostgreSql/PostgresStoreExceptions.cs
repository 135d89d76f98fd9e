namespace Checkpointing.PostgreSql;

/// <summary>
/// The database could not be reached (or kept failing) after every retry. An <see cref="IOException"/>, as a
/// full disk is for the file store: the runner stops claiming, lets the items in flight finish, and fails the
/// run naming this error. Items already completed are in the database and are not lost.
/// </summary>
public sealed class PostgresStoreUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PostgresStoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The database holds a store schema written by a newer version of this library, which this one cannot read safely.</summary>
public sealed class PostgresSchemaVersionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PostgresSchemaVersionException(string schema, int found, int supported)
        : base($"The checkpoint schema \"{schema}\" is at version {found}, written by a newer Checkpointing.PostgreSql; this version reads up to {supported}. Upgrade the package on this worker (every worker of a stage must run a version that knows the schema).")
    {
        Schema = schema;
        FoundVersion = found;
        SupportedVersion = supported;
    }

    /// <summary>The PostgreSQL schema.</summary>
    public string Schema { get; }

    /// <summary>The version found in the database.</summary>
    public int FoundVersion { get; }

    /// <summary>The newest version this library knows.</summary>
    public int SupportedVersion { get; }
}
