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
