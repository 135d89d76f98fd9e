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
using static Checkpointing.Generators.Shared.TypeDeclarations;

namespace Checkpointing.Generators.Checkpointed.Parsing;

/// <summary>
/// Turns one <c>[Checkpointed]</c> class into a <see cref="CheckpointedStage"/> or diagnostics. It reads
/// symbols and syntax but returns only values, and it never throws except on cancellation: a user
/// mistake becomes a diagnostic, code the compiler already rejects becomes nothing.
/// </summary>
internal static class CheckpointedParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly CheckpointedParseResult Nothing = new(null, null, EquatableArray<DiagnosticInfo>.Empty);

    public static CheckpointedParseResult Parse(AttributeTarget context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type
            || type.TypeKind != TypeKind.Class
            || context.TargetNode is not TypeDeclarationSyntax syntax
            || context.Attributes.Length != 1)
        {
            return Nothing;
        }

        // [Checkpointed] on two partial declarations is already a compiler error (CS0579); generating for
        // both would add the same hint name twice and crash the generator.
        if (type.GetAttributes().Count(a => IsType(a.AttributeClass, KnownTypeNames.Checkpointed)) != 1)
        {
            return Nothing;
        }

        var attribute = context.Attributes[0];
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string stageName)
        {
            // A missing or non-constant stage name is already a compiler error.
            return Nothing;
        }

        var compilation = context.SemanticModel.Compilation;
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var attributeLocation = attributeSyntax?.GetLocation() ?? syntax.Identifier.GetLocation();
        var diagnostics = new List<DiagnosticInfo>();
        var typeName = type.ToDisplayString();

        void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.StageClassNotPartial, syntax.Identifier.GetLocation(), typeName);
        }

        if (type.IsStatic)
        {
            Report(DiagnosticDescriptors.StaticStageClass, syntax.Identifier.GetLocation(), typeName);
        }

        var containingTypes = ContainingTypes(syntax, context.SemanticModel, typeName, Report, cancellationToken);

        string? outputDirectory = null;
        INamedTypeSymbol? jsonContext = null;
        Location? jsonContextLocation = null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "OutputDirectory" && named.Value.Value is string directory)
            {
                outputDirectory = directory;
            }
            else if (named.Key == "JsonContext" && named.Value.Value is INamedTypeSymbol contextType)
            {
                jsonContext = contextType;
                jsonContextLocation = ArgumentLocation(attributeSyntax, "JsonContext");
            }
        }

        if (FileNameRules.GetProblem(stageName) is { } stageProblem)
        {
            Report(DiagnosticDescriptors.InvalidStageName, ArgumentLocation(attributeSyntax, null) ?? attributeLocation, Escape(stageName), typeName, stageProblem);
        }

        if (outputDirectory is not null && FileNameRules.GetProblem(outputDirectory) is { } directoryProblem)
        {
            Report(DiagnosticDescriptors.InvalidOutputDirectory, ArgumentLocation(attributeSyntax, "OutputDirectory") ?? attributeLocation, Escape(outputDirectory), typeName, directoryProblem);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!StageSyntaxReader.TryFindMethods(type, context.SemanticModel, cancellationToken, out var processMethods, out var validateMethods))
        {
            processMethods = StageSignatureParser.MethodsWith(type, KnownTypeNames.ProcessItem);
            validateMethods = StageSignatureParser.MethodsWith(type, KnownTypeNames.ValidateOutput);
        }

        ProcessSignature? process = null;
        if (processMethods.Count == 0)
        {
            Report(DiagnosticDescriptors.NoProcessItemMethod, syntax.Identifier.GetLocation(), typeName);
        }
        else if (processMethods.Count > 1)
        {
            Report(DiagnosticDescriptors.SeveralProcessItemMethods, FirstLocation(processMethods[1]), typeName, processMethods[0].Name, processMethods[1].Name);
        }
        else
        {
            process = StageSignatureParser.ParseProcessMethod(processMethods[0], Report, cancellationToken);
        }

        KeySource? key = null;
        if (process is not null)
        {
            key = StageSignatureParser.ParseKey(process.Value, context.SemanticModel, type, typeName, Report, cancellationToken);
        }

        ValidateSignature? validate = null;
        if (validateMethods.Count > 1)
        {
            Report(DiagnosticDescriptors.SeveralValidateOutputMethods, FirstLocation(validateMethods[1]), typeName, validateMethods[0].Name, validateMethods[1].Name);
        }
        else if (validateMethods.Count == 1 && process is not null)
        {
            validate = StageSignatureParser.ParseValidateMethod(validateMethods[0], process.Value.Output, compilation, Report);
        }

        // [SharedFileOutput]: rows of one shared file, saved in batches; no per-item JSON, folder, CSV or validator.
        var sharedAttribute = SharedFileParser.Find(type);
        SharedFileModel? sharedFile = null;
        if (sharedAttribute is not null)
        {
            SharedFileParser.ReportPerItemSettings(stageName, attributeLocation, Report,
                (outputDirectory is not null, "OutputDirectory", ArgumentLocation(attributeSyntax, "OutputDirectory")),
                (jsonContext is not null, "JsonContext", jsonContextLocation),
                (validateMethods.Count > 0, validateMethods.Count > 0 ? $"the [ValidateOutput] method '{validateMethods[0].Name}'" : "", validateMethods.Count > 0 ? FirstLocation(validateMethods[0]) : null));

            if (process is not null)
            {
                sharedFile = SharedFileParser.Parse(sharedAttribute, process.Value.Output, type, stageName, compilation, attributeLocation, Report);
            }
        }

        if (process is not null && jsonContext is not null && sharedAttribute is null)
        {
            StageSignatureParser.CheckJsonContext(jsonContext, jsonContextLocation ?? attributeLocation, process.Value.Output, stageName, compilation, Report);
        }

        var rules = EquatableArray<ValidationRule>.Empty;
        if (process is not null && sharedAttribute is null)
        {
            rules = ValidationRuleParser.Parse(process.Value.Output, type, compilation, attributeLocation, Report, cancellationToken).ToEquatableArray();
        }

        var hasError = diagnostics.Any(d => d.IsError);
        if (!hasError && process is not null && jsonContext is null && sharedAttribute is null)
        {
            Report(DiagnosticDescriptors.ReflectionJson, attributeLocation, stageName, process.Value.Output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString());
        }

        var effectiveDirectory = string.IsNullOrEmpty(outputDirectory) ? stageName : outputDirectory!;
        var identity = new CheckpointedStageIdentity(typeName, stageName, effectiveDirectory, LocationInfo.From(attributeLocation));
        if (hasError || process is not { } p || key is not { } k)
        {
            return new CheckpointedParseResult(null, hasError ? null : identity, diagnostics.ToEquatableArray());
        }

        var item = p.Item.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        var stage = new CheckpointedStage(
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            ContainingTypes: containingTypes.ToEquatableArray(),
            TypeDeclaration: Declaration(syntax, type),
            HintName: HintNames.For(type, "Checkpointed"),
            StageName: stageName,
            OutputDirectory: string.IsNullOrEmpty(outputDirectory) ? null : outputDirectory,
            MemberAccessibility: Generated(Lower(EffectiveAccessibility(item), EffectiveAccessibility(p.Output))),
            ItemType: item.ToDisplayString(TypeFormat),
            OutputType: p.Output.ToDisplayString(TypeFormat),
            OutputTypeOfName: p.Output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            OutputIsReferenceType: p.Output.IsReferenceType,
            KeyKind: k.Member is null ? CheckpointedKeyKind.Self : CheckpointedKeyKind.Member,
            KeyMember: k.Member,
            KeyMayBeNull: k.MayBeNull,
            ProcessMethod: p.Method.Name,
            ProcessIsStatic: p.Method.IsStatic,
            ReturnKind: p.ReturnKind,
            TakesContext: p.TakesContext,
            TakesCancellationToken: p.TakesCancellationToken,
            JsonContextType: jsonContext?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ValidationRules: rules,
            ValidateMethod: validate?.Method.Name,
            ValidateIsStatic: validate?.Method.IsStatic ?? false,
            ValidateReturnsBool: validate?.ReturnsBool ?? false,
            SharedFile: sharedFile);
        return new CheckpointedParseResult(stage, identity, diagnostics.ToEquatableArray());
    }

    /// <summary>The types around the stage, outermost first; each must be partial (CKPT102).</summary>
    private static List<CheckpointedContainingType> ContainingTypes(
        TypeDeclarationSyntax syntax, SemanticModel semanticModel, string typeName, Reporter report, CancellationToken cancellationToken)
    {
        var containingTypes = new List<CheckpointedContainingType>();
        for (var parent = syntax.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                report(DiagnosticDescriptors.ContainingTypeNotPartial, parent.Identifier.GetLocation(), parent.Identifier.ValueText, typeName);
            }

            if (semanticModel.GetDeclaredSymbol(parent, cancellationToken) is { } parentSymbol)
            {
                containingTypes.Insert(0, new CheckpointedContainingType(Declaration(parent, parentSymbol)));
            }
        }

        return containingTypes;
    }
}
