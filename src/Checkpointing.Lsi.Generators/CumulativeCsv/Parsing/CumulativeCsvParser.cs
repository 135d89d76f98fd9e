using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Checkpointing.Generators.CumulativeCsv.Model;
using Checkpointing.Generators.Diagnostics;
using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Checkpointing.Generators.Shared.SymbolHelpers;
using static Checkpointing.Generators.Shared.TypeDeclarations;

namespace Checkpointing.Generators.CumulativeCsv.Parsing;

/// <summary>
/// Turns one <c>[CumulativeCsv]</c> class into a <see cref="CumulativeCsvStage"/> or diagnostics. The stage itself
/// (its name, <c>[ProcessItem]</c> method, partial modifiers) is checked by the <c>[Checkpointed]</c> generator: a
/// stage that generator rejects gets nothing here and no second report.
/// </summary>
internal static class CumulativeCsvParser
{
    private static readonly CumulativeCsvParseResult Nothing = new(null, EquatableArray<DiagnosticInfo>.Empty);

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static CumulativeCsvParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type
            || type.TypeKind != TypeKind.Class
            || context.TargetNode is not TypeDeclarationSyntax syntax
            || context.Attributes.Length != 1
            || context.Attributes[0].ConstructorArguments.Length != 1
            || context.Attributes[0].ConstructorArguments[0].Value is not string imprint)
        {
            return Nothing;
        }

        var attributeSyntax = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var location = ArgumentLocation(attributeSyntax, null) ?? attributeSyntax?.GetLocation() ?? syntax.Identifier.GetLocation();
        var checkpointed = type.GetAttributes().Where(a => IsType(a.AttributeClass, KnownTypeNames.Checkpointed)).ToList();
        if (checkpointed.Count == 0)
        {
            return Report(DiagnosticDescriptors.CumulativeCsvWithoutStage, location, type.ToDisplayString());
        }

        if (checkpointed.Count != 1 || checkpointed[0].ConstructorArguments.Length != 1
            || checkpointed[0].ConstructorArguments[0].Value is not string stageName || type.IsStatic
            || !IsPartialAllTheWay(syntax))
        {
            // The [Checkpointed] generator reports these (CKPT101, CKPT102, CKPT118) or the compiler does.
            return Nothing;
        }

        if (HasAttribute(type, KnownTypeNames.SharedFileOutput))
        {
            return Report(DiagnosticDescriptors.CumulativeCsvOnSharedFileStage, location, stageName, "[CumulativeCsv]");
        }

        if (FileNameRules.GetProblem(imprint) is { } problem)
        {
            return Report(DiagnosticDescriptors.InvalidCumulativeCsvImprint, location, Escape(imprint), stageName, problem);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var process = type.GetMembers().OfType<IMethodSymbol>().Where(m => HasAttribute(m, KnownTypeNames.ProcessItem)).ToList();
        if (process.Count != 1 || OutputOf(process[0]) is not { } output)
        {
            // No, several or an unsupported [ProcessItem] method: CKPT103-105 from the [Checkpointed] generator.
            return Nothing;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var key = ParseKey(output, imprint, location, stageName, diagnostics);
        if (key is not { } k)
        {
            return new CumulativeCsvParseResult(null, diagnostics.ToEquatableArray());
        }

        var outputDirectory = NamedArgument(checkpointed[0], "OutputDirectory") as string;
        var stage = new CumulativeCsvStage(
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            ContainingTypes: ContainingTypes(syntax, context.SemanticModel, cancellationToken),
            TypeDeclaration: Declaration(syntax, type),
            HintName: HintNames.For(type, "CumulativeCsv"),
            MemberAccessibility: Generated(EffectiveAccessibility(output)),
            OutputType: output.ToDisplayString(TypeFormat),
            Imprint: imprint,
            OutputDirectory: string.IsNullOrEmpty(outputDirectory) ? null : outputDirectory,
            KeyMember: k.Member,
            KeyKind: k.Kind);
        return new CumulativeCsvParseResult(stage, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static CumulativeCsvParseResult Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(null, new[] { DiagnosticInfo.Create(descriptor, location, arguments) }.ToEquatableArray());

    private static bool IsPartialAllTheWay(TypeDeclarationSyntax syntax)
    {
        for (TypeDeclarationSyntax? current = syntax; current is not null; current = current.Parent as TypeDeclarationSyntax)
        {
            if (!current.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static EquatableArray<string> ContainingTypes(TypeDeclarationSyntax syntax, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var declarations = new List<string>();
        for (var parent = syntax.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (semanticModel.GetDeclaredSymbol(parent, cancellationToken) is { } parentSymbol)
            {
                declarations.Insert(0, Declaration(parent, parentSymbol));
            }
        }

        return declarations.ToEquatableArray();
    }

    /// <summary>The output type of a [ProcessItem] method: its return type, or the T of Task&lt;T&gt; or ValueTask&lt;T&gt;.</summary>
    private static ITypeSymbol? OutputOf(IMethodSymbol method)
    {
        var returned = method.ReturnType;
        if (returned is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
            && (IsType(generic.OriginalDefinition, KnownTypeNames.Task) || IsType(generic.OriginalDefinition, KnownTypeNames.ValueTask)))
        {
            returned = generic.TypeArguments[0];
        }

        return method.ReturnsVoid || returned.TypeKind == TypeKind.Error ? null : returned;
    }

    /// <summary>
    /// The row key of a cumulative CSV: the output's [CheckpointKey] member, else its [LsiColumn("ISBN or SKU")]
    /// member (normalized as the LSI writer writes it, so a row read back has the key it was appended with).
    /// Null after reporting when the output has no CSV row or no key.
    /// </summary>
    private static (string Member, CsvRowKeyKind Kind)? ParseKey(ITypeSymbol output, string imprint, Location? location, string stageName, List<DiagnosticInfo> diagnostics)
    {
        var shown = output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
        if (output is not INamedTypeSymbol named
            || !(HasAttribute(named, KnownTypeNames.LsiRecord) || HasAttribute(named, KnownTypeNames.CsvRecord)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CumulativeCsvUnsupportedOutput, location, stageName, shown));
            return null;
        }

        ISymbol? keyMember = null;
        ISymbol? isbnMember = null;
        for (var current = named; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is not (IPropertySymbol or IFieldSymbol) || member.IsStatic || member.DeclaredAccessibility != Accessibility.Public)
                {
                    continue;
                }

                if (keyMember is null && HasAttribute(member, KnownTypeNames.CheckpointKey))
                {
                    keyMember = member;
                }

                if (isbnMember is null && member.GetAttributes().Any(a => IsType(a.AttributeClass, KnownTypeNames.LsiColumn)
                        && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is string column
                        && column == KnownTypeNames.LsiIsbnColumn))
                {
                    isbnMember = member;
                }
            }
        }

        foreach (var (member, isIsbn) in new[] { (keyMember, false), (isbnMember, true) })
        {
            if (member is null)
            {
                continue;
            }

            var type = member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;
            if (type.SpecialType == SpecialType.System_String)
            {
                var kind = isIsbn ? CsvRowKeyKind.Isbn
                    : type.NullableAnnotation == NullableAnnotation.Annotated ? CsvRowKeyKind.NullableString
                    : CsvRowKeyKind.String;
                return (member.Name, kind);
            }

            if (IsKeyType(type))
            {
                return (member.Name, CsvRowKeyKind.CheckpointKey);
            }
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CumulativeCsvWithoutKey, location, stageName, imprint, shown));
        return null;
    }
}
