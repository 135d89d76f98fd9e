using System.Linq;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Emit;
using Checkpointing.Generators.Lsi.Model;
using Checkpointing.Generators.Lsi.Parsing;
using Microsoft.CodeAnalysis;

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
        var records = AttributeTargets.ForAttribute(context, KnownTypeNames.LsiRecord, LsiRecordParser.Parse, TrackingNames.LsiRecords)
            // Reading the members is served from the cache while the declaration and the names it uses are the same;
            // only a record that needs its symbols is read again on each compilation.
            .Select(LsiRecordParser.ReadFromSyntax)
            .WithTrackingName(TrackingNames.LsiRecordsRead)
            .Combine(context.CompilationProvider)
            .Select(static (pair, ct) => LsiRecordParser.Bind(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.LsiRecordsBound);

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

        // Diagnostics and source apart (as System.Text.Json's generator does): diagnostics carry locations, the
        // record model does not, so moving a line reports again but re-emits nothing.
        var diagnostics = resolved
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.LsiDiagnostics);
        context.RegisterDiagnostics(diagnostics);

        var models = resolved
            .Select(static (result, _) => result.Record)
            .Where(static record => record is not null)
            .WithTrackingName(TrackingNames.LsiModels);
        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            var (hintName, source) = LsiRecordEmitter.Emit(model!);
            spc.AddSource(hintName, source);
        });
    }
}
