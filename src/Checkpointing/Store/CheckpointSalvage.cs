using System.Text;
using System.Text.Json;

namespace Checkpointing.Store;

/// <summary>
/// What can still be read from a damaged snapshot when neither it nor its backup parses: the run history,
/// the time of the last fresh start and the journal position. Completed items are not taken from it: the
/// outputs prove those, with their costs.
/// </summary>
/// <remarks>
/// The snapshot is indented JSON written by <see cref="CheckpointJson"/>, so a property name can only be
/// found where a name is written (quotes inside string values are escaped). A value is kept only when it
/// parses whole and has the expected shape; damage anywhere else in the file does not affect it.
/// </remarks>
internal sealed record CheckpointSalvage(List<RunRecord> Runs, DateTimeOffset? ResetAt, long JournalSequence)
{
    private static readonly byte[] FormatMarker = Encoding.UTF8.GetBytes($"\"format\": \"{StageCheckpointDocument.FormatName}\"");
    private static readonly byte[] VersionMarker = Encoding.UTF8.GetBytes($"\"version\": {StageCheckpointDocument.CurrentVersion},");

    /// <summary>The salvageable parts of <paramref name="damaged"/>, or null when its run history cannot be read.</summary>
    public static CheckpointSalvage? TrySalvage(byte[]? damaged)
    {
        if (damaged is null || damaged.AsSpan().IndexOf(FormatMarker) < 0 || damaged.AsSpan().IndexOf(VersionMarker) < 0)
        {
            // Another format or version: nothing in it can be trusted to mean what this version means.
            return null;
        }

        // "runs" and "journal_seq" are the last properties of the document, after the item keys (which
        // could be spelled like them); "reset_at" comes before the items.
        var runs = ValueAfter(damaged, "runs", last: true) is { } runsJson ? ParseRuns(runsJson) : null;
        if (runs is null)
        {
            return null;
        }

        var resetAt = ValueAfter(damaged, "reset_at", last: false) is { } resetJson ? ParseTime(resetJson) : null;
        var sequence = ValueAfter(damaged, "journal_seq", last: true) is { } sequenceJson ? ParseSequence(sequenceJson) : 0;
        return new CheckpointSalvage(runs, resetAt, sequence);
    }

    /// <summary>Puts the salvaged parts into a document rebuilt from nothing.</summary>
    public void ApplyTo(StageCheckpointDocument document)
    {
        document.Runs = Runs;
        document.ResetAt = ResetAt;
        document.JournalSequence = JournalSequence;
    }

    private static byte[]? ValueAfter(byte[] json, string property, bool last)
    {
        var name = Encoding.UTF8.GetBytes($"\"{property}\":");
        var at = last ? json.AsSpan().LastIndexOf(name) : json.AsSpan().IndexOf(name);
        if (at < 0)
        {
            return null;
        }

        var rest = json.AsSpan(at + name.Length);
        var reader = new Utf8JsonReader(rest, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return rest[..(int)reader.BytesConsumed].ToArray();
    }

    private static List<RunRecord>? ParseRuns(byte[] json)
    {
        try
        {
            var runs = JsonSerializer.Deserialize(json, CheckpointJsonContext.Default.ListRunRecord);
            return runs is not null && runs.TrueForAll(r => r is not null) ? runs : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ParseTime(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var time) ? time : null;
    }

    private static long ParseSequence(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sequence) && sequence >= 0 ? sequence : 0;
    }
}
