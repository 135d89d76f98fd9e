using System.Text.Json;
using Checkpointing.Store;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Reads a stage snapshot (<c>&lt;stage&gt;.json</c>, docs/checkpoint-format.md) with <see cref="Utf8JsonReader"/>
/// alone, for start-up time: the runtime's reader (<c>CheckpointJson.DeserializeDocument</c>) goes through
/// System.Text.Json's source-generated metadata, whose generic code over value types
/// (<c>JsonPropertyInfo&lt;decimal&gt;</c>, <c>NullableConverter&lt;DateTimeOffset&gt;</c>, ...) ReadyToRun cannot
/// precompile, so a process JIT-compiled some 400 methods before it could read one snapshot (docs/cli.md, Speed).
/// </summary>
/// <remarks>
/// It only decides the files it reads exactly as the runtime's reader would: every value with the JSON token
/// and the <see cref="Utf8JsonReader"/> getter that System.Text.Json's converters use, unknown members skipped,
/// defaults where a member is missing. Anything else (a null where the runtime would throw or store null, a
/// duplicate member or key, a token of another kind, a value that does not parse, another format or version,
/// JSON that is not well formed) makes it hand the bytes to the runtime's reader, which gives the document or
/// the error message that <c>status</c> and <c>validate</c> have always shown.
/// </remarks>
internal static class SnapshotReader
{
    /// <summary>Reads a snapshot as the runtime does; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static StageCheckpointDocument Read(ReadOnlySpan<byte> json) =>
        TryRead(json) ?? ReadWithRuntime(json);

    /// <summary>The runtime's own reader (System.Text.Json's source-generated metadata).</summary>
    public static StageCheckpointDocument ReadWithRuntime(ReadOnlySpan<byte> json) => CheckpointJson.DeserializeDocument(json);

    /// <summary>The document when this reader can decide it as the runtime would; null to leave it to the runtime's reader.</summary>
    public static StageCheckpointDocument? TryRead(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var document = ReadDocument(ref reader, json.Length);

            // The serializer refuses anything but whitespace after the document.
            if (document is null || reader.Read())
            {
                return null;
            }

            return document.Format == StageCheckpointDocument.FormatName && document.Version == StageCheckpointDocument.CurrentVersion ? document : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    private static StageCheckpointDocument? ReadDocument(ref Utf8JsonReader reader, int length)
    {
        var document = new StageCheckpointDocument();
        var seen = new Seen();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return document;
            }

            var member = Member(ref reader, DocumentMembers);
            reader.Read();
            if (member >= 0 && !seen.Add(member))
            {
                return null;
            }

            switch (member)
            {
                case 0: document.Format = String(ref reader); break;
                case 1: document.Version = reader.GetInt32(); break;
                case 2: document.Stage = String(ref reader); break;
                case 3: document.RunId = String(ref reader); break;
                case 4: document.OutputDirectory = String(ref reader); break;
                case 5: document.Status = StatusNames.ParseStage(String(ref reader)); break;
                case 6: document.StartedAt = NullableTime(ref reader); break;
                case 7: document.UpdatedAt = NullableTime(ref reader); break;
                case 8: document.CompletedAt = NullableTime(ref reader); break;
                case 9: document.FailedAt = NullableTime(ref reader); break;
                case 10: document.ResetAt = NullableTime(ref reader); break;
                case 11: document.Error = NullableString(ref reader); break;
                case 12: document.TotalCostUsd = reader.GetDecimal(); break;
                case 13: document.LifetimeCostUsd = reader.GetDecimal(); break;
                case 14: document.EstimatedCostToFinishUsd = reader.TokenType == JsonTokenType.Null ? null : reader.GetDecimal(); break;
                case 15: document.CompletedCount = reader.GetInt32(); break;
                case 16:
                    if (ReadCompleted(ref reader, document.CompletedCount, length) is not { } completed)
                    {
                        return null;
                    }

                    document.Completed = completed;
                    break;
                case 17:
                    if (ReadFailed(ref reader) is not { } failed)
                    {
                        return null;
                    }

                    document.Failed = failed;
                    break;
                case 18:
                    if (ReadRuns(ref reader) is not { } runs)
                    {
                        return null;
                    }

                    document.Runs = runs;
                    break;
                case 19: document.JournalSequence = reader.GetInt64(); break;
                default: reader.Skip(); break;
            }
        }

