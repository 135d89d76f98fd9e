using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace Checkpointing;

/// <summary>
/// Typed reads of a stage's saved outputs, for the next stage of a pipeline. The <c>[Checkpointed]</c>
/// generator wraps these as <c>ReadOutput(options, key)</c>, <c>TryReadOutput</c> and <c>ReadOutputs(options)</c>
/// on each stage, so no caller builds a path.
/// </summary>
public static class StageOutputs
{
    /// <summary>The outputs' folder of a stage in the run of <paramref name="options"/>: <c>&lt;Root&gt;/&lt;RunId&gt;/&lt;outputDirectory&gt;</c>.</summary>
    /// <param name="options">The run (its <see cref="StageRunOptions.Root"/> and <see cref="StageRunOptions.RunId"/>).</param>
    /// <param name="outputDirectory">The stage's output folder name (its stage name unless configured).</param>
    public static string GetDirectory(StageRunOptions options, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        return Path.Combine(options.Root, options.RunId, outputDirectory);
    }

    /// <summary>Reads the output of <paramref name="key"/>.</summary>
    /// <param name="options">The run to read from.</param>
    /// <param name="stageName">The stage, for the error message.</param>
    /// <param name="outputDirectory">The stage's output folder name.</param>
    /// <param name="key">The item's key, as in the checkpoint and the output file name.</param>
    /// <param name="typeInfo">The output's JSON metadata.</param>
    /// <exception cref="StageOutputNotFoundException">The stage has no output for the key (it has not run, or not completed it).</exception>
    /// <exception cref="FormatException">The output file is unreadable; the message names it.</exception>
    public static TOutput Read<TOutput>(StageRunOptions options, string stageName, string outputDirectory, string key, JsonTypeInfo<TOutput> typeInfo)
    {
        var directory = GetDirectory(options, outputDirectory);
        return StageOutputFile.Read(directory, key, typeInfo) is { } saved
            ? saved.Output
            : throw new StageOutputNotFoundException(stageName, key, StageOutputFile.GetPath(directory, key));
    }

    /// <summary>Reads the output of <paramref name="key"/>, or returns false when the stage has none.</summary>
    /// <param name="options">The run to read from.</param>
    /// <param name="outputDirectory">The stage's output folder name.</param>
    /// <param name="key">The item's key.</param>
    /// <param name="typeInfo">The output's JSON metadata.</param>
    /// <param name="output">The output, when there is one.</param>
    /// <exception cref="FormatException">The output file is unreadable; the message names it.</exception>
    public static bool TryRead<TOutput>(StageRunOptions options, string outputDirectory, string key, JsonTypeInfo<TOutput> typeInfo, [MaybeNullWhen(false)] out TOutput output)
    {
        if (StageOutputFile.Read(GetDirectory(options, outputDirectory), key, typeInfo) is { } saved)
        {
            output = saved.Output;
            return true;
        }

        output = default;
        return false;
    }

    /// <summary>
    /// Reads every saved output of a stage, in key order (ordinal), one file at a time. An unreadable file
    /// throws <see cref="FormatException"/> naming it; temp files of interrupted writes are never read.
    /// </summary>
    /// <param name="options">The run to read from.</param>
    /// <param name="outputDirectory">The stage's output folder name.</param>
    /// <param name="typeInfo">The output's JSON metadata.</param>
    public static IEnumerable<StageOutput<TOutput>> ReadAll<TOutput>(StageRunOptions options, string outputDirectory, JsonTypeInfo<TOutput> typeInfo)
    {
        var directory = GetDirectory(options, outputDirectory);
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(directory, "*.json")
            .Select(Path.GetFileName)
            .Where(name => !name!.StartsWith('.'))
            .Select(name => name![..^".json".Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var key in keys)
        {
            if (StageOutputFile.Read(directory, key, typeInfo) is { } saved)
            {
                yield return saved;
            }
        }
    }
}

/// <summary>Thrown when a stage has no saved output for an item that a later stage asks for.</summary>
public sealed class StageOutputNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public StageOutputNotFoundException(string stageName, string key, string path)
        : base($"Stage '{stageName}' has no output for item '{key}' (expected '{path}'): run that stage for the item first, or check the key.", path)
    {
        StageName = stageName;
        Key = key;
    }

    /// <summary>The stage whose output is missing.</summary>
    public string StageName { get; }

    /// <summary>The item's key.</summary>
    public string Key { get; }
}
