using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Checkpointing.Generators.Shared.SymbolHelpers;

namespace Checkpointing.Generators.Checkpointed.Parsing;

internal static partial class StageSyntaxReader
{
    /// <summary>
    /// The item key read from the item's declarations alone, without building any of its members (for a record,
    /// asking for one member builds them all, its synthesized ones too): the one property, field or record parameter
    /// (<c>[property: CheckpointKey]</c>) whose attribute names <c>[CheckpointKey]</c> as the compiler binds that
    /// name there, declared <c>public</c> or <c>internal</c> (a record parameter's property is public), of type
    /// <c>string</c>, <c>string?</c>, <c>int</c>, <c>long</c> or <c>Guid</c>. False whenever any of it is less than
    /// certain (an attribute it cannot name, a base type, a qualified or generic name, two candidates, none, a
    /// member declared again); <see cref="TryFindKeyMember"/> and then the members tell, with their diagnostics.
    /// </summary>
    public static bool TryReadKey(
        ITypeSymbol item, INamedTypeSymbol stage, SemanticModel stageModel, CancellationToken cancellationToken, out string? name, out bool nullableString)
    {
        name = null;
        nullableString = false;
        if (!Enabled
            || item is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named
            || named.DeclaringSyntaxReferences.IsEmpty
            || named.BaseType is { SpecialType: not (SpecialType.System_Object or SpecialType.System_ValueType) }
            || !stageModel.Compilation.IsSymbolAccessibleWithin(named, stage))
        {
            return false;
        }

        KeyCandidate? found = null;
        var declared = new HashSet<string>(System.StringComparer.Ordinal);
        var nested = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var type in named.GetTypeMembers())
        {
            nested.Add(type.Name);
        }

        foreach (var parameter in named.TypeParameters)
        {
            nested.Add(parameter.Name);
        }

        foreach (var reference in named.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
            {
                return false;
            }

            // Names are looked up where the type is declared: looking up inside an attribute builds the members the
            // attribute is on (a record's synthesized ones too), the very work this shortcut saves. The one scope that
            // lies between, the type's nested types and type parameters, is checked by name.
            // The stage's model when the item is declared in the stage's file: its binders are built already.
            var names = new NameReader(ModelFor(stageModel, declaration.SyntaxTree), declaration.Keyword.SpanStart, nested);
            if (declaration.ParameterList is { } parameters)
            {
                foreach (var parameter in parameters.Parameters)
                {
                    // A record's parameter is a public property; a primary constructor's parameter of a class or struct is none.
                    var candidate = parameter.Type is null
                        ? KeyCandidate.Unknown
                        : Read(parameter.AttributeLists, declaration is RecordDeclarationSyntax ? Declared.RecordParameter : Declared.ConstructorParameter, parameter.Identifier.ValueText, parameter.Type, names);
                    if (!Take(candidate, ref found))
                    {
                        return false;
                    }
                }
            }

            foreach (var member in declaration.Members)
            {
                foreach (var memberName in DeclaredNames(member))
                {
                    declared.Add(memberName);
                }

                if (member.AttributeLists.Count == 0 || member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseMethodDeclarationSyntax)
                {
                    // Nested types and methods are no keys, whatever they carry.
                    continue;
                }

                var (candidate, modifiers) = member switch
                {
                    PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property =>
                        (Read(property.AttributeLists, Declared.Property, property.Identifier.ValueText, property.Type, names), property.Modifiers),
                    FieldDeclarationSyntax field =>
                        (Read(field.AttributeLists, Declared.Field, field.Declaration.Variables[0].Identifier.ValueText, field.Declaration.Type, names), field.Modifiers),
                    _ => (KeyCandidate.Unknown, default),
                };

                // A key the stage may not see, a static one or one of several fields in one declaration: the members tell.
                if (candidate.Name is not null && (!IsAccessibleInstance(modifiers) || member is FieldDeclarationSyntax { Declaration.Variables.Count: > 1 }))
                {
                    return false;
                }

                if (!Take(candidate, ref found))
                {
                    return false;
                }
            }
        }

        // A record parameter whose name a member declares again makes no property of its own.
        if (found is not { Name: { } key } || (found.FromParameter && declared.Contains(key)))
        {
            return false;
        }

