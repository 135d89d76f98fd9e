using System.Text.Json;

namespace Checkpointing.Cli.Json;

/// <summary>
/// Writes <c>checkpointing.cli.status</c> with <see cref="Utf8JsonWriter"/> calls alone: the same bytes as
/// <c>CliJson.Write(output, report, CliJsonContext.Default.StatusReport)</c> (a test compares them), without the
/// serializer's generic metadata over value types (<c>JsonPropertyInfo&lt;int?&gt;</c>, <c>JsonPropertyInfo&lt;decimal&gt;</c>, ...),
/// which ReadyToRun cannot precompile and a process would JIT-compile on every <c>status --json</c> (docs/cli.md, Speed).
/// The members are written in the order the serializer writes them (schema, version, then as declared).
/// </summary>
internal static class StatusJson
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>, indented, or on one line (<c>--watch</c>).</summary>
    public static void Write(TextWriter output, StatusReport report, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CliJson.WriterOptions(indented)))
        {
            Write(writer, report);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }

    private static void Write(Utf8JsonWriter writer, StatusReport report)
    {
        writer.WriteStartObject();
        writer.WriteString("schema", report.Schema);
        writer.WriteNumber("version", report.Version);
        writer.WriteString("root", report.Root);
        writer.WriteString("generated_at", report.GeneratedAt);
        writer.WriteStartArray("stages");
        foreach (var stage in report.Stages)
        {
            Write(writer, stage);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("batches");
        foreach (var batch in report.Batches)
        {
            Write(writer, batch);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("phases");
        foreach (var phase in report.Phases)
        {
            Write(writer, phase);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, StageEntry stage)
    {
        writer.WriteStartObject();
        writer.WriteString("run_id", stage.RunId);
        writer.WriteString("stage", stage.Stage);
        writer.WriteString("state", stage.State);
        writer.WriteString("status", stage.Status);
        writer.WriteBoolean("running", stage.Running);
        writer.WriteString("output_dir", stage.OutputDir);
        Number(writer, "items", stage.Items);
        writer.WriteNumber("completed", stage.Completed);
        writer.WriteNumber("failed", stage.Failed);
        Number(writer, "remaining", stage.Remaining);
        writer.WriteNumber("cost_usd", stage.CostUsd);
        writer.WriteNumber("lifetime_cost_usd", stage.LifetimeCostUsd);
        writer.WriteNumber("average_item_cost_usd", stage.AverageItemCostUsd);
        Number(writer, "estimated_cost_to_finish_usd", stage.EstimatedCostToFinishUsd);
        Time(writer, "started_at", stage.StartedAt);
        Time(writer, "updated_at", stage.UpdatedAt);
        Time(writer, "completed_at", stage.CompletedAt);
        Time(writer, "failed_at", stage.FailedAt);
        Time(writer, "reset_at", stage.ResetAt);
        writer.WriteString("error", stage.Error);
        writer.WriteStartArray("failed_items");
        foreach (var item in stage.FailedItems)
        {
            writer.WriteStartObject();
            writer.WriteString("key", item.Key);
            writer.WriteString("error", item.Error);
            writer.WriteNumber("attempts", item.Attempts);
            writer.WriteString("at", item.At);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        Write(writer, "lock", stage.Lock);
        writer.WriteStartArray("workers");
        foreach (var worker in stage.Workers)
        {
            Write(writer, null, worker);
        }

        writer.WriteEndArray();
        writer.WriteNumber("runs", stage.Runs);
        if (stage.LastRun is { } run)
        {
            writer.WriteStartObject("last_run");
            writer.WriteNumber("run", run.Run);
            writer.WriteString("status", run.Status);
            writer.WriteString("started_at", run.StartedAt);
            Time(writer, "ended_at", run.EndedAt);
            writer.WriteBoolean("resume", run.Resume);
            Number(writer, "items", run.Items);
            writer.WriteNumber("processed", run.Processed);
            writer.WriteNumber("adopted", run.Adopted);
            writer.WriteNumber("skipped", run.Skipped);
            writer.WriteNumber("failed", run.Failed);
            writer.WriteNumber("invalidated", run.Invalidated);
            writer.WriteNumber("cost_usd", run.CostUsd);
            writer.WriteString("error", run.Error);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("last_run");
        }

        writer.WriteString("problem", stage.Problem);
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, BatchEntry batch)
    {
        writer.WriteStartObject();
        writer.WriteString("run_id", batch.RunId);
        writer.WriteString("name", batch.Name);
        writer.WriteString("status", batch.Status);
        writer.WriteString("file", batch.File);
        writer.WriteNumber("batch", batch.Batch);
        writer.WriteNumber("rows", batch.Rows);
        writer.WriteNumber("completed", batch.Completed);
        writer.WriteNumber("failed", batch.Failed);
        writer.WriteNumber("cost_usd", batch.CostUsd);
        Time(writer, "updated_at", batch.UpdatedAt);
        writer.WriteString("error", batch.Error);
        writer.WriteString("problem", batch.Problem);
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, PhaseEntry phase)
    {
        writer.WriteStartObject();
        writer.WriteString("phase", phase.Phase);
        writer.WriteString("path", phase.Path);
        writer.WriteNumber("snapshots", phase.Snapshots);
        writer.WriteNumber("valid", phase.Valid);
        if (phase.LatestSequence is { } sequence)
        {
            writer.WriteNumber("latest_sequence", sequence);
        }
        else
        {
            writer.WriteNull("latest_sequence");
        }

        Number(writer, "latest_iteration", phase.LatestIteration);
        Time(writer, "latest_at", phase.LatestAt);
        writer.WriteBoolean("complete", phase.Complete);
        writer.WriteBoolean("running", phase.Running);
        Write(writer, "lock", phase.Lock);
        writer.WriteString("problem", phase.Problem);
        writer.WriteEndObject();
    }

    /// <summary>Writes <paramref name="holder"/> as property <paramref name="name"/>, or as an array element when it is null.</summary>
    private static void Write(Utf8JsonWriter writer, string? name, LockEntry? holder)
    {
        if (holder is null)
        {
            if (name is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteNull(name);
            }

            return;
        }

        if (name is null)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartObject(name);
        }

        Number(writer, "pid", holder.Pid);
        writer.WriteString("host", holder.Host);
        Time(writer, "since", holder.Since);
        if (holder.Alive is { } alive)
        {
            writer.WriteBoolean("alive", alive);
        }
        else
        {
            writer.WriteNull("alive");
        }

        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void Time(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
