using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 6: the source generators on a compilation of <see cref="Count"/> <c>[Checkpointed]</c>
/// stages and (when the runtime has <c>[LsiRecord]</c>) <see cref="Count"/> LSI records of the real
/// 107-column template. <c>FullRun</c>: a new driver on a new compilation. <c>UnrelatedEdit</c>: a warm driver
/// after an edit in a file that no generator reads, which must be served from its caches. The generators
/// are found by reflection in Checkpointing.Generators and Checkpointing.Lsi.Generators, so the benchmark follows
/// whatever main ships.
/// </summary>
/// <remarks>
/// Before/after in one run: set <c>CHECKPOINTING_BASELINE_GENERATORS</c> to the path of another build of
/// Checkpointing.Generators.dll (e.g. main's; a Checkpointing.Lsi.Generators.dll beside it is loaded too, as builds
/// before the LSI package had one generator assembly) and <see cref="Version"/> takes both values, <c>baseline</c>
/// (that build, loaded into its own load context) and <c>current</c> (this one).
/// </remarks>
public class GeneratorBenchmarks
{
    private const int Count = 200;

    /// <summary>
    /// Full runs made before any is measured, counted over every version (the Roslyn code they share warms in all of
    /// them). Tiered compilation (probably) delays its promotions while new methods are still being compiled, so a
    /// full run of 200 stages + 200 LSI records settles only after 20 to 30: with 6, a single-version run measured
    /// 1.8x its steady time for its first 15 rounds, while a baseline-and-current run, warmed twice as often, did not.
    /// </summary>
    private const int WarmupFullRuns = 40;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private ImmutableArray<ISourceGenerator> _generators;
    private ImmutableArray<AdditionalText> _additionalTexts;
    private SyntaxTree[] _trees = [];
    private MetadataReference[] _references = [];
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warmDriver = null!;
    private SyntaxTree _unrelated = null!;
    private SyntaxTree[] _edits = [];
    private int _edit;

    private bool SkipErrorCheck { get; init; }

    /// <summary>True when the generator assemblies have at least one generator to measure.</summary>
    public static bool HasGenerators() => GeneratorTypes("current").Length > 0;

    /// <summary>Which generators run: each alone (on its own 200 types), both on the whole compilation, or <see cref="FloorGenerator"/> on both kinds of types (the driver's own cost: the baseline).</summary>
    [Params("Floor", "Checkpointed", "LsiRecord", "Both")]
    public string Generators { get; set; } = "Both";

    /// <summary>The environment variable naming a baseline build of Checkpointing.Generators.dll.</summary>
    public const string BaselineVariable = "CHECKPOINTING_BASELINE_GENERATORS";

    /// <summary>Which build of the generators runs: <c>current</c>, or <c>baseline</c> (see <see cref="BaselineVariable"/>).</summary>
    [ParamsSource(nameof(Versions))]
    public string Version { get; set; } = "current";

