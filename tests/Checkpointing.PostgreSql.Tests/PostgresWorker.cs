using Checkpointing.TestSupport;

namespace Checkpointing.PostgreSql.Tests;

/// <summary>tests/Checkpointing.PostgreSql.Worker run as a real child process on the test database, through the shared launcher.</summary>
internal static class PostgresWorker
{
    public const string Project = "Checkpointing.PostgreSql.Worker";

    /// <summary>The line the worker prints when an item's work is done (before its completion).</summary>
    public const string Worked = "WORKED ";

    /// <summary>Starts a worker on <paramref name="db"/>'s schema; <paramref name="app"/> is its connections' application name.</summary>
    public static WorkerProcess Start(PostgresTestDatabase db, string app, params string[] arguments) =>
        WorkerProcess.Start(
            Project,
            new[] { "--connection", db.ConnectionString, "--schema", db.Schema, "--root", db.Root, "--app", app }.Concat(arguments),
            failpoint: null,
            countedPrefixes: [Worked]);
}
