using System.Reflection;
using System.Runtime.CompilerServices;
using Checkpointing.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>Every CKPT1xx descriptor is unique, documented, tracked for release and well formed.</summary>
public sealed class CheckpointedDescriptorTests
{
    private static readonly List<DiagnosticDescriptor> Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .Where(d => d.Id.StartsWith("CKPT1", StringComparison.Ordinal))
        .ToList();

    [Fact]
    public void Ids_are_unique_and_each_has_a_docs_page_a_release_row_and_a_help_link()
    {
        Assert.True(Descriptors.Count >= 19);
        Assert.Equal(Descriptors.Count, Descriptors.Select(d => d.Id).Distinct().Count());
        var root = RepositoryRoot();
        var unshipped = File.ReadAllText(Path.Combine(root, "src", "Checkpointing.Generators", "AnalyzerReleases.Unshipped.md"));
        var index = File.ReadAllText(Path.Combine(root, "docs", "diagnostics", "README.md"));
        foreach (var descriptor in Descriptors)
        {
            var page = Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no docs page");
            var text = File.ReadAllText(page);
            Assert.Contains("## Invalid", text);
            Assert.Contains("## Fixed", text);
            Assert.Contains($"{descriptor.Id} | Checkpointing.Checkpointed | {descriptor.DefaultSeverity} |", unshipped);
            Assert.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", index);
            Assert.EndsWith($"docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
            Assert.False(descriptor.Title.ToString().EndsWith('.'), $"{descriptor.Id}: titles have no full stop");
        }
    }

    private static string RepositoryRoot([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
}
