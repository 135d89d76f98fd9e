using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Shared;

/// <summary>How accessible generated members are: as the types in their signatures allow.</summary>
internal enum GeneratedAccessibility
{
    Public,
    Internal,
    Private,
}

/// <summary>The partial declarations a generator writes around its members, and how accessible those members can be.</summary>
internal static class TypeDeclarations
{
    /// <summary>The partial declaration of <paramref name="symbol"/> as written, e.g. <c>partial record class Stage&lt;in T&gt;</c>.</summary>
    public static string Declaration(TypeDeclarationSyntax syntax, INamedTypeSymbol symbol)
    {
        var keyword = syntax.Keyword.ValueText;
        if (syntax is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.None))
        {
            keyword += " " + record.ClassOrStructKeyword.ValueText;
        }

        var name = symbol.Name;
        if (symbol.TypeParameters.Length > 0)
        {
            name += "<" + string.Join(", ", symbol.TypeParameters.Select(t => t.Variance switch
            {
                VarianceKind.In => "in " + t.Name,
                VarianceKind.Out => "out " + t.Name,
                _ => t.Name,
            })) + ">";
        }

        return $"partial {keyword} {name}";
    }

    /// <summary>How accessible a type is from outside its assembly: the lowest of its own, its containers' and its type arguments'.</summary>
    public static Accessibility EffectiveAccessibility(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return EffectiveAccessibility(array.ElementType);
            case INamedTypeSymbol named:
                var result = Accessibility.Public;
                for (var current = named; current is not null; current = current.ContainingType)
                {
                    result = Lower(result, current.DeclaredAccessibility);
                }

                foreach (var argument in named.TypeArguments)
                {
                    result = Lower(result, EffectiveAccessibility(argument));
                }

                return result;
            default:
                return Accessibility.Public;
        }
    }

    public static Accessibility Lower(Accessibility left, Accessibility right) => Rank(left) <= Rank(right) ? left : right;

    /// <summary>
    /// Generated members are public unless a type in their signature is less accessible; they are then as
    /// accessible as that type allows (private for a type nested in a class), so the code compiles.
    /// </summary>
    public static GeneratedAccessibility Generated(Accessibility accessibility) => Rank(accessibility) switch
    {
        3 => GeneratedAccessibility.Public,
        2 => GeneratedAccessibility.Internal,
        _ => GeneratedAccessibility.Private,
    };

    /// <summary>The C# keyword of <paramref name="accessibility"/>.</summary>
    public static string Keyword(GeneratedAccessibility accessibility) => accessibility switch
    {
        GeneratedAccessibility.Internal => "internal",
        GeneratedAccessibility.Private => "private",
        _ => "public",
    };

    private static int Rank(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => 3,
        Accessibility.ProtectedOrInternal or Accessibility.Internal => 2,
        Accessibility.NotApplicable => 3,
        _ => 1,
    };
}
