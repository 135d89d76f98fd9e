using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Diagnostics;
using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Checkpointing.Generators.Shared.SymbolHelpers;

namespace Checkpointing.Generators.Checkpointed.Parsing;

/// <summary>Adds a diagnostic found while parsing a stage.</summary>
internal delegate void Reporter(DiagnosticDescriptor descriptor, Location? location, params string[] arguments);

/// <summary>The [ProcessItem] method: the item, the output and how the method is called.</summary>
internal readonly record struct ProcessSignature(IMethodSymbol Method, ITypeSymbol Item, ITypeSymbol Output, CheckpointedReturnKind ReturnKind, bool TakesContext, bool TakesCancellationToken);

/// <summary>Where an item's key comes from: the item itself (no member) or one of its members.</summary>
internal readonly record struct KeySource(string? Member, bool MayBeNull);

/// <summary>The [ValidateOutput] method.</summary>
internal readonly record struct ValidateSignature(IMethodSymbol Method, bool ReturnsBool);

/// <summary>
/// The signatures a stage declares: its [ProcessItem] method, its item key, its [ValidateOutput] method and
/// its JSON context. Each method reports what is wrong and returns null rather than throwing.
/// </summary>
internal static class StageSignatureParser
{
    public static ProcessSignature? ParseProcessMethod(IMethodSymbol method, Reporter report, CancellationToken cancellationToken)
    {
        var name = method.Name;
        var location = FirstLocation(method);
        const string itemContext = KnownTypeNames.ItemContext;
        const string cancellationTokenType = KnownTypeNames.CancellationToken;
        var parameters = method.Parameters;

        string? problem = null;
        if (method.IsGenericMethod)
        {
            problem = "it is generic";
        }
        else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            problem = "it returns by reference";
        }
        else if (parameters.Length is < 1 or > 3)
        {
            problem = $"it takes {parameters.Length} parameters";
        }
        else if (parameters.FirstOrDefault(p => p.RefKind != RefKind.None) is { } byRef)
        {
            problem = $"parameter '{byRef.Name}' is passed by reference";
        }
        else if (IsType(parameters[0].Type, itemContext) || IsType(parameters[0].Type, cancellationTokenType))
        {
            problem = "the first parameter must be the item";
        }

        var takesContext = false;
        var takesToken = false;
        if (problem is null)
        {
            var index = 1;
            if (index < parameters.Length && IsType(parameters[index].Type, itemContext))
            {
                takesContext = true;
                index++;
            }

            if (index < parameters.Length && IsType(parameters[index].Type, cancellationTokenType))
            {
                takesToken = true;
                index++;
            }

            if (index < parameters.Length)
            {
                problem = $"parameter '{parameters[index].Name}' is neither an ItemContext nor a CancellationToken in the expected order";
            }
        }

        if (problem is not null)
        {
            report(DiagnosticDescriptors.UnsupportedProcessItemSignature, location, name, problem);
            return null;
        }

        var returnType = method.ReturnType;
        var kind = CheckpointedReturnKind.Sync;
        ITypeSymbol? output = returnType;
        if (returnType is INamedTypeSymbol { IsGenericType: true } generic)
        {
            if (IsType(generic.OriginalDefinition, KnownTypeNames.Task))
            {
                kind = CheckpointedReturnKind.Task;
                output = generic.TypeArguments[0];
            }
            else if (IsType(generic.OriginalDefinition, KnownTypeNames.ValueTask))
            {
                kind = CheckpointedReturnKind.ValueTask;
                output = generic.TypeArguments[0];
            }
        }

        var returnLocation = (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as MethodDeclarationSyntax)?.ReturnType.GetLocation() ?? location;
        if (parameters[0].Type.TypeKind == TypeKind.Error || output.TypeKind == TypeKind.Error)
        {
            // The compiler reports unknown types; there is nothing useful to generate.
            return null;
        }

        if (NotSerializableReason(output) is { } reason)
        {
            report(DiagnosticDescriptors.OutputTypeNotSerializable, returnLocation, output.ToDisplayString(), name, reason);
            return null;
        }

