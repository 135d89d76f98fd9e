using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Tests.Infrastructure;

/// <summary>
/// Snapshot checks in Verify's file convention, so a switch to Verify.SourceGenerators is a one-line change:
/// <c>Snapshots/{TestClass}.{TestMethod}#{HintName without .cs}.verified.cs</c>, first line <c>//HintName: {hint}</c>.
/// A mismatch writes <c>.received.cs</c> beside it and fails with a diff; <c>ACCEPT_SNAPSHOTS=1</c> accepts.
/// </summary>
public static class Snapshot
{
    private static bool Accept => Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") is "1" or "true";

    /// <summary>Checks every generated source of <paramref name="result"/>.</summary>
    public static void Verify(GeneratorDriverRunResult result, [CallerFilePath] string callerFile = "", [CallerMemberName] string method = "")
    {
        var sources = result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal).ToList();
        Assert.NotEmpty(sources);
        var failures = new List<string>();
        foreach (var source in sources)
        {
            var text = $"//HintName: {source.HintName}\n" + source.SourceText.ToString().Replace("\r\n", "\n");
            if (Check(callerFile, method, Path.GetFileNameWithoutExtension(source.HintName), text) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Checks one text snapshot named <paramref name="name"/>.</summary>
    public static void VerifyText(string text, string name, [CallerFilePath] string callerFile = "", [CallerMemberName] string method = "")
    {
        if (Check(callerFile, method, name, text.Replace("\r\n", "\n")) is { } failure)
        {
            Assert.Fail(failure);
        }
    }

    private static string? Check(string callerFile, string method, string name, string actual)
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var stem = $"{Path.GetFileNameWithoutExtension(callerFile)}.{method}#{name}";
        var verified = Path.Combine(directory, stem + ".verified.cs");
        var received = Path.Combine(directory, stem + ".received.cs");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return null;
        }

        if (Accept)
        {
            File.WriteAllText(verified, actual, new UTF8Encoding(false));
            File.Delete(received);
            return null;
        }

        File.WriteAllText(received, actual, new UTF8Encoding(false));
        if (expected is null)
        {
            return $"No snapshot yet: {verified}\nReceived: {received}\nReview it, then rerun with ACCEPT_SNAPSHOTS=1 to accept.";
        }

        return $"Snapshot mismatch: {verified}\nReceived: {received}\nRerun with ACCEPT_SNAPSHOTS=1 to accept.\n{Diff(expected, actual)}";
    }

    private static string Diff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual);
        var builder = new StringBuilder();
        var shown = 0;
        foreach (var line in diff.Lines)
        {
            if (line.Type == ChangeType.Unchanged)
            {
                continue;
            }

            builder.Append(line.Type == ChangeType.Inserted ? "+ " : "- ").Append(line.Position).Append(": ").AppendLine(line.Text);
            if (++shown == 60)
            {
                builder.AppendLine("... (diff cut at 60 lines)");
                break;
            }
        }

        return builder.ToString();
    }
}
