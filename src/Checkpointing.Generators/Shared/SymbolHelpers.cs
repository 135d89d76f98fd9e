using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Shared;

/// <summary>Symbol and syntax questions both parsers ask; none of them keeps a symbol.</summary>
internal static class SymbolHelpers
{
    /// <summary>
    /// Whether <paramref name="type"/> is the top-level type <paramref name="metadataName"/>. Compared by name
    /// rather than with <c>Compilation.GetTypeByMetadataName</c>, which searches every reference and is slow
    /// on each new compilation (that is, after every edit).
    /// </summary>
    public static bool IsType(ITypeSymbol? type, string metadataName)
    {
        if (type is not INamedTypeSymbol { ContainingType: null } named)
        {
            return false;
        }

        var name = named.MetadataName;
        var end = metadataName.Length - name.Length - 1;
        if (end <= 0 || metadataName[end] != '.' || string.CompareOrdinal(metadataName, end + 1, name, 0, name.Length) != 0)
        {
            return false;
        }

        // Walk the namespaces from the innermost outwards against the dotted prefix, without building strings.
        var ns = named.ContainingNamespace;
        while (ns is { IsGlobalNamespace: false })
        {
            var part = ns.Name;
            var start = end - part.Length;
            if (start < 0 || string.CompareOrdinal(metadataName, start, part, 0, part.Length) != 0)
            {
                return false;
            }

            if (start == 0)
            {
                return ns.ContainingNamespace is null or { IsGlobalNamespace: true };
            }

            if (metadataName[start - 1] != '.')
            {
                return false;
            }

            end = start - 1;
            ns = ns.ContainingNamespace;
        }

        return false;
    }

    /// <summary>Whether values of <paramref name="type"/> are their own checkpoint key: string, int, long or Guid (<c>CheckpointKeys.From</c>).</summary>
    /// <summary>
    /// The type <paramref name="name"/> means at <paramref name="position"/>, or null. A lookup answers the common cases
    /// (no such name, one non-generic type) without binding: a name that binds to nothing makes speculative binding
    /// search every reference for a forwarded type, for its error message. Anything else (an alias, several
    /// candidates, a generic) is bound as the compiler would.
    /// </summary>
    public static ITypeSymbol? LookupType(SemanticModel model, int position, string name)
    {
        var found = model.LookupNamespacesAndTypes(position, name: name);
        if (found.Length == 0)
        {
            return null;
        }

        if (found.Length == 1 && found[0] is INamedTypeSymbol { Arity: 0 } type)
        {
            return type;
        }

        return model.GetSpeculativeTypeInfo(position, Microsoft.CodeAnalysis.CSharp.SyntaxFactory.IdentifierName(name), SpeculativeBindingOption.BindAsTypeOrNamespace).Type is { } bound and not IErrorTypeSymbol
            ? bound
            : null;
    }

    public static bool IsKeyType(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64
        || IsType(type, "System.Guid");

    public static bool HasAttribute(ISymbol symbol, string attributeMetadataName) =>
        symbol.GetAttributes().Any(a => IsType(a.AttributeClass, attributeMetadataName));

    public static bool DerivesFrom(INamedTypeSymbol type, string baseMetadataName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (IsType(current, baseMetadataName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value of the named argument <paramref name="name"/> of an attribute, or null.</summary>
    public static object? NamedArgument(AttributeData attribute, string name)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == name)
            {
                return named.Value.Value;
            }
        }

        return null;
    }

    public static Location? FirstLocation(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource);

    /// <summary>Where an attribute argument is written: the named one, or the first positional one when <paramref name="name"/> is null.</summary>
    public static Location? ArgumentLocation(AttributeSyntax? attribute, string? name)
    {
        if (attribute?.ArgumentList is not { } list)
        {
            return null;
        }

        foreach (var argument in list.Arguments)
        {
            var isNamed = argument.NameEquals is not null;
            if (name is null ? !isNamed : argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument.Expression.GetLocation();
            }
        }

        return null;
    }

    /// <summary><paramref name="value"/> with control characters written as <c>\uXXXX</c>, for diagnostic messages.</summary>
    public static string Escape(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
