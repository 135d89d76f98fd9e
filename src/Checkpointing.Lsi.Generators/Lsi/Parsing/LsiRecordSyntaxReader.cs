using System.Collections.Generic;
using System.Threading;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Lsi.Parsing;

/// <summary>
/// The syntax half of <see cref="LsiRecordParser"/>: reads the facts of one <c>[LsiColumn]</c> member from its
/// declaration, without building the member's symbol or binding its attribute. It applies no rule: the parser
/// checks the facts it returns exactly as it checks the facts it reads from a symbol.
/// </summary>
/// <remarks>
/// The parser runs again whenever a file the record's declaration can reach changes (<c>AttributeTargets</c>), and on
/// a new compilation every member symbol and every <c>[LsiColumn]</c> would be built and bound again: with 107
/// columns that was nearly all the cost of such a run. This reader answers
/// for the common shape (one <c>[LsiColumn]</c> with literal arguments on a <c>{ get; set; }</c> property or a
/// plain field of a keyword, <c>DateOnly</c> or <c>DateTime</c> type), with a few name lookups per type to be sure
/// that the names mean what binding would make of them. For anything else (other attributes, targets, constants,
/// aliases, accessors, modifiers or types) it returns null and the parser reads that member from its symbol.
/// </remarks>
internal static class LsiRecordSyntaxReader
{
    /// <summary>The facts of a property from its syntax alone; null when only its symbol can tell.</summary>
    public static LsiRecordParser.ColumnFacts? TryRead(PropertyDeclarationSyntax property, Lookups lookups) =>
        IsReadWrite(property)
            ? ReadMember(property.Identifier.ValueText, property.Type, property.AttributeLists, lookups, property)
            : null;

    /// <summary>The facts of a field declaring one variable from its syntax alone; null when only its symbol can tell.</summary>
    public static LsiRecordParser.ColumnFacts? TryRead(FieldDeclarationSyntax field, Lookups lookups) =>
        field.Declaration.Variables.Count == 1 && !HasAny(field.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.ConstKeyword, SyntaxKind.ReadOnlyKeyword)
            ? ReadMember(field.Declaration.Variables[0].Identifier.ValueText, field.Declaration.Type, field.AttributeLists, lookups, field.Declaration.Variables[0])
            : null;