        name = key;
        nullableString = found.NullableString;
        Count(p => p.KeysWithoutMembers++);
        return true;
    }

    /// <summary>What one declaration says: no key (<see cref="None"/>), the key, or nothing certain (<see cref="Unknown"/>).</summary>
    private sealed class KeyCandidate(string? name, bool nullableString, bool fromParameter)
    {
        public static readonly KeyCandidate None = new(null, false, false);

        public static readonly KeyCandidate Unknown = new(null, false, false);

        public string? Name => name;

        public bool NullableString => nullableString;

        public bool FromParameter => fromParameter;
    }

    /// <summary>Adds a declaration's answer; false when the key cannot be read from syntax (unknown, or a second key).</summary>
    private static bool Take(KeyCandidate candidate, ref KeyCandidate? found)
    {
        if (candidate == KeyCandidate.Unknown || (candidate.Name is not null && found is not null))
        {
            return false;
        }

        if (candidate.Name is not null)
        {
            found = candidate;
        }

        return true;
    }

    /// <summary>The declarations an item key can be read from.</summary>
    private enum Declared
    {
        /// <summary>A record's parameter: <c>property:</c> puts an attribute on its property, none or <c>param:</c> on the parameter.</summary>
        RecordParameter,

        /// <summary>A class's or struct's primary constructor parameter: no member.</summary>
        ConstructorParameter,

        Property,

        Field,
    }

    /// <summary>Whether the attribute lists of a declaration make it the key.</summary>
    private static KeyCandidate Read(SyntaxList<AttributeListSyntax> lists, Declared declared, string name, TypeSyntax type, NameReader names)
    {
        var isKey = false;
        foreach (var list in lists)
        {
            var target = list.Target?.Identifier.Kind();
            bool onMember;
            switch (declared)
            {
                case Declared.RecordParameter or Declared.ConstructorParameter when target is null or SyntaxKind.ParamKeyword:
                    // On the parameter: never a key, whatever it names.
                    continue;
                case Declared.RecordParameter or Declared.ConstructorParameter when target is SyntaxKind.PropertyKeyword:
                case Declared.Property when target is null or SyntaxKind.PropertyKeyword:
                case Declared.Field when target is null or SyntaxKind.FieldKeyword:
                    onMember = true;
                    break;
                default:
                    // field: on a property, method:, return: and the like: the symbols tell.
                    return KeyCandidate.Unknown;
            }

            foreach (var attribute in list.Attributes)
            {
                switch (names.IsCheckpointKey(attribute.Name))
                {
                    case null:
                        return KeyCandidate.Unknown;
                    case true when onMember:
                        if (declared == Declared.ConstructorParameter || isKey)
                        {
                            return KeyCandidate.Unknown;
                        }

                        isKey = true;
                        break;
                }
            }
        }

        if (!isKey)
        {
            return KeyCandidate.None;
        }

        return names.KeyType(type) is { } nullableString
            ? new KeyCandidate(name, nullableString, declared == Declared.RecordParameter)
            : KeyCandidate.Unknown;
    }

    /// <summary>An instance member declared <c>public</c> or <c>internal</c> (and not also <c>protected</c> or <c>private</c>).</summary>
    private static bool IsAccessibleInstance(SyntaxTokenList modifiers)
    {
        var accessible = false;
        foreach (var modifier in modifiers)
        {
            switch (modifier.Kind())
            {
                case SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword:
                    accessible = true;
                    break;
                case SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.StaticKeyword or SyntaxKind.ConstKeyword:
                    return false;
            }
        }

        return accessible;
    }

    /// <summary>The names a member declaration declares.</summary>
    private static IEnumerable<string> DeclaredNames(MemberDeclarationSyntax member)
    {
        switch (member)
        {
            case PropertyDeclarationSyntax property:
                yield return property.Identifier.ValueText;
                break;
            case BaseFieldDeclarationSyntax field:
                foreach (var variable in field.Declaration.Variables)
                {
                    yield return variable.Identifier.ValueText;
                }

                break;
            case MethodDeclarationSyntax method:
                yield return method.Identifier.ValueText;
                break;
            case EventDeclarationSyntax @event:
                yield return @event.Identifier.ValueText;
                break;
            case BaseTypeDeclarationSyntax type:
                yield return type.Identifier.ValueText;
                break;
            case DelegateDeclarationSyntax @delegate:
                yield return @delegate.Identifier.ValueText;
                break;
        }
    }

    /// <summary>
    /// Names as the compiler binds them on the members of one type declaration, found by lookup at
    /// <paramref name="position"/> (the declaration's keyword); a name one of the type's nested types or type
    /// parameters (<paramref name="nested"/>) could mean is not answered.
    /// </summary>
    private sealed class NameReader(SemanticModel model, int position, HashSet<string> nested)
    {
        /// <summary>
        /// True when <paramref name="name"/> is <c>[CheckpointKey]</c>, false when it is another attribute, null when
        /// lookup cannot tell (a qualified or generic name, or a name that could mean two attributes).
        /// </summary>
        public bool? IsCheckpointKey(NameSyntax name)
        {
            if (name is not IdentifierNameSyntax identifier)
            {
                return null;
            }

            // The compiler looks up both "X" and "XAttribute" and reports an ambiguity when both are attributes.
            var text = identifier.Identifier.ValueText;
            if (nested.Contains(text) || nested.Contains(text + "Attribute"))
            {
                return null;
            }

            var plain = Lookup(text);
            var suffixed = text.EndsWith("Attribute", System.StringComparison.Ordinal) ? null : Lookup(text + "Attribute");
            var plainIsKey = IsType(plain, KnownTypeNames.CheckpointKey);
            var suffixedIsKey = IsType(suffixed, KnownTypeNames.CheckpointKey);
            if (!plainIsKey && !suffixedIsKey)
            {
                return plain is null && suffixed is null ? null : false;
            }

            return (plainIsKey ? suffixed : plain) is null ? true : null;
        }

        /// <summary>Whether the key's type is a nullable string; null when it is no key type syntax can name.</summary>
        public bool? KeyType(TypeSyntax type)
        {
            var nullable = false;
            if (type is NullableTypeSyntax { ElementType: PredefinedTypeSyntax element } && element.Keyword.IsKind(SyntaxKind.StringKeyword))
            {
                // Annotated even where annotations are off (the compiler warns, and the symbol still says string?).
                nullable = true;
                type = element;
            }

            return type switch
            {
                PredefinedTypeSyntax predefined when predefined.Keyword.Kind() is SyntaxKind.StringKeyword or SyntaxKind.IntKeyword or SyntaxKind.LongKeyword => nullable,
                IdentifierNameSyntax { Identifier.ValueText: "Guid" } when !nested.Contains("Guid") && IsType(Lookup("Guid"), "System.Guid") => false,
                _ => null,
            };
        }

        private ITypeSymbol? Lookup(string name) => LookupType(model, position, name);
    }
}