        return new ProcessSignature(method, parameters[0].Type, output, kind, takesContext, takesToken);
    }

    private static string? NotSerializableReason(ITypeSymbol output)
    {
        if (output.SpecialType == SpecialType.System_Void)
        {
            return "the method returns no output";
        }

        // Compared by name, not by display string: this runs on every compilation.
        if (IsType(output, "System.Threading.Tasks.Task") || IsType(output, "System.Threading.Tasks.ValueTask"))
        {
            return "the method returns no output";
        }

        return output switch
        {
            { SpecialType: SpecialType.System_Object } => "'object' says nothing about the shape to save",
            { TypeKind: TypeKind.Dynamic } => "'dynamic' says nothing about the shape to save",
            { TypeKind: TypeKind.Interface } => "it is an interface, which JSON cannot create on resume",
            { TypeKind: TypeKind.TypeParameter } => "it is a type parameter, which is only known at run time",
            { TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer } => "it is a pointer",
            { TypeKind: TypeKind.Delegate } => "it is a delegate",
            { IsRefLikeType: true } => "it is a ref struct",
            { IsAbstract: true, TypeKind: TypeKind.Class } => "it is abstract, which JSON cannot create on resume",
            _ when ContainsTypeParameter(output) => "it depends on a type parameter, which is only known at run time",
            _ => null,
        };
    }

    private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter) || (named.ContainingType is { } outer && ContainsTypeParameter(outer)),
        _ => false,
    };

    public static KeySource? ParseKey(ProcessSignature process, SemanticModel stageModel, INamedTypeSymbol stageType, string stageTypeName, Reporter report, CancellationToken cancellationToken)
    {
        var item = process.Item;
        var parameterLocation = FirstLocation(process.Method.Parameters[0]);
        if (IsKeyType(item))
        {
            return new KeySource(null, false);
        }

        if (StageSyntaxReader.TryReadKey(item, stageType, stageModel, cancellationToken, out var keyName, out var nullableString))
        {
            return new KeySource(keyName, nullableString);
        }

        const string keyAttribute = KnownTypeNames.CheckpointKey;
        var members = new List<ISymbol>(1);
        if (StageSyntaxReader.TryFindKeyMember(item, cancellationToken, out var found))
        {
            members.Add(found!);
        }

        for (var current = members.Count == 0 ? item : null; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol or IFieldSymbol && !member.IsStatic && HasAttribute(member, keyAttribute))
                {
                    members.Add(member);
                }
            }
        }

        if (members.Count == 0)
        {
            report(DiagnosticDescriptors.ItemTypeWithoutKey, parameterLocation, item.ToDisplayString(), stageTypeName);
            return null;
        }

        if (members.Count > 1)
        {
            report(DiagnosticDescriptors.SeveralCheckpointKeys, FirstLocation(members[1]) ?? parameterLocation, item.ToDisplayString(), members[0].Name, members[1].Name);
            return null;
        }

        var key = members[0];
        var keyType = key is IPropertySymbol property ? property.Type : ((IFieldSymbol)key).Type;
        if (!IsKeyType(keyType) || !stageModel.Compilation.IsSymbolAccessibleWithin(key, stageType))
        {
            var shown = IsKeyType(keyType) ? keyType.ToDisplayString() + " (not accessible from the stage)" : keyType.ToDisplayString();
            report(DiagnosticDescriptors.UnsupportedKeyType, FirstLocation(key) ?? parameterLocation, item.Name + "." + key.Name, shown);
            return null;
        }

        return new KeySource(key.Name, keyType.SpecialType == SpecialType.System_String && keyType.NullableAnnotation == NullableAnnotation.Annotated);
    }

    public static ValidateSignature? ParseValidateMethod(IMethodSymbol method, ITypeSymbol output, Compilation compilation, Reporter report)
    {
        string? problem = null;
        var returnsBool = method.ReturnType.SpecialType == SpecialType.System_Boolean;
        var enumerableOfString = compilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T).Construct(compilation.GetSpecialType(SpecialType.System_String));
        if (method.IsGenericMethod)
        {
            problem = "it is generic";
        }
        else if (method.Parameters.Length != 1 || method.Parameters[0].RefKind is not (RefKind.None or RefKind.In)
                 || !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, output))
        {
            problem = $"it must take exactly one parameter of the output type '{output.ToDisplayString()}'";
        }
        else if (!returnsBool && !compilation.ClassifyConversion(method.ReturnType, enumerableOfString).IsImplicit)
        {
            problem = $"it returns '{method.ReturnType.ToDisplayString()}'";
        }

        if (problem is not null)
        {
            report(DiagnosticDescriptors.UnsupportedValidateOutputSignature, FirstLocation(method), method.Name, problem, output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString());
            return null;
        }

        return new ValidateSignature(method, returnsBool);
    }

    public static void CheckJsonContext(INamedTypeSymbol context, Location location, ITypeSymbol output, string stageName, Compilation compilation, Reporter report)
    {
        if (context.TypeKind == TypeKind.Error)
        {
            return;
        }

        if (!DerivesFrom(context, KnownTypeNames.JsonSerializerContext) || context.IsAbstract)
        {
            report(DiagnosticDescriptors.JsonContextNotAContext, location, context.ToDisplayString(), stageName);
            return;
        }

        var declared = context.GetAttributes().Any(a =>
            IsType(a.AttributeClass, KnownTypeNames.JsonSerializable)
            && a.ConstructorArguments.Length == 1
            && a.ConstructorArguments[0].Value is ITypeSymbol declaredType
            && SymbolEqualityComparer.Default.Equals(declaredType, output));
        if (!declared)
        {
            report(DiagnosticDescriptors.JsonContextMissingType, location, context.ToDisplayString(), stageName, output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString());
        }
    }

    public static List<IMethodSymbol> MethodsWith(INamedTypeSymbol type, string attributeMetadataName) =>
        type.GetMembers().OfType<IMethodSymbol>().Where(m => HasAttribute(m, attributeMetadataName)).ToList();
}
