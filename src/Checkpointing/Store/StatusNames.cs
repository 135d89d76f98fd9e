using System.Text.Json;
using System.Text.Json.Serialization;

namespace Checkpointing.Store;

/// <summary>
/// The snake_case names of <see cref="StageStatus"/> and <see cref="RunStatus"/> in checkpoint files. Spelled
/// out rather than derived from the member names so that renaming a member never changes the file format.
/// </summary>
internal static class StatusNames
{
    public static string Of(StageStatus status) => status switch
    {
        StageStatus.NotStarted => "not_started",
        StageStatus.InProgress => "in_progress",
        StageStatus.Completed => "completed",
        StageStatus.Failed => "failed",
        StageStatus.Cancelled => "cancelled",
        StageStatus.BudgetExceeded => "budget_exceeded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown stage status."),
    };

    public static string Of(RunStatus status) => status switch
    {
        RunStatus.InProgress => "in_progress",
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        RunStatus.BudgetExceeded => "budget_exceeded",
        RunStatus.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    public static StageStatus ParseStage(string? name) => name switch
    {
        "not_started" => StageStatus.NotStarted,
        "in_progress" => StageStatus.InProgress,
        "completed" => StageStatus.Completed,
        "failed" => StageStatus.Failed,
        "cancelled" => StageStatus.Cancelled,
        "budget_exceeded" => StageStatus.BudgetExceeded,
        _ => throw new FormatException($"unknown stage status '{name}'"),
    };

    public static RunStatus ParseRun(string? name) => name switch
    {
        "in_progress" => RunStatus.InProgress,
        "completed" => RunStatus.Completed,
        "failed" => RunStatus.Failed,
        "cancelled" => RunStatus.Cancelled,
        "budget_exceeded" => RunStatus.BudgetExceeded,
        "interrupted" => RunStatus.Interrupted,
        _ => throw new FormatException($"unknown run status '{name}'"),
    };

    /// <summary>The stage status a run leaves behind when it ends.</summary>
    public static StageStatus StageStatusAfter(RunStatus run) => run switch
    {
        RunStatus.Completed => StageStatus.Completed,
        RunStatus.Cancelled => StageStatus.Cancelled,
        RunStatus.BudgetExceeded => StageStatus.BudgetExceeded,
        RunStatus.InProgress => StageStatus.InProgress,
        _ => StageStatus.Failed,
    };
}

/// <summary>Writes <see cref="StageStatus"/> as its snake_case name.</summary>
internal sealed class StageStatusJsonConverter : JsonConverter<StageStatus>
{
    public override StageStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return StatusNames.ParseStage(reader.GetString());
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, StageStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(StatusNames.Of(value));
}

/// <summary>Writes <see cref="RunStatus"/> as its snake_case name.</summary>
internal sealed class RunStatusJsonConverter : JsonConverter<RunStatus>
{
    public override RunStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return StatusNames.ParseRun(reader.GetString());
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, RunStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(StatusNames.Of(value));
}
