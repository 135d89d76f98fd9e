using System.Collections.Generic;
using System.Threading;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Lsi.Parsing;

/// <summary>
/// Reads an <c>[LsiRecord]</c> type from its declaration, without building its members or binding their attributes.
/// </summary>
/// <remarks>
/// <c>ForAttributeWithMetadataName</c> runs the parser again on every new compilation, even after an edit in a
/// file that no generator reads, and on a new compilation every member symbol and every <c>[LsiColumn]</c> is
/// built and bound again: with 107 columns that was nearly all the cost of such an edit. This reader handles the
/// common, well-formed shape from syntax alone, with a few name lookups per type to be sure that the names mean
/// what binding would make of them. Anything else (partial or positional members, other attributes, constants,
/// aliases, constructors, types other than the supported keywords, or anything that would raise a diagnostic)
/// returns null and the symbol-based <see cref="LsiRecordParser"/> handles the type, so the result never differs.
/// </remarks>
internal static class LsiRecordSyntaxReader
{
    public static LsiRecordSyntaxModel? TryRead(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type, string? template, bool escapeInjection, string? dateFormat, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not TypeDeclarationSyntax declaration
            || type.DeclaringSyntaxReferences.Length != 1
            || type.ContainingType is not null
            || type.TypeParameters.Length > 0
            || type.IsAbstract
            || type.IsStatic
            || declaration.ParameterList is not null
            || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return null;
        }

        var lookups = new Lookups(context.SemanticModel, declaration.OpenBraceToken.Span.End);
        var members = new List<LsiMemberModel>();
        var columns = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var member in declaration.Members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LsiMemberModel? model;
            switch (member)
            {
                case ConstructorDeclarationSyntax:
                    return null;
                case PropertyDeclarationSyntax property:
                    if (property.AttributeLists.Count == 0)
                    {
                        continue;
                    }

                    if (!IsReadWrite(property))
                    {
                        return null;
                    }

                    model = ReadMember(property.Identifier.ValueText, property.Type, property.AttributeLists, lookups);
                    break;
                case FieldDeclarationSyntax field:
                    if (field.AttributeLists.Count == 0)
                    {
                        continue;
                    }

                    if (field.Declaration.Variables.Count != 1 || HasAny(field.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.ConstKeyword, SyntaxKind.ReadOnlyKeyword))
                    {
                        return null;
                    }

                    model = ReadMember(field.Declaration.Variables[0].Identifier.ValueText, field.Declaration.Type, field.AttributeLists, lookups);
                    break;
                case BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax when member.AttributeLists.Count > 0:
                    // Indexers and events with attributes: left to the symbol-based parser.
                    return null;
                default:
                    continue;
            }

            if (model is null || !columns.Add(model.ColumnName))
            {
                return null;
            }

