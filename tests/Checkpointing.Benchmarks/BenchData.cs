using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Where the benchmarks keep their files and which sizes they use. Both come from environment variables
/// that <see cref="Program"/> sets, because BenchmarkDotNet runs each case in a child process that
/// inherits the environment but none of the host's static state.
/// </summary>
internal static class BenchData
{
    public const string DirectoryVariable = "CHECKPOINTING_BENCH_DIR";
    public const string QuickVariable = "CHECKPOINTING_BENCH_QUICK";

    /// <summary>True under <c>--quick</c> or <c>--smoke</c>: the end-to-end stage is smaller (see <see cref="EndToEndItems"/>).</summary>
    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) is "1" or "smoke";

    /// <summary>True under <c>--smoke</c>: every size is cut down, only to prove the benchmarks run.</summary>
    public static bool Smoke => Environment.GetEnvironmentVariable(QuickVariable) == "smoke";

    /// <summary>The end-to-end stage's size: 10,000 items, 1,000 under --quick, 100 under --smoke.</summary>
    public static int EndToEndItems => Smoke ? 100 : Quick ? 1_000 : 10_000;

    /// <summary>
    /// The folder for the benchmarks' files. It must be on the disk being measured (not a tmpfs), so it
    /// defaults to the artifacts folder under the current directory rather than the system temp folder.
    /// </summary>
    public static string Root =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine("BenchmarkDotNet.Artifacts", "data"));

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public static string NewDirectory(string name)
    {
        var path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder made by <see cref="NewDirectory"/>; best effort.</summary>
    public static void TryDelete(string? path)
    {
        try
        {
            if (path is not null && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The key of item <paramref name="i"/>: fixed width, like page numbers.</summary>
    public static string Key(int i) => "page-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Records the process's peak working set for one benchmark case (one process per case out of
    /// process); <see cref="Program"/> prints them after the run.
    /// </summary>
    public static void RecordPeakWorkingSet(string benchmark)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var file = Path.Combine(Root, "peak-working-set.txt");
        Directory.CreateDirectory(Root);
        File.AppendAllText(file, $"{benchmark}\t{process.PeakWorkingSet64 / (1024.0 * 1024.0):0.0}\n");
    }
}

/// <summary>A small output, like the text and token count of one OCR'd page.</summary>
public sealed record PageOutput(string Key, string Text, int Tokens);

[JsonSerializable(typeof(PageOutput))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
