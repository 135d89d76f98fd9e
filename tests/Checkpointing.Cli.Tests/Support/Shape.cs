using System.Text.Json;

namespace Checkpointing.Cli.Tests.Support;

/// <summary>The --json shapes of docs/cli.md, property by property, in order.</summary>
public static class Shape
{
    public static readonly string[] Status = ["schema", "version", "root", "generated_at", "stages", "batches", "phases"];

    public static readonly string[] Batch = ["run_id", "name", "status", "file", "batch", "rows", "completed", "failed", "cost_usd", "updated_at", "error", "problem"];

    public static readonly string[] Phase = ["phase", "path", "snapshots", "valid", "latest_sequence", "latest_iteration", "latest_at", "complete", "running", "lock", "problem"];

    public static readonly string[] Stage =
    [
        "run_id", "stage", "state", "status", "running", "output_dir", "items", "completed", "failed", "remaining",
        "cost_usd", "lifetime_cost_usd", "average_item_cost_usd", "estimated_cost_to_finish_usd",
        "started_at", "updated_at", "completed_at", "failed_at", "reset_at", "error", "failed_items", "lock", "workers", "runs", "last_run", "problem",
    ];

    public static readonly string[] FailedItem = ["key", "error", "attempts", "at"];

    public static readonly string[] Lock = ["pid", "host", "since", "alive"];

    public static readonly string[] Run = ["run", "status", "started_at", "ended_at", "resume", "items", "processed", "adopted", "skipped", "failed", "invalidated", "cost_usd", "error"];

    public static readonly string[] Validate = ["schema", "version", "path", "ok", "errors", "warnings", "checked", "findings"];

    public static readonly string[] Checked = ["kind", "path", "summary"];

    public static readonly string[] Finding = ["severity", "file", "line", "key", "column", "message"];

    public static readonly string[] Compare =
    [
        "schema", "version", "cumulative", "batch", "key_column", "identical", "cumulative_rows", "batch_rows",
        "columns_only_in_cumulative", "columns_only_in_batch", "missing_from_batch", "extra_in_batch", "different", "problems",
    ];

    public static readonly string[] RowRef = ["key", "line"];

    public static readonly string[] RowDifference = ["key", "cumulative_line", "batch_line", "cells"];

    public static readonly string[] Cell = ["column", "cumulative", "batch"];

    public static readonly string[] List = ["schema", "version", "root", "files"];

    public static readonly string[] File = ["path", "kind", "group", "size_bytes", "modified_at", "note"];

    public static readonly string[] Clean = ["schema", "version", "root", "dry_run", "older_than_seconds", "keep", "freed_bytes", "files"];

    public static readonly string[] CleanFile = ["path", "kind", "size_bytes", "modified_at", "action", "reason"];

    public static readonly string[] Change =
    [
        "schema", "version", "command", "root", "run_id", "stage", "applied", "keys", "reason",
        "discarded_items", "discarded_cost_usd", "cost_usd", "lifetime_cost_usd", "moved_outputs",
    ];

    public static readonly string[] Moved = ["key", "from", "to"];

    public static void Assert(JsonElement element, string[] expected, string what)
    {
        Xunit.Assert.True(element.ValueKind == JsonValueKind.Object, $"{what} is {element.ValueKind}, not an object");
        var actual = element.EnumerateObject().Select(p => p.Name).ToArray();
        Xunit.Assert.True(actual.SequenceEqual(expected), $"{what} has [{string.Join(", ", actual)}]; docs/cli.md says [{string.Join(", ", expected)}]");
    }

    /// <summary>Checks each element of an array property (when it has any).</summary>
    public static void AssertEach(JsonElement array, string[] expected, string what)
    {
        foreach (var item in array.EnumerateArray())
        {
            Assert(item, expected, what);
        }
    }

    public static void AssertSchema(JsonElement root, string schema, string[] shape)
    {
        Assert(root, shape, schema);
        Xunit.Assert.Equal(schema, root.GetProperty("schema").GetString());
        Xunit.Assert.Equal(1, root.GetProperty("version").GetInt32());
    }
}
