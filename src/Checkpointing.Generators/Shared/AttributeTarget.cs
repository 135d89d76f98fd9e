using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Shared;

/// <summary>What a parser gets for one attributed declaration: what <c>ForAttributeWithMetadataName</c> would give it.</summary>
internal readonly struct AttributeTarget
{
    public AttributeTarget(TypeDeclarationSyntax targetNode, INamedTypeSymbol targetSymbol, SemanticModel semanticModel, ImmutableArray<AttributeData> attributes)
    {
        TargetNode = targetNode;
        TargetSymbol = targetSymbol;
        SemanticModel = semanticModel;
        Attributes = attributes;
    }

    public TypeDeclarationSyntax TargetNode { get; }

    public INamedTypeSymbol TargetSymbol { get; }

    public SemanticModel SemanticModel { get; }

    /// <summary>The target attribute as applied on <see cref="TargetNode"/> (not on other partial declarations).</summary>
    public ImmutableArray<AttributeData> Attributes { get; }
}
