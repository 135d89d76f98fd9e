using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.Tests.Infrastructure;

/// <summary>Builds in-memory compilations that reference the runtime and runs generators over them.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .ToList();
        paths.Add(typeof(CheckpointedAttribute).Assembly.Location);
        paths.Add(typeof(Checkpointing.Lsi.LsiRecordAttribute).Assembly.Location);
        paths.Add(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location);
        paths.Add(typeof(CsvHelper.CsvWriter).Assembly.Location);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>A compilation of <paramref name="sources"/> (file names Source0.cs, Source1.cs, ...).</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The compilation with its tree number <paramref name="index"/> replaced by <paramref name="text"/> (same path): an edit.</summary>
    public static Compilation Replace(Compilation compilation, int index, string text)
    {
        var old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, ParseOptions, path: old.FilePath));
    }

    /// <summary>Creates a driver with step tracking on (for incrementality tests).</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText>? additionalTexts, params IIncrementalGenerator[] generators) =>
        CSharpGeneratorDriver.Create(
            generators.Select(GeneratorExtensions.AsSourceGenerator),
            additionalTexts,
            ParseOptions,
            optionsProvider: null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <paramref name="generator"/> over <paramref name="sources"/>.</summary>
    public static GeneratorOutcome Run(IIncrementalGenerator generator, string[] sources, params AdditionalText[] additionalTexts) =>
        Run([generator], sources, additionalTexts);

    /// <summary>Runs <paramref name="generators"/> together over <paramref name="sources"/>, as a project referencing both packages does.</summary>
    public static GeneratorOutcome Run(IIncrementalGenerator[] generators, string[] sources, params AdditionalText[] additionalTexts)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver(additionalTexts, generators).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorOutcome(driver.GetRunResult(), output, generatorDiagnostics, output.GetDiagnostics());
    }
}

/// <summary>What one generator run produced.</summary>
public sealed record GeneratorOutcome(
    GeneratorDriverRunResult RunResult,
    Compilation OutputCompilation,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationDiagnostics)
{
    /// <summary>Errors and warnings of the output compilation (generated code must add none).</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>An additional file (e.g. an LSI template) given to a generator in a test.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}
