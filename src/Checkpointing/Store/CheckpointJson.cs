using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Checkpointing.Store;

/// <summary>Reads and writes the snapshot document and journal records (no reflection: trim/AOT safe).</summary>
internal static class CheckpointJson
{
    public static string TypeName(CheckpointRecordType type) => type switch
    {
        CheckpointRecordType.RunStarted => "run_started",
        CheckpointRecordType.Completed => "completed",
        CheckpointRecordType.ItemFailed => "item_failed",
        CheckpointRecordType.Invalidated => "invalidated",
        CheckpointRecordType.RunEnded => "run_ended",
        CheckpointRecordType.Reset => "reset",
        CheckpointRecordType.AttemptFailed => "attempt_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static CheckpointRecordType ParseType(string? name) => name switch
    {
        "run_started" => CheckpointRecordType.RunStarted,
        "completed" => CheckpointRecordType.Completed,
        "item_failed" => CheckpointRecordType.ItemFailed,
        "invalidated" => CheckpointRecordType.Invalidated,
        "run_ended" => CheckpointRecordType.RunEnded,
        "reset" => CheckpointRecordType.Reset,
        "attempt_failed" => CheckpointRecordType.AttemptFailed,
        _ => throw new FormatException($"unknown record type '{name}'"),
    };

    public static void WriteRecord(IBufferWriter<byte> output, CheckpointRecord record)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("seq", record.Sequence);
        writer.WriteString("type", TypeName(record.Type));
        writer.WriteString("at", record.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        if (record.Key is not null)
        {
            writer.WriteString("key", record.Key);
        }

        if (record.CostUsd is { } cost)
        {
            writer.WriteNumber("cost_usd", cost);
        }

        if (record.Error is not null)
        {
            writer.WriteString("error", record.Error);
        }

        if (record.Status is { } status)
        {
            writer.WriteString("status", StatusNames.Of(status));
        }

        if (record.Resume is { } resume)
        {
            writer.WriteBoolean("resume", resume);
        }

        if (record.Adopted is { } adopted)
        {
            writer.WriteBoolean("adopted", adopted);
        }

        if (record.Skipped is { } skipped)
        {
            writer.WriteNumber("skipped", skipped);
        }

        if (record.Items is { } items)
        {
            writer.WriteNumber("items", items);
        }

        if (record.Attempt is { } attempt)
        {
            writer.WriteNumber("attempt", attempt);
        }

        if (record.EstimatedCostToFinishUsd is { } estimate)
        {
            writer.WriteNumber("estimated_cost_to_finish_usd", estimate);
        }

        if (record.RedoKeys is { } redo)
        {
            writer.WriteStartArray("redo_keys");
            foreach (var key in redo)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
        }

        if (record.RedoReason is not null)
        {
            writer.WriteString("redo_reason", record.RedoReason);
        }

        writer.WriteEndObject();
    }

    public static CheckpointRecord ReadRecord(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("a record is not a JSON object");
        }

        long seq = 0;
        string? type = null, key = null, error = null, status = null, redoReason = null;
        DateTimeOffset? at = null;
        decimal? cost = null, estimate = null;
        bool? resume = null, adopted = null;
        int? skipped = null, items = null, attempt = null;
        List<string>? redo = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "seq": seq = reader.GetInt64(); break;
                case "type": type = reader.GetString(); break;
                case "at": at = reader.GetDateTimeOffset(); break;
                case "key": key = reader.GetString(); break;
                case "cost_usd": cost = reader.GetDecimal(); break;
                case "error": error = reader.GetString(); break;
                case "status": status = reader.GetString(); break;
                case "resume": resume = reader.GetBoolean(); break;
                case "adopted": adopted = reader.GetBoolean(); break;
                case "skipped": skipped = reader.GetInt32(); break;
                case "items": items = reader.GetInt32(); break;
                case "attempt": attempt = reader.GetInt32(); break;
                case "estimated_cost_to_finish_usd": estimate = reader.GetDecimal(); break;
                case "redo_reason": redoReason = reader.GetString(); break;
                case "redo_keys":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new FormatException("a record's 'redo_keys' is not an array");
                    }

                    redo = [];
                    while (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        redo.Add(reader.GetString()!);
                    }

                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        throw new FormatException("a record's 'redo_keys' holds something other than strings");
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        var recordType = ParseType(type);
        if (at is null)
        {
            throw new FormatException("a record has no 'at'");
        }

        if (recordType is CheckpointRecordType.Completed or CheckpointRecordType.ItemFailed or CheckpointRecordType.Invalidated or CheckpointRecordType.AttemptFailed && key is null)
        {
            throw new FormatException($"a '{type}' record has no 'key'");
        }

        return new CheckpointRecord
        {
            Sequence = seq, Type = recordType, At = at.Value, Key = key, CostUsd = cost, Error = error,
            Status = status is null ? null : StatusNames.ParseRun(status), Resume = resume, Adopted = adopted, Skipped = skipped, Items = items,
            Attempt = attempt, EstimatedCostToFinishUsd = estimate, RedoKeys = redo, RedoReason = redoReason,
        };
    }

    public static byte[] SerializeDocument(StageCheckpointDocument document) =>
        JsonSerializer.SerializeToUtf8Bytes(document, CheckpointJsonContext.Default.StageCheckpointDocument);

    /// <summary>Parses a snapshot; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static StageCheckpointDocument DeserializeDocument(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw new FormatException("the file is empty");
        }

        StageCheckpointDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, CheckpointJsonContext.Default.StageCheckpointDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException($"it is not valid checkpoint JSON ({e.Message})", e);
        }

        if (document is null)
        {
            throw new FormatException("it holds JSON null");
        }

        if (document.Format != StageCheckpointDocument.FormatName)
        {
            throw new FormatException($"its format is '{document.Format}', expected '{StageCheckpointDocument.FormatName}'");
        }

        if (document.Version != StageCheckpointDocument.CurrentVersion)
        {
            throw new FormatException($"its version {document.Version} is not supported (this library reads version {StageCheckpointDocument.CurrentVersion}); upgrade the library");
        }

        document.Completed = new Dictionary<string, CompletedItem>(document.Completed ?? [], StringComparer.Ordinal);
        document.Failed = new Dictionary<string, FailedItem>(document.Failed ?? [], StringComparer.Ordinal);
        document.Runs ??= [];
        return document;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StageCheckpointDocument))]
[JsonSerializable(typeof(List<RunRecord>))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext
{
}
