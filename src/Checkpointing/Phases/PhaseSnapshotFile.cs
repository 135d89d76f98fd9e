using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Checkpointing.IO;

namespace Checkpointing.Phases;

/// <summary>
/// The snapshot file format of <see cref="PhaseCheckpoint{TState}"/> (docs/phase-snapshots.md): names, the
/// streamed writer and the checked reader. <see cref="Inspect(string)"/> lets other tools validate a file
/// without knowing the state's type.
/// </summary>
public static partial class PhaseSnapshotFile
{
    /// <summary>The <c>format</c> of every snapshot.</summary>
    public const string Format = "checkpointing.phase";

    /// <summary>The format version this library writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The lock file in a phase folder; an OS lock is held on it while the phase is open.</summary>
    public const string LockFileName = "phase.lock";

    private const string TimestampFormat = "yyyyMMdd_HHmmss";

    /// <summary>The name of a snapshot: <c>checkpoint_yyyyMMdd_HHmmss_iterN_seqM.json</c> (UTC).</summary>
    public static string GetFileName(DateTimeOffset savedAt, long iteration, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"checkpoint_{savedAt.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)}_iter{iteration}_seq{sequence}.json");

    /// <summary>
    /// Reads and checks a snapshot file (name, checksum, JSON, format, version, fields) without deserializing
    /// its state. Never throws for a bad file: <see cref="PhaseSnapshotInfo.Problem"/> says what is wrong.
    /// </summary>
    /// <param name="path">The file.</param>
    public static PhaseSnapshotInfo Inspect(string path) => Inspect(PhysicalFileSystem.Instance, Path.GetFullPath(path), TimeProvider.System.GetUtcNow());

    internal static bool IsSnapshotCandidate(string fileName) =>
        fileName.StartsWith("checkpoint_", StringComparison.Ordinal) && fileName.EndsWith(".json", StringComparison.Ordinal);

    internal static bool TryParseFileName(string fileName, out DateTimeOffset savedAt, out long iteration, out long sequence)
    {
        savedAt = default;
        iteration = sequence = 0;
        var match = NamePattern().Match(fileName);
        if (!match.Success ||
            !DateTime.TryParseExact(match.Groups[1].Value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ||
            !long.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out iteration) ||
            !long.TryParse(match.Groups[3].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out sequence) ||
            sequence < 1)
        {
            return false;
        }

        savedAt = new DateTimeOffset(time, TimeSpan.Zero);
        return true;
    }

    internal static PhaseSnapshotInfo Inspect(IFileSystem fs, string path, DateTimeOffset now)
    {
        var fileName = Path.GetFileName(path);
        var named = TryParseFileName(fileName, out var nameTime, out var nameIteration, out var nameSequence);
        byte[] bytes;
        try
        {
            bytes = fs.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PhaseSnapshotInfo
            {
                Path = path,
                Problem = $"it cannot be read ({e.Message})",
                Iteration = named ? nameIteration : null,
                Sequence = named ? nameSequence : null,
                SavedAt = named ? nameTime : null,
                Age = named ? now - nameTime : null,
            };
        }

        var header = ReadHeader(bytes, path);
        if (header.Problem is not null)
        {
            return new PhaseSnapshotInfo
            {
                Path = path,
                SizeBytes = bytes.Length,
                Problem = header.Problem,
                Iteration = named ? nameIteration : null,
                Sequence = named ? nameSequence : null,
                SavedAt = named ? nameTime : null,
                Age = named ? now - nameTime : null,
            };
        }

        return new PhaseSnapshotInfo
        {
            Path = path,
            SizeBytes = bytes.Length,
            Iteration = header.Iteration,
            Sequence = header.Sequence,
            SavedAt = header.SavedAt,
            Age = now - header.SavedAt!.Value,
            IsComplete = header.Complete,
            InputFingerprint = header.InputFingerprint,
        };
    }

    /// <summary>Streams a snapshot to <paramref name="destination"/>: envelope, state, metadata, checksum.</summary>
    internal static void Write<TState>(
        Stream destination, string phase, long iteration, long sequence, DateTimeOffset savedAt, bool complete,
        PhaseFingerprint? fingerprint, TState state, JsonTypeInfo<TState> typeInfo,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var sink = new HashingBufferWriter(destination, 256 * 1024);
        using (var writer = new Utf8JsonWriter(sink, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteString("phase", phase);
            writer.WriteNumber("iteration", iteration);
            writer.WriteNumber("sequence", sequence);
            writer.WriteString("timestamp", savedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteBoolean("complete", complete);
            if (fingerprint is null)
            {
                writer.WriteNull("input_fingerprint");
            }
            else
            {
                writer.WriteString("input_fingerprint", fingerprint.Value);
            }

            writer.WritePropertyName("state");
            writer.Flush();
        }

        // The state's own writer formats it as the caller's options say (indented or not).
        using (var writer = new Utf8JsonWriter(sink, new JsonWriterOptions { Indented = typeInfo.Options.WriteIndented, Encoder = typeInfo.Options.Encoder }))
        {
            JsonSerializer.Serialize(writer, state, typeInfo);
            writer.Flush();
        }

        sink.Write(",\n  \"metadata\": "u8);
        using (var writer = new Utf8JsonWriter(sink))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in metadata ?? EmptyMetadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.Flush();
        }

        var hash = sink.Complete();
        destination.Write(Encoding.ASCII.GetBytes(",\n  \"sha256\": \"" + Convert.ToHexString(hash).ToLowerInvariant() + "\"\n}\n"));
    }

    /// <summary>Deserializes the state of a file whose header is valid; throws <see cref="FormatException"/> naming the problem.</summary>
    internal static TState ReadState<TState>(byte[] bytes, in SnapshotHeader header, JsonTypeInfo<TState> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes.AsSpan(header.StateStart, header.StateLength), typeInfo)
                ?? throw new FormatException("its state is null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new FormatException($"its state does not read as {typeof(TState).Name} ({e.Message})", e);
        }
    }

