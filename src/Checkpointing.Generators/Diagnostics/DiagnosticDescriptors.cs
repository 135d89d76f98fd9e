namespace Checkpointing.Generators.Diagnostics;

/// <summary>
/// The diagnostics of the generators: one partial class, a file per generator, one way to build a descriptor
/// (a helper per category that sets the help link to the ID's page in docs/diagnostics). This file is compiled into
/// both generator assemblies.
/// </summary>
internal static partial class DiagnosticDescriptors
{
    private static string HelpLink(string id) => $"https://github.com/checkpointing/checkpointing/blob/main/docs/diagnostics/{id}.md";
}
