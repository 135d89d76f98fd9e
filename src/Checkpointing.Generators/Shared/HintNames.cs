using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Shared;

/// <summary>Hint names of generated files: the type's namespace and containing types, e.g. <c>MyApp.Pipeline.Outer_1.OcrStage.Checkpointed.g.cs</c>.</summary>
internal static class HintNames
{
    /// <param name="type">The type the file extends.</param>
    /// <param name="kind">What generated it, e.g. <c>Checkpointed</c> or <c>LsiRecord</c>.</param>
    public static string For(INamedTypeSymbol type, string kind)
    {
        var parts = new List<string>();
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = current.ContainingType)
        {
            // Generic types differ by arity only: Stage and Stage<T> must not share a file name.
            parts.Insert(0, named.Arity > 0 ? $"{named.Name}_{named.Arity}" : named.Name);
        }

        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            parts.Insert(0, ns.ToDisplayString());
        }

        return string.Join(".", parts) + "." + kind + ".g.cs";
    }
}