        return null;
    }

    private static Dictionary<string, CompletedItem>? ReadCompleted(ref Utf8JsonReader reader, int count, int length)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        // The runtime writes completed_count before completed: sizing the dictionary once saves rehashing 100,000
        // keys a dozen times. Only a hint (a hand-edited count is bounded by what the file could hold).
        var items = new Dictionary<string, CompletedItem>(Math.Clamp(count, 0, length / 16), StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Key(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            decimal cost = 0;
            DateTimeOffset at = default;
            bool? adopted = null;
            int? attempts = null;
            var seen = new Seen();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Member(ref reader, CompletedMembers);
                reader.Read();
                if (member >= 0 && !seen.Add(member))
                {
                    return null;
                }

                switch (member)
                {
                    case 0: cost = reader.GetDecimal(); break;
                    case 1: at = reader.GetDateTimeOffset(); break;
                    case 2: adopted = reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean(); break;
                    case 3: attempts = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32(); break;
                    default: reader.Skip(); break;
                }
            }

            if (!items.TryAdd(key, new CompletedItem { CostUsd = cost, At = at, Adopted = adopted, Attempts = attempts }))
            {
                return null;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? items : null;
    }

    private static Dictionary<string, FailedItem>? ReadFailed(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var items = new Dictionary<string, FailedItem>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Key(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var error = "";
            DateTimeOffset at = default;
            var attempts = 0;
            decimal cost = 0;
            var seen = new Seen();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Member(ref reader, FailedMembers);
                reader.Read();
                if (member >= 0 && !seen.Add(member))
                {
                    return null;
                }

                switch (member)
                {
                    case 0: error = String(ref reader); break;
                    case 1: at = reader.GetDateTimeOffset(); break;
                    case 2: attempts = reader.GetInt32(); break;
                    case 3: cost = reader.GetDecimal(); break;
                    default: reader.Skip(); break;
                }
            }

            if (!items.TryAdd(key, new FailedItem { Error = error, At = at, Attempts = attempts, CostUsd = cost }))
            {
                return null;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? items : null;
    }

    private static List<RunRecord>? ReadRuns(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var runs = new List<RunRecord>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var run = new RunRecord();
            var seen = new Seen();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Member(ref reader, RunMembers);
                reader.Read();
                if (member >= 0 && !seen.Add(member))
                {
                    return null;
                }

                switch (member)
                {
                    case 0: run.Run = reader.GetInt32(); break;
                    case 1: run.StartedAt = reader.GetDateTimeOffset(); break;
                    case 2: run.EndedAt = NullableTime(ref reader); break;
                    case 3: run.Status = StatusNames.ParseRun(String(ref reader)); break;
                    case 4: run.Resume = reader.GetBoolean(); break;
                    case 5: run.Reset = reader.GetBoolean(); break;
                    case 6: run.Items = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32(); break;
                    case 7: run.Processed = reader.GetInt32(); break;
                    case 8: run.Adopted = reader.GetInt32(); break;
                    case 9: run.Skipped = reader.GetInt32(); break;
                    case 10: run.Failed = reader.GetInt32(); break;
                    case 11: run.FailedAttempts = reader.GetInt32(); break;
                    case 12:
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            run.Redo = null;
                            break;
                        }

                        if (ReadStrings(ref reader) is not { } redo)
                        {
                            return null;
                        }

                        run.Redo = redo;
                        break;
                    case 13: run.RedoReason = NullableString(ref reader); break;
                    case 14: run.EstimatedCostToFinishUsd = reader.TokenType == JsonTokenType.Null ? null : reader.GetDecimal(); break;
                    case 15: run.Invalidated = reader.GetInt32(); break;
                    case 16: run.CostUsd = reader.GetDecimal(); break;
                    case 17: run.AdoptedCostUsd = reader.GetDecimal(); break;
                    case 18: run.Error = NullableString(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return null;
            }

            runs.Add(run);
        }

        return reader.TokenType == JsonTokenType.EndArray ? runs : null;
    }

    private static List<string>? ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var values = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            values.Add(reader.GetString()!);
        }

        return reader.TokenType == JsonTokenType.EndArray ? values : null;
    }

    // A non-nullable string member: the serializer would store a JSON null as null, which this reader leaves to it.
    private static string String(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new InvalidOperationException("not a string");

    private static string Key(ref Utf8JsonReader reader)
    {
        var key = reader.GetString()!;
        return key.StartsWith('$') ? throw new InvalidOperationException("a key this reader leaves to the serializer") : key;
    }

    private static string? NullableString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : String(ref reader);

    private static DateTimeOffset? NullableTime(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();

    private static int Member(ref Utf8JsonReader reader, byte[][] names)
    {
        // Names starting with '$' are System.Text.Json's metadata in some settings; escaped names are rare: both left to the serializer.
        if (reader.ValueIsEscaped || reader.ValueSpan is [(byte)'$', ..])
        {
            throw new InvalidOperationException("a member name this reader leaves to the serializer");
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    // The members' JSON names (StageCheckpointDocument, CompletedItem, FailedItem, RunRecord), in the order of the switches above.
    private static readonly byte[][] DocumentMembers =
    [
        "format"u8.ToArray(), "version"u8.ToArray(), "stage"u8.ToArray(), "run_id"u8.ToArray(), "output_dir"u8.ToArray(),
        "status"u8.ToArray(), "started_at"u8.ToArray(), "updated_at"u8.ToArray(), "completed_at"u8.ToArray(), "failed_at"u8.ToArray(),
        "reset_at"u8.ToArray(), "error"u8.ToArray(), "total_cost_usd"u8.ToArray(), "lifetime_cost_usd"u8.ToArray(),
        "estimated_cost_to_finish_usd"u8.ToArray(), "completed_count"u8.ToArray(), "completed"u8.ToArray(), "failed"u8.ToArray(),
        "runs"u8.ToArray(), "journal_seq"u8.ToArray(),
    ];

    private static readonly byte[][] CompletedMembers = ["cost_usd"u8.ToArray(), "at"u8.ToArray(), "adopted"u8.ToArray(), "attempts"u8.ToArray()];

    private static readonly byte[][] FailedMembers = ["error"u8.ToArray(), "at"u8.ToArray(), "attempts"u8.ToArray(), "cost_usd"u8.ToArray()];

    private static readonly byte[][] RunMembers =
    [
        "run"u8.ToArray(), "started_at"u8.ToArray(), "ended_at"u8.ToArray(), "status"u8.ToArray(), "resume"u8.ToArray(), "reset"u8.ToArray(),
        "items"u8.ToArray(), "processed"u8.ToArray(), "adopted"u8.ToArray(), "skipped"u8.ToArray(), "failed"u8.ToArray(),
        "failed_attempts"u8.ToArray(), "redo"u8.ToArray(), "redo_reason"u8.ToArray(), "estimated_cost_to_finish_usd"u8.ToArray(),
        "invalidated"u8.ToArray(), "cost_usd"u8.ToArray(), "adopted_cost_usd"u8.ToArray(), "error"u8.ToArray(),
    ];

    /// <summary>The members met in one object (at most 32), to leave duplicates to the serializer.</summary>
    private struct Seen
    {
        private uint _bits;

        public bool Add(int member)
        {
            var bit = 1u << member;
            if ((_bits & bit) != 0)
            {
                return false;
            }

            _bits |= bit;
            return true;
        }
    }
}
