using System.Text.Json;

namespace Checkpointing.SharedFiles;

/// <summary>
/// The checkpoint of a shared file, <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;name&gt;.batches.json</c>: the last saved
/// batch, the completed keys (with the batch of each), the SHA-256 of the saved file, failed items, batches and runs.
/// Its format is documented in <c>docs/shared-file-batches.md</c>; <see cref="Read(string)"/> reads it for monitors.
/// </summary>
public sealed class SharedFileCheckpoint
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "checkpointing.shared-file";

    /// <summary>The format version this library reads and writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The suffix of checkpoint files after the name.</summary>
    public const string FileSuffix = ".batches.json";

    private Dictionary<string, int> _completed = new(StringComparer.Ordinal);
    private HashSet<string> _redo = new(StringComparer.Ordinal);
    private Dictionary<string, SharedFileFailure> _failed = new(StringComparer.Ordinal);
    private List<SharedFileBatchRecord> _batches = [];
    private List<SharedFileRunRecord> _runs = [];

    internal SharedFileCheckpoint(string name, string runId, string file, DateTimeOffset now)
    {
        Name = name;
        RunId = runId;
        File = file;
        UpdatedAt = now;
    }

    /// <summary>The checkpoint's name.</summary>
    public string Name { get; }

    /// <summary>The run.</summary>
    public string RunId { get; }

    /// <summary>The shared file, relative to <c>&lt;root&gt;/&lt;runId&gt;/</c>, with <c>/</c> separators.</summary>
    public string File { get; }

    /// <summary>The status of the last run.</summary>
    public SharedFileRunStatus Status { get; internal set; }

    /// <summary>The error of the last failed run.</summary>
    public string? Error { get; internal set; }

    /// <summary>When the checkpoint was last written.</summary>
    public DateTimeOffset UpdatedAt { get; internal set; }

    /// <summary>The last fresh start.</summary>
    public DateTimeOffset? ResetAt { get; internal set; }

    /// <summary>The number of the last saved batch (1-based), 0 when none.</summary>
    public int Batch { get; internal set; }

    /// <summary>The SHA-256 of the saved file (64 lower-case hex digits), <see langword="null"/> before the first save.</summary>
    public string? Sha256 { get; internal set; }

    /// <summary>The length of the saved file in bytes.</summary>
    public long FileLength { get; internal set; }

    /// <summary>The rows the saved file holds: the completed keys plus <see cref="Redo"/>.</summary>
    public int Rows => _completed.Count + _redo.Count;

    /// <summary>The cost of the saved items since the last fresh start.</summary>
    public decimal TotalCostUsd { get; internal set; }

    /// <summary>Completed key → the number of the batch that saved it.</summary>
    public IReadOnlyDictionary<string, int> Completed => _completed;

    /// <summary>Keys whose rows are in the file but which are to be processed again.</summary>
    public IReadOnlyCollection<string> Redo => _redo;

    /// <summary>Failed items (pending; retried by the next run).</summary>
    public IReadOnlyDictionary<string, SharedFileFailure> Failed => _failed;

    /// <summary>The batches saved since the last fresh start.</summary>
    public IReadOnlyList<SharedFileBatchRecord> Batches => _batches;

    /// <summary>Every run, oldest first.</summary>
    public IReadOnlyList<SharedFileRunRecord> Runs => _runs;

    /// <summary>The checkpoint file of <paramref name="name"/> in run <paramref name="runId"/> under <paramref name="root"/>.</summary>
    /// <param name="root">The storage root.</param>
    /// <param name="runId">The run.</param>
    /// <param name="name">The checkpoint's name.</param>
    public static string PathFor(string root, string runId, string name) =>
        Path.Combine(Path.GetFullPath(Path.Combine(root, runId)), "checkpoints", name + FileSuffix);

    /// <summary>Reads a checkpoint file without taking its lock.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="CheckpointCorruptException">It cannot be read; the message says why.</exception>
    public static SharedFileCheckpoint Read(string path) => Parse(System.IO.File.ReadAllBytes(path), path);

    /// <summary>The keys whose rows the saved file should hold: completed and redo.</summary>
    internal IEnumerable<string> FileKeys => _completed.Keys.Concat(_redo);

    internal bool IsCompleted(string key) => _completed.ContainsKey(key);

    internal void Complete(string key, int batch)
    {
        _completed[key] = batch;
        _failed.Remove(key);
        _redo.Remove(key);
    }

    internal bool Reopen(string key)
    {
        if (!_completed.Remove(key))
        {
            return false;
        }

        _redo.Add(key);
        return true;
    }

    internal void RemoveCompleted(string key) => _completed.Remove(key);

    internal void ClearRedo() => _redo.Clear();

    internal void Fail(string key, string error, DateTimeOffset at) =>
        _failed[key] = new SharedFileFailure(error, at, (_failed.TryGetValue(key, out var previous) ? previous.Attempts : 0) + 1);

    internal void AddBatch(SharedFileBatchRecord batch) => _batches.Add(batch);

    internal void AddRun(SharedFileRunRecord run) => _runs.Add(run);

    internal void UpdateLastRun(Func<SharedFileRunRecord, SharedFileRunRecord> update) => _runs[^1] = update(_runs[^1]);

    internal void Reset(DateTimeOffset at)
    {
        _completed.Clear();
        _redo.Clear();
        _failed.Clear();
        _batches.Clear();
        Batch = 0;
        Sha256 = null;
        FileLength = 0;
        TotalCostUsd = 0;
        Error = null;
        Status = SharedFileRunStatus.NotStarted;
        ResetAt = at;
    }

    internal SharedFileCheckpoint Clone()
    {
        var copy = (SharedFileCheckpoint)MemberwiseClone();
        copy._completed = new Dictionary<string, int>(_completed, StringComparer.Ordinal);
        copy._redo = new HashSet<string>(_redo, StringComparer.Ordinal);
        copy._failed = new Dictionary<string, SharedFileFailure>(_failed, StringComparer.Ordinal);
        copy._batches = [.. _batches];
        copy._runs = [.. _runs];
        return copy;
    }

    internal void WriteTo(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", FormatName);
        json.WriteNumber("version", CurrentVersion);
        json.WriteString("name", Name);
        json.WriteString("run_id", RunId);
        json.WriteString("file", File);
        json.WriteString("status", StatusName(Status));
        WriteNullable(json, "error", Error);
        json.WriteString("updated_at", UpdatedAt);
        WriteDate(json, "reset_at", ResetAt);
        json.WriteNumber("batch", Batch);
        WriteNullable(json, "sha256", Sha256);
        json.WriteNumber("file_length", FileLength);
        json.WriteNumber("rows", Rows);
        json.WriteNumber("completed_count", _completed.Count);
        json.WriteNumber("total_cost_usd", TotalCostUsd);
        json.WriteStartObject("completed");
        // Save order: batch by batch (a stable sort keeps each batch's own order).
        foreach (var (key, batch) in _completed.OrderBy(p => p.Value))
        {
            json.WriteNumber(key, batch);
        }

        json.WriteEndObject();
        json.WriteStartArray("redo");
        foreach (var key in _redo)
        {
            json.WriteStringValue(key);
        }

        json.WriteEndArray();
        json.WriteStartObject("failed");
        foreach (var (key, failure) in _failed)
        {
            json.WriteStartObject(key);
            json.WriteString("error", failure.Error);
            json.WriteString("at", failure.At);
            json.WriteNumber("attempts", failure.Attempts);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("batches");
        foreach (var batch in _batches)
        {
            json.WriteStartObject();
            json.WriteNumber("batch", batch.Batch);
            json.WriteNumber("items", batch.Items);
            json.WriteNumber("rows", batch.Rows);
            json.WriteString("saved_at", batch.SavedAt);
            json.WriteString("sha256", batch.Sha256);
            json.WriteNumber("cost_usd", batch.CostUsd);
            json.WriteString("reason", ReasonName(batch.Reason));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("runs");
        foreach (var run in _runs)
        {
            json.WriteStartObject();
            json.WriteNumber("run", run.Run);
            json.WriteString("started_at", run.StartedAt);
            WriteDate(json, "ended_at", run.EndedAt);
            json.WriteString("status", StatusName(run.Status));
            json.WriteString("start", run.Start);
            json.WriteNumber("processed", run.Processed);
            json.WriteNumber("failed", run.Failed);
            json.WriteNumber("batches", run.Batches);
            WriteNullable(json, "error", run.Error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    internal byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    internal static SharedFileCheckpoint Parse(byte[] bytes, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the content is not a JSON object");
            }

            var format = String(root, "format");
            if (format != FormatName)
            {
                throw new FormatException($"'format' is '{format}', expected '{FormatName}'");
            }

            var version = root.GetProperty("version").GetInt32();
            if (version != CurrentVersion)
            {
                throw new FormatException($"version {version} is not supported (this library reads version {CurrentVersion})");
            }

            var checkpoint = new SharedFileCheckpoint(String(root, "name")!, String(root, "run_id")!, String(root, "file")!, root.GetProperty("updated_at").GetDateTimeOffset())
            {
                Status = ParseStatus(String(root, "status")),
                Error = String(root, "error"),
                ResetAt = Date(root, "reset_at"),
                Batch = root.GetProperty("batch").GetInt32(),
                Sha256 = String(root, "sha256"),
                FileLength = root.GetProperty("file_length").GetInt64(),
                TotalCostUsd = root.GetProperty("total_cost_usd").GetDecimal(),
            };
            foreach (var entry in root.GetProperty("completed").EnumerateObject())
            {
                checkpoint._completed[entry.Name] = entry.Value.GetInt32();
            }

            foreach (var key in root.GetProperty("redo").EnumerateArray())
            {
                var value = key.GetString() ?? throw new FormatException("a 'redo' key is null");
                if (!checkpoint._redo.Add(value) || checkpoint._completed.ContainsKey(value))
                {
                    throw new FormatException($"key '{value}' is listed twice in 'completed' and 'redo'");
                }
            }

            foreach (var entry in root.GetProperty("failed").EnumerateObject())
            {
                checkpoint._failed[entry.Name] = new SharedFileFailure(String(entry.Value, "error") ?? "", entry.Value.GetProperty("at").GetDateTimeOffset(), entry.Value.GetProperty("attempts").GetInt32());
            }

            foreach (var batch in root.GetProperty("batches").EnumerateArray())
            {
                checkpoint._batches.Add(new SharedFileBatchRecord(
                    batch.GetProperty("batch").GetInt32(), batch.GetProperty("items").GetInt32(), batch.GetProperty("rows").GetInt32(),
                    batch.GetProperty("saved_at").GetDateTimeOffset(), String(batch, "sha256") ?? "", batch.GetProperty("cost_usd").GetDecimal(),
                    ParseReason(String(batch, "reason"))));
            }

            foreach (var run in root.GetProperty("runs").EnumerateArray())
            {
                checkpoint._runs.Add(new SharedFileRunRecord(
                    run.GetProperty("run").GetInt32(), run.GetProperty("started_at").GetDateTimeOffset(), Date(run, "ended_at"),
                    ParseStatus(String(run, "status")), String(run, "start") ?? "resume", run.GetProperty("processed").GetInt32(),
                    run.GetProperty("failed").GetInt32(), run.GetProperty("batches").GetInt32(), String(run, "error")));
            }

            if (checkpoint.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower)))
            {
                throw new FormatException($"'sha256' is not 64 lower-case hex digits: '{sha}'");
            }

            if (checkpoint._completed.Values.Any(b => b < 1 || b > checkpoint.Batch))
            {
                throw new FormatException($"a 'completed' key names a batch outside 1..{checkpoint.Batch}");
            }

            if (root.TryGetProperty("rows", out var rows) && rows.GetInt32() != checkpoint.Rows)
            {
                throw new FormatException($"'rows' is {rows.GetInt32()} but 'completed' and 'redo' hold {checkpoint.Rows} keys");
            }

            return checkpoint;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw new CheckpointCorruptException(path, ex.Message, ex);
        }
    }

    internal static string StatusName(SharedFileRunStatus status) => status switch
    {
        SharedFileRunStatus.NotStarted => "not_started",
        SharedFileRunStatus.InProgress => "in_progress",
        SharedFileRunStatus.Completed => "completed",
        SharedFileRunStatus.Failed => "failed",
        _ => "cancelled",
    };

    internal static string ReasonName(SharedFileBatchReason reason) => reason.ToString().ToLowerInvariant();

    private static SharedFileRunStatus ParseStatus(string? name) => name switch
    {
        "not_started" => SharedFileRunStatus.NotStarted,
        "in_progress" => SharedFileRunStatus.InProgress,
        "completed" => SharedFileRunStatus.Completed,
        "failed" => SharedFileRunStatus.Failed,
        "cancelled" => SharedFileRunStatus.Cancelled,
        _ => throw new FormatException($"unknown status '{name}'"),
    };

    private static SharedFileBatchReason ParseReason(string? name) =>
        Enum.TryParse<SharedFileBatchReason>(name, ignoreCase: true, out var reason) && name!.All(char.IsAsciiLetterLower)
            ? reason
            : throw new FormatException($"unknown batch reason '{name}'");

    private static string? String(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }

    private static DateTimeOffset? Date(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetDateTimeOffset();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteDate(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } date)
        {
            json.WriteString(name, date);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