    public static IEnumerable<string> Versions() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BaselineVariable)) ? ["current"] : ["baseline", "current"];

    [GlobalSetup]
    public void Setup()
    {
        var generatorTypes = Generators == "Floor"
            ? [typeof(FloorGenerator)]
            : Generators == "SyntaxFloor"
            ? [typeof(SyntaxFloorGenerator)]
            : GeneratorTypes(Version).Where(t => Generators == "Both" || t.Name == Generators + "Generator").ToArray();
        if (generatorTypes.Length == 0)
        {
            throw new InvalidOperationException("Checkpointing.Generators has no [Generator] yet: nothing to measure.");
        }

        _generators = [.. generatorTypes.Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())];

        var sources = new List<string>();
        var runtime = typeof(StageRunner).Assembly;
        var lsiRuntime = typeof(Checkpointing.Lsi.LsiRecordAttribute).Assembly;
        var checkpointed = generatorTypes.Any(t => t.Name == "CheckpointedGenerator") || Generators.EndsWith("Floor", StringComparison.Ordinal);
        if (checkpointed)
        {
            sources.AddRange(Enumerable.Range(0, Count).Select(StageSource));
        }

        var template = ReadTemplate();
        var lsi = template is not null
            && (generatorTypes.Any(t => t.Name == "LsiRecordGenerator") || Generators.EndsWith("Floor", StringComparison.Ordinal));
        if (lsi)
        {
            var columns = ReadColumns(template!);
            sources.AddRange(Enumerable.Range(0, Count).Select(i => LsiSource(i, columns)));
            _additionalTexts = [new InMemoryText("lsi_acs_template.csv", template!)];
        }
        else
        {
            _additionalTexts = [];
        }

        _unrelated = Parse("namespace Bench.Other; public static class Unrelated { public const int Value = 0; }", "Unrelated.cs");
        _edits = [.. Enumerable.Range(1, 2).Select(i => _unrelated.WithChangedText(SourceText.From($"namespace Bench.Other; public static class Unrelated {{ public const int Value = {i}; }}")))];
        _trees = [.. sources.Select((s, i) => Parse(s, $"Source{i:D3}.cs")), _unrelated];
        // The shared framework plus what a user of the runtime references; not the benchmark's own dependencies.
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        _references = [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.GetDirectoryName(p) == framework)
            .Concat([runtime.Location, lsiRuntime.Location, typeof(CsvHelper.CsvWriter).Assembly.Location, typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location])
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p))];
        _compilation = NewCompilation();

        _warmDriver = NewDriver().RunGeneratorsAndUpdateCompilation(_compilation, out var output, out var diagnostics);
        var result = _warmDriver.GetRunResult();
        // Compiling the output for its errors takes longer than the runs measured; a profile leaves it out.
        var errors = SkipErrorCheck ? 0 : output.GetDiagnostics().Concat(diagnostics).Count(d => d.Severity == DiagnosticSeverity.Error);
        Console.WriteLine($"// Setup: generators [{string.Join(", ", generatorTypes.Select(t => t.Name))}]; "
            + $"{(checkpointed ? Count : 0)} stages, {(lsi ? Count : 0)} LSI records; {result.GeneratedTrees.Length} files generated, "
            + $"{result.GeneratedTrees.Sum(t => t.Length):N0} characters (largest {result.GeneratedTrees.Max(t => t.Length):N0} characters, "
            + $"{result.GeneratedTrees.Max(t => t.GetText().Lines.Count):N0} lines); {errors} error diagnostic(s)");
        foreach (var d in SkipErrorCheck ? [] : output.GetDiagnostics().Concat(diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).Take(5))
        {
            Console.WriteLine("//   " + d);
        }
    }

    /// <summary>
    /// <c>--generator-timing</c>: the wall time and the generators' own time (the driver's timing info) of a full
    /// run and of an unrelated edit, in interleaved rounds over every <see cref="Versions"/> (baseline and current
    /// alternate, in the reverse order every other round, so a load change on the machine hits both); prints each
    /// round and the medians with their ratios.
    /// </summary>
    public static void PrintTimings(string generators, int runs)
    {
        var benches = Versions().Select(v => new GeneratorBenchmarks { Generators = generators, Version = v }).ToList();
        foreach (var bench in benches)
        {
            bench.Setup();
        }

        // JIT and first-touch costs out of the measured rounds (see WarmupFullRuns). After the minimum, warm-up goes on
        // while a round's full runs take more than 10% over the quickest round so far (at most three times the minimum).
        var minimumRounds = (WarmupFullRuns + benches.Count - 1) / benches.Count;
        var warmupRounds = 0;
        var quickest = double.MaxValue;
        var lastWarmup = new List<string>();
        double roundTime;
        do
        {
            lastWarmup.Clear();
            roundTime = 0;
            foreach (var bench in benches)
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                bench.FullRun();
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                roundTime += elapsed;
                lastWarmup.Add($"{bench.Version} {elapsed:0} ms");
                bench.UnrelatedEdit();
            }

            quickest = Math.Min(quickest, roundTime);
            warmupRounds++;
        }
        while (warmupRounds < minimumRounds || (roundTime > quickest * 1.10 && warmupRounds < 3 * minimumRounds));

        Console.WriteLine($"// Warm-up: {warmupRounds} rounds; full run in the last: {string.Join(", ", lastWarmup)}");

        var samples = benches.ToDictionary(b => b.Version, _ => new List<(double Full, double FullGenerators, double Edit, double EditGenerators, double FirstEdit)>());
        for (var i = 0; i < runs; i++)
        {
            // Each round reverses the order (baseline first, then current first, ...): the second slot of a round
            // runs amid the first one's garbage, which on its own made identical builds differ by 1.5x.
            foreach (var bench in i % 2 == 0 ? benches : Enumerable.Reverse(benches))
            {
                // Each run starts on a collected heap, so no run pays for the garbage of the one before it.
                Samples.Collect();
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                var full = bench.FullRun();
                var fullWall = System.Diagnostics.Stopwatch.GetElapsedTime(start);
                Samples.Collect();
                start = System.Diagnostics.Stopwatch.GetTimestamp();
                bench.FirstEdit(full);
                var firstEditWall = System.Diagnostics.Stopwatch.GetElapsedTime(start);
                Samples.Collect();
                start = System.Diagnostics.Stopwatch.GetTimestamp();
                var edit = bench.UnrelatedEdit();
                var editWall = System.Diagnostics.Stopwatch.GetElapsedTime(start);
                samples[bench.Version].Add((fullWall.TotalMilliseconds, full.GetTimingInfo().ElapsedTime.TotalMilliseconds,
                    editWall.TotalMilliseconds, edit.GetTimingInfo().ElapsedTime.TotalMilliseconds, firstEditWall.TotalMilliseconds));
                Console.WriteLine(
                    $"{generators} {bench.Version}: full run {fullWall.TotalMilliseconds:0} ms wall, {full.GetTimingInfo().ElapsedTime.TotalMilliseconds:0} ms in generators; "
                    + $"unrelated edit {editWall.TotalMilliseconds:0} ms wall, {edit.GetTimingInfo().ElapsedTime.TotalMilliseconds:0} ms in generators; "
                    + $"first edit after the full run {firstEditWall.TotalMilliseconds:0} ms wall");
            }
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var medians = samples.ToDictionary(p => p.Key, p => (
            Full: Median(p.Value.Select(v => v.Full)), FullGenerators: Median(p.Value.Select(v => v.FullGenerators)),
            Edit: Median(p.Value.Select(v => v.Edit)), EditGenerators: Median(p.Value.Select(v => v.EditGenerators)),
            FirstEdit: Median(p.Value.Select(v => v.FirstEdit))));
        foreach (var (version, m) in medians)
        {
            Console.WriteLine($"{generators} {version} median of {runs}: full run {m.Full:0} ms ({m.FullGenerators:0} ms in generators); "
                + $"unrelated edit {m.Edit:0} ms ({m.EditGenerators:0} ms in generators) = {m.Edit / m.Full:0.00}x a full run; "
                + $"the first edit after a full run {m.FirstEdit:0} ms");
        }

        if (medians.TryGetValue("baseline", out var before) && medians.TryGetValue("current", out var after))
        {
            Console.WriteLine($"{generators} current / baseline: full run {after.Full / before.Full:0.00}x, unrelated edit {after.Edit / before.Edit:0.00}x "
                + $"(generators' own time: {after.FullGenerators / before.FullGenerators:0.00}x, {after.EditGenerators / before.EditGenerators:0.00}x)");
        }
    }

    /// <summary>
    /// <c>--generator-steps</c>: step tracking on a full run (a new driver on a new compilation, after warm-up
    /// runs that took the JIT's cost) and on a warm driver after two unrelated edits; for each tracked step with
    /// time or outputs, its time and how many outputs were New, Modified, Unchanged, Cached or Removed, and for
    /// each generator its own time as the driver measured it.
    /// </summary>
    public static void PrintSteps(string generators)
    {
        var bench = new GeneratorBenchmarks { Generators = generators };
        bench.Setup();
        GeneratorDriver NewTrackingDriver() => CSharpGeneratorDriver.Create(bench._generators, bench._additionalTexts, ParseOptions, optionsProvider: null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        // Tiered JIT promotes the hot methods over many runs (see WarmupFullRuns); the first ones run up to 2x slower.
        for (var i = 0; i < WarmupFullRuns; i++)
        {
            NewTrackingDriver().RunGenerators(bench.NewCompilation());
        }

        var driver = NewTrackingDriver().RunGenerators(bench.NewCompilation());
        Print(driver, "full run");
        for (var i = 0; i < 2; i++)
        {
            driver = driver.RunGenerators(bench._compilation.ReplaceSyntaxTree(bench._unrelated, bench._edits[i]));
            Print(driver, $"edit {i}");
        }

        void Print(GeneratorDriver run, string label)
        {
            var timing = run.GetTimingInfo();
            Console.WriteLine($"{generators} {label}: {timing.ElapsedTime.TotalMilliseconds:0} ms in generators ("
                + string.Join(", ", timing.GeneratorTimes.Select(t => $"{t.Generator.GetGeneratorType().Name} {t.ElapsedTime.TotalMilliseconds:0} ms")) + ")");
            foreach (var result in run.GetRunResult().Results)
            {
                foreach (var (name, steps) in result.TrackedSteps.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var reasons = steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Key} {g.Count()}");
                    var ms = steps.Sum(s => s.ElapsedTime.TotalMilliseconds);
                    Console.WriteLine($"{generators} {label}: {result.Generator.GetGeneratorType().Name} {name}: {ms:0} ms; {string.Join(", ", reasons)}");
                }

                foreach (var (name, steps) in result.TrackedOutputSteps.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var ms = steps.Sum(s => s.ElapsedTime.TotalMilliseconds);
                    Console.WriteLine($"{generators} {label}: {result.Generator.GetGeneratorType().Name} output {name}: {ms:0} ms; {steps.Length} step(s)");
                }
            }
        }
    }

    /// <summary><c>--generator-profile</c>: repeats a full run or an unrelated edit, for a profiler attached to the process.</summary>
    public static void Repeat(string generators, bool edits, int count)
    {
        var bench = new GeneratorBenchmarks { Generators = generators, SkipErrorCheck = true };
        bench.Setup();
        var pause = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            _ = edits ? bench.UnrelatedEdit() : bench.FullRun();
        }

        Console.WriteLine($"{generators}: {count} {(edits ? "unrelated edits" : "full runs")} in {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms; "
            + $"GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms, {GC.CollectionCount(2) - gen2} gen 2 collections; "
            + $"{(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count / (1024.0 * 1024):0.0} MB allocated per run");
    }

    [Benchmark(Baseline = true, Description = "Full run, new driver")]
    public GeneratorDriver FullRun() => NewDriver().RunGenerators(NewCompilation());

    /// <summary>The unrelated edit on the driver of a full run: what the first keystroke after a project load costs.</summary>
    public GeneratorDriver FirstEdit(GeneratorDriver afterFullRun) =>
        afterFullRun.RunGenerators(NewCompilation().ReplaceSyntaxTree(_unrelated, _edits[0]));

    [Benchmark(Description = "Unrelated edit, warm driver")]
    public GeneratorDriver UnrelatedEdit()
    {
        var edited = _compilation.ReplaceSyntaxTree(_unrelated, _edits[_edit++ & 1]);
        return _warmDriver.RunGenerators(edited);
    }

    private static Type[] GeneratorTypes(string version) =>
        GeneratorAssemblies(version).SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t) && t.GetCustomAttribute<GeneratorAttribute>() is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();

    private static Assembly[]? _baseline;

    private static Assembly[] GeneratorAssemblies(string version)
    {
        if (version != "baseline")
        {
            return [Assembly.Load("Checkpointing.Generators"), Assembly.Load("Checkpointing.Lsi.Generators")];
        }

        var path = Environment.GetEnvironmentVariable(BaselineVariable);
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{BaselineVariable} must name a build of Checkpointing.Generators.dll (it is '{path}').");
        }

        // Their own load context, so they can have the same names as the current build; Roslyn comes from the default context.
        var context = new System.Runtime.Loader.AssemblyLoadContext("baseline-generators");
        var lsi = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "Checkpointing.Lsi.Generators.dll");
        return _baseline ??= [context.LoadFromAssemblyPath(Path.GetFullPath(path)), .. File.Exists(lsi) ? [context.LoadFromAssemblyPath(lsi)] : Array.Empty<Assembly>()];
    }

    private GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(_generators, _additionalTexts, ParseOptions, optionsProvider: null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    // A new compilation over the same parsed trees: nothing bound yet, as after a project load.
    private CSharpCompilation NewCompilation() =>
        CSharpCompilation.Create("Bench", _trees, _references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path, Encoding.UTF8);

    private static string StageSource(int i) => $$"""
        using System.Threading;
        using System.Threading.Tasks;
        using Checkpointing;

        namespace Bench.Stages{{i:D3}};

        public sealed record Page{{i:D3}}([property: CheckpointKey] string Key, int Number);

        public sealed record Text{{i:D3}}(string Text, int Tokens);

        [Checkpointed("stage{{i:D3}}")]
        public partial class Stage{{i:D3}}
        {
            [ProcessItem]
            public ValueTask<Text{{i:D3}}> ProcessAsync(Page{{i:D3}} page, ItemContext context, CancellationToken cancellationToken)
            {
                context.AddCost(0.001m);
                return new ValueTask<Text{{i:D3}}>(new Text{{i:D3}}("page " + page.Number, page.Number));
            }
        }
        """;

    private static string LsiSource(int i, IReadOnlyList<string> columns)
    {
        var builder = new StringBuilder();
        builder.AppendLine("using Checkpointing.Lsi;");
        builder.AppendLine($"namespace Bench.Lsi{i:D3};");
        builder.AppendLine("[LsiRecord(Template = \"lsi_acs_template.csv\")]");
        builder.AppendLine($"public partial class Row{i:D3}");
        builder.AppendLine("{");
        for (var c = 0; c < columns.Count; c++)
        {
            builder.AppendLine($"    [LsiColumn({SymbolDisplay.FormatLiteral(columns[c], quote: true)})] public string? Column{c:D3} {{ get; set; }}");
        }

        builder.AppendLine("}");
        return builder.ToString();
    }

    private static string? ReadTemplate()
    {
        using var stream = typeof(GeneratorBenchmarks).Assembly.GetManifestResourceStream("lsi_acs_template.csv");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // The template's header line: comma-separated, fields optionally double-quoted ("" for a quote).
    private static List<string> ReadColumns(string template)
    {
        var columns = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < template.Length && template[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                columns.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                break;
            }
            else
            {
                field.Append(c);
            }
        }

        columns.Add(field.ToString());
        return columns;
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
