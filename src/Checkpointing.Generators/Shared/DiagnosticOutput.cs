using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Shared;

/// <summary>How every generator reports: diagnostics travel in a step of their own, apart from the source output.</summary>
internal static class DiagnosticOutput
{
    /// <summary>
    /// Reports each value's diagnostics. Kept apart from the source output (as System.Text.Json's generator does), so
    /// moving a declaration down a file re-reports at the new line without re-emitting its source.
    /// </summary>
    public static void RegisterDiagnostics(this IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics) =>
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var diagnostic in items)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });
}
