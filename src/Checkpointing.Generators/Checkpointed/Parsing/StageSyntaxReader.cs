using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Checkpointing.Generators.Shared.SymbolHelpers;

namespace Checkpointing.Generators.Checkpointed.Parsing;

/// <summary>
/// Shortcuts of the <c>[Checkpointed]</c> parser: answers read from declarations, so that the parser builds and
/// binds only the symbols syntax cannot tell about. Each method answers only where syntax is certain and
/// otherwise returns false, and the parser then asks the symbols exactly as it would without this class.
/// </summary>
/// <remarks>
/// The parser runs again whenever a file the stage's declaration can reach changes (<see cref="Shared.AttributeTargets"/>),
/// and on a new compilation every member symbol is built and every attribute bound again: for a record item or output,
/// its synthesized members too. What is read here:
/// <list type="bullet">
/// <item>the stage's <c>[ProcessItem]</c> and <c>[ValidateOutput]</c> methods: only methods whose declarations
/// carry attribute lists are bound (<see cref="TryFindMethods"/>);</item>
/// <item>the item key: from the item's declarations and name lookups, no member built (<see cref="TryReadKey"/>), else
/// only the item's members whose declarations carry attributes are bound (<see cref="TryFindKeyMember"/>);</item>
/// <item>that an output type has no validation rules: no member declaration carries an attribute list
/// (<see cref="ShowsNoMemberAttributes"/>).</item>
/// </list>
/// </remarks>
internal static partial class StageSyntaxReader
{
    /// <summary>For tests: when set, the shortcuts are counted, or turned off to compare with the symbol path.</summary>
    internal static readonly AsyncLocal<Probe?> TestProbe = new();

    /// <summary>What a test sees of the shortcuts in its own flow of execution.</summary>
    internal sealed class Probe
    {
        public bool SymbolsOnly { get; set; }

        public int MethodsFromSyntax { get; set; }

        public int KeysFromSyntax { get; set; }

        public int KeysWithoutMembers { get; set; }

        public int RulesSkipped { get; set; }
    }

    private static bool Enabled => TestProbe.Value is not { SymbolsOnly: true };

    /// <summary>
    /// The stage's methods marked <c>[ProcessItem]</c> and <c>[ValidateOutput]</c>, binding only the methods whose
    /// declarations carry attributes. False when only the stage's members can tell (partial methods, attributes
    /// on constructors, operators, accessors or with a <c>method:</c> target, or several methods with one of the
    /// attributes, whose order the diagnostics take from the members).
    /// </summary>
    public static bool TryFindMethods(
        INamedTypeSymbol type, SemanticModel model, CancellationToken cancellationToken, out List<IMethodSymbol> process, out List<IMethodSymbol> validate)
    {
        process = new List<IMethodSymbol>(1);
        validate = new List<IMethodSymbol>(1);
        if (!Enabled)
        {
            return false;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration || HasTarget(declaration.AttributeLists, SyntaxKind.MethodKeyword))
            {
                return false;
            }

            SemanticModel? declarationModel = null;
            foreach (var member in declaration.Members)
            {
                switch (member)
                {
                    case MethodDeclarationSyntax method when method.AttributeLists.Count > 0:
                        if (method.Modifiers.Any(SyntaxKind.PartialKeyword))
                        {
                            return false;
                        }

                        declarationModel ??= ModelFor(model, declaration.SyntaxTree);
                        if (declarationModel.GetDeclaredSymbol(method, cancellationToken) is not { } symbol)
                        {
                            return false;
                        }

                        if (HasAttribute(symbol, KnownTypeNames.ProcessItem))
                        {
                            process.Add(symbol);
                        }

                        if (HasAttribute(symbol, KnownTypeNames.ValidateOutput))
                        {
                            validate.Add(symbol);
                        }

                        break;
                    case BaseMethodDeclarationSyntax other when other is not MethodDeclarationSyntax && other.AttributeLists.Count > 0:
                        return false;
                    case BasePropertyDeclarationSyntax property when HasTarget(property.AttributeLists, SyntaxKind.MethodKeyword) || AccessorsHaveAttributes(property.AccessorList):
                        return false;
                    case EventFieldDeclarationSyntax eventField when HasTarget(eventField.AttributeLists, SyntaxKind.MethodKeyword):
                        return false;
                }
            }
        }

        if (process.Count > 1 || validate.Count > 1)
        {
            return false;
        }