    /// <summary>Checks everything but the state's type; <see cref="SnapshotHeader.Problem"/> is null when the file is valid.</summary>
    internal static SnapshotHeader ReadHeader(byte[] bytes, string path)
    {
        var fileName = Path.GetFileName(path);
        if (!TryParseFileName(fileName, out _, out _, out var nameSequence))
        {
            return SnapshotHeader.Invalid("its name is not checkpoint_yyyyMMdd_HHmmss_iterN_seqM.json");
        }

        if (bytes.Length == 0)
        {
            return SnapshotHeader.Invalid("it is empty");
        }

        var header = new SnapshotHeader();
        string? checksum = null;
        string? format = null;
        long? version = null;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SnapshotHeader.Invalid("it is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "format": format = reader.GetString(); break;
                    case "version": version = reader.GetInt64(); break;
                    case "phase": header.Phase = reader.GetString(); break;
                    case "iteration": header.Iteration = reader.GetInt64(); break;
                    case "sequence": header.Sequence = reader.GetInt64(); break;
                    case "timestamp": header.SavedAt = reader.GetDateTimeOffset(); break;
                    case "complete": header.Complete = reader.GetBoolean(); break;
                    case "input_fingerprint": header.InputFingerprint = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                    case "state":
                        header.StateStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        header.StateLength = (int)reader.BytesConsumed - header.StateStart;
                        header.HasState = true;
                        break;
                    case "metadata": header.Metadata = ReadMetadata(ref reader, bytes); break;
                    case "sha256": checksum = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return SnapshotHeader.Invalid("it has content after its end");
            }
        }
        catch (JsonException e)
        {
            return SnapshotHeader.Invalid($"it is not valid JSON, probably truncated or damaged ({e.Message})");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return SnapshotHeader.Invalid($"a field has the wrong type ({e.Message})");
        }

        if (format != Format)
        {
            return SnapshotHeader.Invalid($"its format is {(format is null ? "missing" : $"'{format}'")}, not '{Format}'");
        }

        if (version != Version)
        {
            return SnapshotHeader.Invalid($"its version {(version?.ToString(CultureInfo.InvariantCulture) ?? "(missing)")} is unknown (this library reads version {Version})");
        }

        if (checksum is null)
        {
            return SnapshotHeader.Invalid("it has no 'sha256' checksum");
        }

        if (ChecksumProblem(bytes, checksum) is { } checksumProblem)
        {
            return SnapshotHeader.Invalid(checksumProblem);
        }

        var directoryName = Path.GetFileName(Path.GetDirectoryName(path));
        return header switch
        {
            { Phase: null } => SnapshotHeader.Invalid("it lacks 'phase'"),
            _ when header.Phase != directoryName => SnapshotHeader.Invalid($"it belongs to phase '{header.Phase}', not '{directoryName}'"),
            { Sequence: null or < 1 } => SnapshotHeader.Invalid("it lacks 'sequence' (a positive integer)"),
            _ when header.Sequence != nameSequence => SnapshotHeader.Invalid($"its name says sequence {nameSequence} but it holds sequence {header.Sequence} (renamed by hand?)"),
            { Iteration: null or < 0 } => SnapshotHeader.Invalid("it lacks 'iteration' (an integer, 0 or more)"),
            { SavedAt: null } => SnapshotHeader.Invalid("it lacks 'timestamp'"),
            { HasState: false } => SnapshotHeader.Invalid("it lacks 'state'"),
            _ when header.InputFingerprint is not null && !PhaseFingerprint.IsWellFormed(header.InputFingerprint) =>
                SnapshotHeader.Invalid($"its input_fingerprint '{header.InputFingerprint}' is malformed"),
            _ => header,
        };
    }

    private static string? ChecksumProblem(byte[] bytes, string expected)
    {
        var span = bytes.AsSpan();
        var member = span.LastIndexOf("\"sha256\""u8);
        var comma = member < 0 ? -1 : span[..member].LastIndexOf((byte)',');
        if (comma < 0)
        {
            return "its 'sha256' checksum is not the last member";
        }

        var actual = Convert.ToHexString(SHA256.HashData(span[..comma])).ToLowerInvariant();
        return string.Equals(actual, expected, StringComparison.Ordinal)
            ? null
            : "its checksum does not match its content: the file is damaged or was edited by hand";
    }

    private static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, byte[] bytes)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return metadata;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("'metadata' is not an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                metadata[key] = reader.GetString()!;
            }
            else
            {
                // Another tool may have written a number or an object: keep its JSON text.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                metadata[key] = Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed - start);
            }
        }

        return metadata;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    [GeneratedRegex(@"^checkpoint_(\d{8}_\d{6})_iter(\d{1,18})_seq(\d{1,18})\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
