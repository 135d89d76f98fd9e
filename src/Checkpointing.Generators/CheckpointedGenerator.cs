using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Checkpointing.Generators.Diagnostics;
using Checkpointing.Generators.Emit;
using Checkpointing.Generators.Models;
using Checkpointing.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators;

/// <summary>
/// Generates <c>StageName</c>, <c>CreateDefinition</c>, <c>RunAsync</c> and <c>ReadStatus</c> for each
/// <c>[Checkpointed]</c> partial class, and reports stage mistakes as CKPT1xx diagnostics.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CheckpointedGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.Checkpointed,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                CheckpointedParser.Parse)
            .WithTrackingName(TrackingNames.CheckpointedParse);

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.CheckpointedDiagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var diagnostic in items)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        var stages = results
            .Select(static (result, _) => result.Stage)
            .Where(static stage => stage is not null)
            .WithTrackingName(TrackingNames.CheckpointedStages);
        context.RegisterSourceOutput(stages, static (spc, stage) =>
        {
            var (hintName, source) = CheckpointedEmitter.Emit(stage!);
            spc.AddSource(hintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });

        // Stages only clash with each other, so this step sees every stage's identity at once.
        var identities = results
            .Select(static (result, _) => result.Identity)
            .Where(static identity => identity is not null)
            .Collect()
            .WithTrackingName(TrackingNames.CheckpointedIdentities);
        context.RegisterSourceOutput(identities, static (spc, all) => ReportDuplicates(spc, all!));
    }

    private static void ReportDuplicates(SourceProductionContext context, ImmutableArray<CheckpointedStageIdentity?> identities)
    {
        var first = new Dictionary<(string, string), CheckpointedStageIdentity>();
        foreach (var identity in identities.OrderBy(i => i!.TypeName, System.StringComparer.Ordinal))
        {
            var key = (identity!.StageName, identity.OutputDirectory);
            if (first.TryGetValue(key, out var earlier))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateStage,
                    identity.Location?.ToLocation(),
                    earlier.TypeName, identity.TypeName, identity.StageName, identity.OutputDirectory));
            }
            else
            {
                first.Add(key, identity);
            }
        }
    }
}
