using Checkpointing.Generators.CumulativeCsv.Emit;
using Checkpointing.Generators.CumulativeCsv.Parsing;
using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.CumulativeCsv;

/// <summary>
/// Makes each <c>[Checkpointed]</c> class with <c>[CumulativeCsv("imprint")]</c> a save-hook source that appends every
/// saved output to the imprint's cumulative checkpoint CSV, and adds <c>OpenCumulativeCsvAsync</c>,
/// <c>FindCumulativeCsv</c> and <c>GetCumulativeCsvKey</c>; reports CKPT120-122, CKPT124 and CKPT217.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CumulativeCsvGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.CumulativeCsv,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                CumulativeCsvParser.Parse)
            .WithTrackingName(TrackingNames.CumulativeCsvParse);

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.CumulativeCsvDiagnostics);
        context.RegisterDiagnostics(diagnostics);

        var stages = results
            .Select(static (result, _) => result.Stage)
            .Where(static stage => stage is not null)
            .WithTrackingName(TrackingNames.CumulativeCsvStages);
        context.RegisterSourceOutput(stages, static (spc, stage) =>
        {
            var (hintName, source) = CumulativeCsvEmitter.Emit(stage!);
            spc.AddSource(hintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }
}