    /// <summary>
    /// True when <paramref name="declaration"/> declares every member of the type, one symbol per member syntax:
    /// the type's only declaration, without a parameter list (positional properties) or partial properties.
    /// </summary>
    public static bool CanReadMembers(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
    {
        if (type.DeclaringSyntaxReferences.Length != 1 || declaration.ParameterList is not null)
        {
            return false;
        }

        foreach (var member in declaration.Members)
        {
            if (member is BasePropertyDeclarationSyntax property && property.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="declaration"/> is the type's only declaration and it has no instance constructor
    /// of its own, so the compiler gives it a parameterless one (a static or abstract type is checked before).
    /// </summary>
    public static bool HasImplicitConstructor(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
    {
        if (type.DeclaringSyntaxReferences.Length != 1 || declaration.ParameterList is not null)
        {
            return false;
        }

        foreach (var member in declaration.Members)
        {
            if (member is ConstructorDeclarationSyntax constructor && !constructor.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsReadWrite(PropertyDeclarationSyntax property)
    {
        if (HasAny(property.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.PartialKeyword, SyntaxKind.AbstractKeyword, SyntaxKind.ExternKeyword)
            || property.ExpressionBody is not null
            || property.ExplicitInterfaceSpecifier is not null
            || property.AccessorList is not { Accessors.Count: 2 } accessors)
        {
            return false;
        }

        return System.Linq.Enumerable.Any(accessors.Accessors, a => a.IsKind(SyntaxKind.GetAccessorDeclaration))
               && System.Linq.Enumerable.Any(accessors.Accessors, a => a.IsKind(SyntaxKind.SetAccessorDeclaration));
    }

    private static LsiRecordParser.ColumnFacts? ReadMember(string memberName, TypeSyntax typeSyntax, SyntaxList<AttributeListSyntax> lists, Lookups lookups, SyntaxNode declared)
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
        string? dateFormat = null;
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
                case ("DateFormat", LiteralExpressionSyntax literal) when literal.IsKind(SyntaxKind.StringLiteralExpression):
                    dateFormat = literal.Token.ValueText.Length > 0 ? literal.Token.ValueText : null;
                    break;
                default:
                    return null;
            }
        }

        if (!lookups.TryGetKind(typeSyntax, out var kind, out var isNullable))
        {
            return null;
        }

        // The type's display name only serves diagnostics, so the member's symbol is built only for one.
        return new LsiRecordParser.ColumnFacts(
            memberName, columnName!, required, format, maxLength, dateFormat, LocationInfo.From(attribute), NotReadWrite: null, kind, isNullable,
            () => lookups.DeclaredType(declared));
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

    /// <summary>
    /// What the names the reader accepts mean inside one type declaration without preprocessor directives, looked up once
    /// per compilation; the members are then read from syntax with these answers alone (see <see cref="LsiRecordInput"/>).
    /// </summary>
    /// <param name="AnnotationsEnabled">Whether <c>string?</c> is a nullable annotation throughout the declaration.</param>
    internal sealed record NameFacts(bool LsiColumn, bool LsiColumnAttribute, bool LsiFormat, bool DateOnly, bool DateTime, bool AnnotationsEnabled)
    {
        public static NameFacts Read(SemanticModel model, TypeDeclarationSyntax declaration)
        {
            // The declaration holds no directive, so the nullable context at its brace holds for every member.
            var lookups = new Lookups(model, declaration.OpenBraceToken.Span.End);
            return new NameFacts(
                lookups.IsLsiColumn(SyntaxFactory.IdentifierName("LsiColumn")),
                lookups.IsLsiColumn(SyntaxFactory.IdentifierName("LsiColumnAttribute")),
                lookups.IsLsiFormat(SyntaxFactory.IdentifierName("LsiFormat")),
                lookups.IsSystemDateOnly(),
                lookups.IsSystemDateTime(),
                model.GetNullableContext(declaration.OpenBraceToken.SpanStart).AnnotationsEnabled());
        }
    }

    /// <summary>
    /// Name lookups at the start of the type's body, once per name: what the compiler would bind the names to. Made
    /// from a semantic model, or from the <see cref="NameFacts"/> found earlier (then no member's type is displayed).
    /// </summary>
    internal sealed class Lookups
    {
        private readonly SemanticModel? _model;
        private readonly int _position;
        private readonly NameFacts? _facts;

        public Lookups(SemanticModel model, int position)
        {
            _model = model;
            _position = position;
        }

        public Lookups(NameFacts facts) => _facts = facts;

        /// <summary>The member's type as the compiler displays it; only a diagnostic asks, and without a model "?".</summary>
        public string DeclaredType(SyntaxNode declared) => _model?.GetDeclaredSymbol(declared) switch
        {
            IPropertySymbol property => property.Type.ToDisplayString(),
            IFieldSymbol field => field.Type.ToDisplayString(),
            _ => "?",
        };

        private readonly Dictionary<string, ITypeSymbol?> _types = new(System.StringComparer.Ordinal);

        public bool IsLsiColumn(NameSyntax name) => name switch
        {
            // The compiler looks up both "X" and "XAttribute" and reports an ambiguity when both are attributes.
            IdentifierNameSyntax { Identifier.ValueText: "LsiColumn" } =>
                _facts?.LsiColumn ?? (IsNamed(Lookup("LsiColumnAttribute"), "LsiColumnAttribute") && Lookup("LsiColumn") is null),
            IdentifierNameSyntax { Identifier.ValueText: "LsiColumnAttribute" } =>
                _facts?.LsiColumnAttribute ?? (IsNamed(Lookup("LsiColumnAttribute"), "LsiColumnAttribute") && Lookup("LsiColumnAttributeAttribute") is null),
            _ => false,
        };

        public bool IsLsiFormat(IdentifierNameSyntax name) =>
            name.Identifier.ValueText == "LsiFormat" && (_facts?.LsiFormat ?? IsNamed(Lookup("LsiFormat"), "LsiFormat"));

        public bool IsSystemDateOnly() =>
            _facts?.DateOnly ?? Lookup("DateOnly") is { Name: "DateOnly", ContainingType: null, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

        public bool IsSystemDateTime() => _facts?.DateTime ?? Lookup("DateTime") is { SpecialType: SpecialType.System_DateTime };

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
                            return !isNullable || (_facts?.AnnotationsEnabled ?? _model!.GetNullableContext(syntax.SpanStart).AnnotationsEnabled());
                        case SyntaxKind.IntKeyword: kind = LsiMemberKind.Int32; return true;
                        case SyntaxKind.LongKeyword: kind = LsiMemberKind.Int64; return true;
                        case SyntaxKind.DecimalKeyword: kind = LsiMemberKind.Decimal; return true;
                        case SyntaxKind.DoubleKeyword: kind = LsiMemberKind.Double; return true;
                        case SyntaxKind.BoolKeyword: kind = LsiMemberKind.Boolean; return true;
                    }

                    break;
                case IdentifierNameSyntax { Identifier.ValueText: "DateOnly" }:
                    kind = LsiMemberKind.DateOnly;
                    return IsSystemDateOnly();
                case IdentifierNameSyntax { Identifier.ValueText: "DateTime" }:
                    kind = LsiMemberKind.DateTime;
                    return IsSystemDateTime();
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
                type = SymbolHelpers.LookupType(_model!, _position, name);
                _types.Add(name, type);
            }

            return type;
        }
    }
}
