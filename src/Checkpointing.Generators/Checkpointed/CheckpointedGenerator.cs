using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Checkpointing.Generators.Checkpointed.Emit;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Checkpointed.Parsing;
using Checkpointing.Generators.Diagnostics;
using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.Checkpointed;

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
        var results = AttributeTargets.ForAttribute(context, KnownTypeNames.Checkpointed, CheckpointedParser.Parse, TrackingNames.CheckpointedParse);

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.CheckpointedDiagnostics);
        context.RegisterDiagnostics(diagnostics);

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
        // Case-insensitive: on Windows and macOS "OCR" and "ocr" are the same file.
        var names = new Dictionary<string, CheckpointedStageIdentity>(System.StringComparer.OrdinalIgnoreCase);
        var folders = new Dictionary<string, CheckpointedStageIdentity>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var identity in identities.OrderBy(i => i!.TypeName, System.StringComparer.Ordinal))
        {
            if (names.TryGetValue(identity!.StageName, out var sameName))
            {
                Report(context, sameName, identity, "stage name", identity.StageName, "checkpoint");
            }
            else if (folders.TryGetValue(identity.OutputDirectory, out var sameFolder))
            {
                Report(context, sameFolder, identity, "output folder", identity.OutputDirectory, "outputs");
            }

            if (!names.ContainsKey(identity.StageName))
            {
                names.Add(identity.StageName, identity);
            }

            if (!folders.ContainsKey(identity.OutputDirectory))
            {
                folders.Add(identity.OutputDirectory, identity);
            }
        }
    }

    private static void Report(SourceProductionContext context, CheckpointedStageIdentity first, CheckpointedStageIdentity second, string what, string value, string files) =>
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.DuplicateStage, second.Location?.ToLocation(), first.TypeName, second.TypeName, what, value, files));
}
