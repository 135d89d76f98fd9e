using System.CommandLine;

namespace Checkpointing.Cli.Commands;

/// <summary>The <c>--store</c> and <c>--schema</c> options of <c>status</c> and <c>validate</c> (a PostgreSQL store).</summary>
internal static class StoreOptions
{
    public static Option<string?> Store() => new("--store")
    {
        Description = "Read a PostgreSQL checkpoint store instead of the folder: 'postgres://user:password@host:5432/database' or 'Host=...;Database=...;Username=...'. Read only.",
    };

    public static Option<string> Schema() => new("--schema")
    {
        Description = "With --store: the PostgreSQL schema of the store's tables (PostgresCheckpointStoreOptions.Schema).",
        DefaultValueFactory = _ => "checkpointing",
    };
}
