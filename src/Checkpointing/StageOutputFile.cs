using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Checkpointing.IO;

namespace Checkpointing;

/// <summary>
/// An item's output file, <c>&lt;root&gt;/&lt;runId&gt;/&lt;outputDir&gt;/&lt;key&gt;.json</c>:
/// <c>{"key": "...", "cost_usd": 0.0123, "saved_at": "...", "output": { ... }}</c>. The cost travels with the
/// output so that an item saved just before a crash (and not yet marked) still counts what it cost.
/// </summary>
public static class StageOutputFile
{
    /// <summary>The file of <paramref name="key"/> in <paramref name="outputDirectory"/>; the key is validated.</summary>
    public static string GetPath(string outputDirectory, string key) =>
        Path.Combine(outputDirectory, CheckpointKeys.Validate(key) + ".json");

    /// <summary>Serializes an output with its key and cost into the file's bytes.</summary>
    public static byte[] Serialize<TOutput>(string key, TOutput output, decimal costUsd, DateTimeOffset savedAt, JsonTypeInfo<TOutput> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteNumber("cost_usd", costUsd);
            writer.WriteString("saved_at", savedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WritePropertyName("output");
            JsonSerializer.Serialize(writer, output, typeInfo);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an output file's bytes; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static StageOutput<TOutput> Deserialize<TOutput>(ReadOnlySpan<byte> json, JsonTypeInfo<TOutput> typeInfo)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("it is not a JSON object");
            }

            string? key = null;
            decimal? cost = null;
            DateTimeOffset? savedAt = null;
            var hasOutput = false;
            TOutput? output = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "key": key = reader.GetString(); break;
                    case "cost_usd": cost = reader.GetDecimal(); break;
                    case "saved_at": savedAt = reader.GetDateTimeOffset(); break;
                    case "output":
                        output = JsonSerializer.Deserialize(ref reader, typeInfo);
                        hasOutput = true;
                        break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new FormatException("it has content after its end");
            }

            if (key is null || cost is null || !hasOutput)
            {
                throw new FormatException("it lacks 'key', 'cost_usd' or 'output'");
            }

            if (output is null)
            {
                throw new FormatException("its output is null");
            }

            return new StageOutput<TOutput>(key, output, cost.Value, savedAt);
        }
        catch (JsonException e)
        {
            throw new FormatException($"it is not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Reads the output of <paramref name="key"/>, or null when it has none; throws <see cref="FormatException"/> when it is unreadable.</summary>
    public static StageOutput<TOutput>? Read<TOutput>(string outputDirectory, string key, JsonTypeInfo<TOutput> typeInfo)
    {
        var path = GetPath(outputDirectory, key);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return Deserialize(File.ReadAllBytes(path), typeInfo);
        }
        catch (FormatException e)
        {
            throw new FormatException($"Output '{path}' is unreadable: {e.Message}", e);
        }
    }
}

/// <summary>An item's saved output with its key and cost.</summary>
/// <param name="Key">The item key.</param>
/// <param name="Output">The output.</param>
/// <param name="CostUsd">What the item's work cost.</param>
/// <param name="SavedAt">When it was saved.</param>
public sealed record StageOutput<TOutput>(string Key, TOutput Output, decimal CostUsd, DateTimeOffset? SavedAt);
