using System.Linq;
using Checkpointing.Generators.Helpers;
using Checkpointing.Generators.Lsi.Emit;
using Checkpointing.Generators.Lsi.Models;
using Checkpointing.Generators.Lsi.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Lsi;

/// <summary>
/// Generates, for each <c>[LsiRecord]</c> class, a CsvHelper 34 record writer and mapper registered when the
/// assembly loads, the LSI dialect as the type's CsvHelper options, <c>Validate()</c> and <c>LsiColumns</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LsiRecordGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var records = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.LsiRecord,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                LsiRecordParser.Parse)
            .WithTrackingName(TrackingNames.LsiRecords);

        var templates = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".csv", System.StringComparison.OrdinalIgnoreCase))
            .Select(LsiTemplateReader.Read)
            .Collect()
            .Select(static (all, _) => new EquatableArray<LsiTemplate>(all))
            .WithTrackingName(TrackingNames.LsiTemplates);

        var resolved = records
            .Combine(templates)
            .Select(static (pair, ct) => LsiRecordResolver.Resolve(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.LsiResolved);

        context.RegisterSourceOutput(resolved, static (spc, model) =>
        {
            foreach (var diagnostic in model.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (!model.HasErrors)
            {
                var (hintName, source) = LsiRecordEmitter.Emit(model);
                spc.AddSource(hintName, source);
            }
        });
    }
}
