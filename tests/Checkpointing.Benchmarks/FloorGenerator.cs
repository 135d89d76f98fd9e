using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Benchmarks;

/// <summary>
/// The floor of <see cref="GeneratorBenchmarks"/>: what the generator driver itself costs to find the same
/// <c>[Checkpointed]</c> and <c>[LsiRecord]</c> types (<c>ForAttributeWithMetadataName</c>: the syntax walk, the
/// semantic model, the declared symbol and its attributes), with a transform that reads nothing and an output
/// that writes one line per type. Our generators can only be as fast as this; their cost is measured above it.
/// </summary>
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        foreach (var attribute in new[] { "Checkpointing.CheckpointedAttribute", "Checkpointing.Lsi.LsiRecordAttribute" })
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (context, _) => context.TargetSymbol.MetadataName);
            context.RegisterSourceOutput(names, static (spc, name) => spc.AddSource(name + ".Floor.g.cs", "// " + name + "\n"));
        }
    }
}

/// <summary>
/// The floor of a generator that reads no symbol on an edit: <c>CreateSyntaxProvider</c> with a syntax-only
/// predicate (an attribute named <c>Checkpointed</c> or <c>LsiRecord</c>) and a syntax-only transform.
/// </summary>
public sealed class SyntaxFloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is TypeDeclarationSyntax { AttributeLists.Count: > 0 } type && HasAttribute(type),
            static (context, _) => ((TypeDeclarationSyntax)context.Node).Identifier.ValueText);
        context.RegisterSourceOutput(names, static (spc, name) => spc.AddSource(name + ".Floor.g.cs", "// " + name + "\n"));
    }

    private static bool HasAttribute(TypeDeclarationSyntax type)
    {
        foreach (var list in type.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                var name = attribute.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : (attribute.Name as IdentifierNameSyntax)?.Identifier.ValueText;
                if (name is "Checkpointed" or "CheckpointedAttribute" or "LsiRecord" or "LsiRecordAttribute")
                {
                    return true;
                }
            }
        }

        return false;
    }
}