        Count(p => p.MethodsFromSyntax++);
        return true;
    }

    /// <summary>
    /// The instance properties and fields of <paramref name="item"/> marked <c>[CheckpointKey]</c>, binding only the
    /// members whose declarations carry attributes (<c>GetMembers(name)</c>, then their attributes). False when
    /// only all the members can tell: a base type other than <c>object</c> or <c>ValueType</c>, a type not declared
    /// in source, a <c>field:</c> target (the attribute then goes to a backing field), or not exactly one key
    /// found (the diagnostics then name members in the order the members give).
    /// </summary>
    public static bool TryFindKeyMember(ITypeSymbol item, CancellationToken cancellationToken, out ISymbol? key)
    {
        key = null;
        if (!Enabled
            || item is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named
            || named.DeclaringSyntaxReferences.IsEmpty
            || named.BaseType is { SpecialType: not (SpecialType.System_Object or SpecialType.System_ValueType) })
        {
            return false;
        }

        // The members of System.Object and System.ValueType carry no [CheckpointKey]: only the item's own are read.
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var reference in named.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
            {
                return false;
            }

            if (declaration.ParameterList is { } parameters)
            {
                foreach (var parameter in parameters.Parameters)
                {
                    foreach (var list in parameter.AttributeLists)
                    {
                        switch (list.Target?.Identifier.Kind())
                        {
                            case null or SyntaxKind.ParamKeyword:
                                // On the parameter, not on a member.
                                break;
                            case SyntaxKind.PropertyKeyword:
                                names.Add(parameter.Identifier.ValueText);
                                break;
                            default:
                                return false;
                        }
                    }
                }
            }

            foreach (var member in declaration.Members)
            {
                if (member.AttributeLists.Count == 0 || member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseMethodDeclarationSyntax)
                {
                    // Nested types and methods are no keys, whatever they carry.
                    continue;
                }

                if (HasTarget(member.AttributeLists, SyntaxKind.FieldKeyword))
                {
                    return false;
                }

                switch (member)
                {
                    case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: not null }:
                        // Its member's name is the interface's and the property's ("IKeyed.Key"): the members know it.
                        return false;
                    case PropertyDeclarationSyntax property:
                        names.Add(property.Identifier.ValueText);
                        break;
                    case BaseFieldDeclarationSyntax field:
                        foreach (var variable in field.Declaration.Variables)
                        {
                            names.Add(variable.Identifier.ValueText);
                        }

                        break;
                    default:
                        // Indexers and event properties: the members know their names.
                        return false;
                }
            }
        }

        foreach (var name in names)
        {
            foreach (var member in named.GetMembers(name))
            {
                if (member is IPropertySymbol or IFieldSymbol && !member.IsStatic && HasAttribute(member, KnownTypeNames.CheckpointKey))
                {
                    if (key is not null)
                    {
                        return false;
                    }

                    key = member;
                }
            }
        }

        if (key is null)
        {
            return false;
        }

        Count(p => p.KeysFromSyntax++);
        return true;
    }

    /// <summary>
    /// True when no member of <paramref name="type"/> or of its base types (up to <c>object</c>) can carry an
    /// attribute: each is declared in source and none of its member declarations or record parameters has an
    /// attribute list. Then the type has no validation rules, and its members need not be built.
    /// </summary>
    public static bool ShowsNoMemberAttributes(ITypeSymbol type, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return false;
        }

        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.SpecialType == SpecialType.System_ValueType)
            {
                // Its members are methods only.
                continue;
            }

            if (current is not INamedTypeSymbol named || named.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            foreach (var reference in named.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
                {
                    return false;
                }

                if (declaration.ParameterList is { } parameters)
                {
                    foreach (var parameter in parameters.Parameters)
                    {
                        if (parameter.AttributeLists.Count > 0)
                        {
                            return false;
                        }
                    }
                }

                foreach (var member in declaration.Members)
                {
                    if (member is not (BaseTypeDeclarationSyntax or DelegateDeclarationSyntax) && member.AttributeLists.Count > 0)
                    {
                        return false;
                    }
                }
            }
        }

        Count(p => p.RulesSkipped++);
        return true;
    }

    private static bool HasTarget(SyntaxList<AttributeListSyntax> lists, SyntaxKind target)
    {
        foreach (var list in lists)
        {
            if (list.Target?.Identifier.IsKind(target) == true)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AccessorsHaveAttributes(AccessorListSyntax? accessors)
    {
        if (accessors is null)
        {
            return false;
        }

        foreach (var accessor in accessors.Accessors)
        {
            if (accessor.AttributeLists.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static SemanticModel ModelFor(SemanticModel model, SyntaxTree tree) =>
        model.SyntaxTree == tree ? model : model.Compilation.GetSemanticModel(tree);

    private static void Count(System.Action<Probe> count)
    {
        if (TestProbe.Value is { } probe)
        {
            count(probe);
        }
    }
}