            members.Add(model);
        }

        var attributeLocation = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        return new LsiRecordSyntaxModel(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            type.Name,
            HintNames.For(type, "LsiRecord"),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.IsRecord,
            template,
            attributeLocation,
            escapeInjection,
            dateFormat,
            null,
            null,
            new EquatableArray<LsiMemberModel>(members),
            EquatableArray<DiagnosticInfo>.Empty);
    }

    private static bool IsReadWrite(PropertyDeclarationSyntax property)
    {
        if (HasAny(property.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.PartialKeyword, SyntaxKind.AbstractKeyword, SyntaxKind.ExternKeyword)
            || property.ExpressionBody is not null
            || property.AccessorList is not { Accessors.Count: 2 } accessors)
        {
            return false;
        }

        return System.Linq.Enumerable.Any(accessors.Accessors, a => a.IsKind(SyntaxKind.GetAccessorDeclaration))
               && System.Linq.Enumerable.Any(accessors.Accessors, a => a.IsKind(SyntaxKind.SetAccessorDeclaration));
    }

    private static LsiMemberModel? ReadMember(string memberName, TypeSyntax typeSyntax, SyntaxList<AttributeListSyntax> lists, Lookups lookups)
    {
        if (lists.Count != 1 || lists[0].Target is not null || lists[0].Attributes.Count != 1)
        {
            return null;
        }

        var attribute = lists[0].Attributes[0];
        if (!lookups.IsLsiColumn(attribute.Name) || attribute.ArgumentList is not { Arguments.Count: > 0 } argumentList)
        {
            return null;
        }

        string? columnName = null;
        var required = false;
        var format = LsiFormatKind.Default;
        var maxLength = 0;
        var arguments = argumentList.Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.NameColon is not null)
            {
                return null;
            }

            if (i == 0)
            {
                if (argument.NameEquals is not null || argument.Expression is not LiteralExpressionSyntax name || !name.IsKind(SyntaxKind.StringLiteralExpression))
                {
                    return null;
                }

                columnName = name.Token.ValueText;
                continue;
            }

            switch (argument.NameEquals?.Name.Identifier.ValueText, argument.Expression)
            {
                case ("Required", LiteralExpressionSyntax literal) when literal.IsKind(SyntaxKind.TrueLiteralExpression):
                    required = true;
                    break;
                case ("Required", LiteralExpressionSyntax literal) when literal.IsKind(SyntaxKind.FalseLiteralExpression):
                    required = false;
                    break;
                case ("MaxLength", LiteralExpressionSyntax literal) when literal.IsKind(SyntaxKind.NumericLiteralExpression) && literal.Token.Value is int value:
                    maxLength = value;
                    break;
                case ("Format", MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax enumName, Name: IdentifierNameSyntax valueName } access)
                    when access.IsKind(SyntaxKind.SimpleMemberAccessExpression) && lookups.IsLsiFormat(enumName) && TryParseFormat(valueName.Identifier.ValueText, out var parsed):
                    format = parsed;
                    break;
                default:
                    return null;
            }
        }

        if (!lookups.TryGetKind(typeSyntax, out var kind, out var isNullable)
            || LsiRecordParser.FormatProblem(kind, format) is not null
            || (required && !isNullable && kind != LsiMemberKind.String))
        {
            return null;
        }

        return new LsiMemberModel(memberName, columnName!, kind, isNullable, format, required, maxLength, null, LocationInfo.From(attribute));
    }

    private static bool TryParseFormat(string name, out LsiFormatKind format)
    {
        format = name switch
        {
            "Default" => LsiFormatKind.Default,
            "Text" => LsiFormatKind.Text,
            "Isbn" => LsiFormatKind.Isbn,
            "UsdPrice" => LsiFormatKind.UsdPrice,
            "Percent" => LsiFormatKind.Percent,
            "Date" => LsiFormatKind.Date,
            "YesNo" => LsiFormatKind.YesNo,
            "Decimal" => LsiFormatKind.Decimal,
            "Price" => LsiFormatKind.Price,
            _ => (LsiFormatKind)(-1),
        };
        return format >= 0;
    }

    private static bool HasAny(SyntaxTokenList modifiers, params SyntaxKind[] kinds)
    {
        foreach (var kind in kinds)
        {
            if (modifiers.Any(kind))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Name lookups at the start of the type's body, once per name: what the compiler would bind the names to.</summary>
    private sealed class Lookups(SemanticModel model, int position)
    {
        private readonly Dictionary<string, ITypeSymbol?> _types = new(System.StringComparer.Ordinal);

        public bool IsLsiColumn(NameSyntax name) => name switch
        {
            // The compiler looks up both "X" and "XAttribute" and reports an ambiguity when both are attributes.
            IdentifierNameSyntax { Identifier.ValueText: "LsiColumn" } => IsNamed(Lookup("LsiColumnAttribute"), "LsiColumnAttribute") && Lookup("LsiColumn") is null,
            IdentifierNameSyntax { Identifier.ValueText: "LsiColumnAttribute" } => IsNamed(Lookup("LsiColumnAttribute"), "LsiColumnAttribute") && Lookup("LsiColumnAttributeAttribute") is null,
            _ => false,
        };

        public bool IsLsiFormat(IdentifierNameSyntax name) =>
            name.Identifier.ValueText == "LsiFormat" && IsNamed(Lookup("LsiFormat"), "LsiFormat");

        public bool TryGetKind(TypeSyntax syntax, out LsiMemberKind kind, out bool isNullable)
        {
            isNullable = false;
            if (syntax is NullableTypeSyntax nullable)
            {
                isNullable = true;
                syntax = nullable.ElementType;
            }

            switch (syntax)
            {
                case PredefinedTypeSyntax predefined:
                    switch (predefined.Keyword.Kind())
                    {
                        case SyntaxKind.StringKeyword:
                            kind = LsiMemberKind.String;
                            // string? is an annotation, so it only means "nullable" where annotations are on.
                            return !isNullable || model.GetNullableContext(syntax.SpanStart).AnnotationsEnabled();
                        case SyntaxKind.IntKeyword: kind = LsiMemberKind.Int32; return true;
                        case SyntaxKind.LongKeyword: kind = LsiMemberKind.Int64; return true;
                        case SyntaxKind.DecimalKeyword: kind = LsiMemberKind.Decimal; return true;
                        case SyntaxKind.DoubleKeyword: kind = LsiMemberKind.Double; return true;
                        case SyntaxKind.BoolKeyword: kind = LsiMemberKind.Boolean; return true;
                    }

                    break;
                case IdentifierNameSyntax { Identifier.ValueText: "DateOnly" }:
                    kind = LsiMemberKind.DateOnly;
                    return Lookup("DateOnly") is { ContainingType: null, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
                case IdentifierNameSyntax { Identifier.ValueText: "DateTime" }:
                    kind = LsiMemberKind.DateTime;
                    return Lookup("DateTime") is { SpecialType: SpecialType.System_DateTime };
            }

            kind = default;
            return false;
        }

        private static bool IsNamed(ITypeSymbol? type, string name) =>
            type is { ContainingType: null, ContainingNamespace: { Name: "Lsi", ContainingNamespace: { Name: "Checkpointing", ContainingNamespace.IsGlobalNamespace: true } } }
            && type.Name == name;

        private ITypeSymbol? Lookup(string name)
        {
            if (!_types.TryGetValue(name, out var type))
            {
                type = model.GetSpeculativeTypeInfo(position, SyntaxFactory.IdentifierName(name), SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
                if (type is null or IErrorTypeSymbol)
                {
                    type = null;
                }

                _types.Add(name, type);
            }

            return type;
        }
    }
}
