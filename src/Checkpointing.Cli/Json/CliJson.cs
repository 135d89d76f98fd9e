using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Checkpointing.Cli.Json;

/// <summary>The tool's JSON: source generated (no reflection), snake_case like the checkpoint files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(ValidateReport))]
[JsonSerializable(typeof(CompareReport))]
[JsonSerializable(typeof(ListReport))]
[JsonSerializable(typeof(CleanReport))]
[JsonSerializable(typeof(ChangeReport))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
}

/// <summary>Writes a report as one JSON document.</summary>
internal static class CliJson
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="output"/>, indented, or on one line for streams of documents (<c>--watch</c>).</summary>
    public static void Write<T>(TextWriter output, T value, JsonTypeInfo<T> typeInfo, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented)))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }

    /// <summary>The writer settings of every document the tool writes.</summary>
    public static JsonWriterOptions WriterOptions(bool indented) =>
        new() { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
