using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Checkpointing.Generators.Diagnostics;
using Checkpointing.Generators.Helpers;
using Checkpointing.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Parsing;

/// <summary>
/// Turns one <c>[Checkpointed]</c> class into a <see cref="CheckpointedStage"/> or diagnostics. It reads
/// symbols and syntax but returns only values, and it never throws except on cancellation: a user
/// mistake becomes a diagnostic, code the compiler already rejects becomes nothing.
/// </summary>
internal static class CheckpointedParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly CheckpointedParseResult Nothing = new(null, null, EquatableArray<CheckpointedDiagnostic>.Empty);

    public static CheckpointedParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
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
        var diagnostics = new List<CheckpointedDiagnostic>();
        var typeName = type.ToDisplayString();

        void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            diagnostics.Add(CheckpointedDiagnostic.Create(descriptor, location, arguments));

        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.StageClassNotPartial, syntax.Identifier.GetLocation(), typeName);
        }

        if (type.IsStatic)
        {
            Report(DiagnosticDescriptors.StaticStageClass, syntax.Identifier.GetLocation(), typeName);
        }

        var containingTypes = new List<CheckpointedContainingType>();
        for (var parent = syntax.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.ContainingTypeNotPartial, parent.Identifier.GetLocation(), parent.Identifier.ValueText, typeName);
            }

            if (context.SemanticModel.GetDeclaredSymbol(parent, cancellationToken) is { } parentSymbol)
            {
                containingTypes.Insert(0, new CheckpointedContainingType(Declaration(parent, parentSymbol)));
            }
        }

        string? outputDirectory = null;
        INamedTypeSymbol? jsonContext = null;
        Location? jsonContextLocation = null;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "OutputDirectory" && named.Value.Value is string directory)
            {
                outputDirectory = directory;
            }
            else if (named.Key == "CumulativeCsvImprint" && named.Value.Value is string imprint)
            {
                // Silently dropping the setting would leave a user without the CSV they asked for.
                Report(DiagnosticDescriptors.CumulativeCsvNotWired, ArgumentLocation(attributeSyntax, "CumulativeCsvImprint") ?? attributeLocation, stageName, imprint);
            }
            else if (named.Key == "JsonContext" && named.Value.Value is INamedTypeSymbol contextType)
            {
                jsonContext = contextType;
                jsonContextLocation = ArgumentLocation(attributeSyntax, "JsonContext");
            }
        }

        if (CheckpointedFileNames.GetProblem(stageName) is { } stageProblem)
        {
            Report(DiagnosticDescriptors.InvalidStageName, ArgumentLocation(attributeSyntax, null) ?? attributeLocation, Escape(stageName), typeName, stageProblem);
        }

        if (outputDirectory is not null && CheckpointedFileNames.GetProblem(outputDirectory) is { } directoryProblem)
        {
            Report(DiagnosticDescriptors.InvalidOutputDirectory, ArgumentLocation(attributeSyntax, "OutputDirectory") ?? attributeLocation, Escape(outputDirectory), typeName, directoryProblem);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var processMethods = MethodsWith(type, KnownTypeNames.ProcessItem);
        var validateMethods = MethodsWith(type, KnownTypeNames.ValidateOutput);

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
            process = ParseProcessMethod(processMethods[0], Report, cancellationToken);
        }

        KeySource? key = null;
        if (process is not null)
        {
            key = ParseKey(process.Value, compilation, type, typeName, Report);
        }

        ValidateSignature? validate = null;
        if (validateMethods.Count > 1)
        {
            Report(DiagnosticDescriptors.SeveralValidateOutputMethods, FirstLocation(validateMethods[1]), typeName, validateMethods[0].Name, validateMethods[1].Name);
        }
        else if (validateMethods.Count == 1 && process is not null)
        {
            validate = ParseValidateMethod(validateMethods[0], process.Value.Output, compilation, Report);
        }

        if (process is not null && jsonContext is not null)
        {
            CheckJsonContext(jsonContext, jsonContextLocation ?? attributeLocation, process.Value.Output, stageName, compilation, Report);
        }

        var rules = EquatableArray<CheckpointedValidationRule>.Empty;
        if (process is not null)
        {
            rules = ParseValidationRules(process.Value.Output, type, compilation, attributeLocation, Report, cancellationToken).ToEquatableArray();
        }

        var hasError = diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        if (!hasError && process is not null && jsonContext is null)
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
            HintName: HintName(type),
            StageName: stageName,
            OutputDirectory: string.IsNullOrEmpty(outputDirectory) ? null : outputDirectory,
            MemberAccessibility: AccessibilityKeyword(Lower(EffectiveAccessibility(item), EffectiveAccessibility(p.Output))),
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
            ValidateReturnsBool: validate?.ReturnsBool ?? false);
        return new CheckpointedParseResult(stage, identity, diagnostics.ToEquatableArray());
    }

    private readonly record struct ProcessSignature(IMethodSymbol Method, ITypeSymbol Item, ITypeSymbol Output, CheckpointedReturnKind ReturnKind, bool TakesContext, bool TakesCancellationToken);

    private readonly record struct KeySource(string? Member, bool MayBeNull);

    private readonly record struct ValidateSignature(IMethodSymbol Method, bool ReturnsBool);

    private delegate void Reporter(DiagnosticDescriptor descriptor, Location? location, params string[] arguments);

    private static ProcessSignature? ParseProcessMethod(IMethodSymbol method, Reporter report, CancellationToken cancellationToken)
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

        var name = output.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (name is "global::System.Threading.Tasks.Task" or "global::System.Threading.Tasks.ValueTask")
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

    private static KeySource? ParseKey(ProcessSignature process, Compilation compilation, INamedTypeSymbol stageType, string stageTypeName, Reporter report)
    {
        var item = process.Item;
        var parameterLocation = FirstLocation(process.Method.Parameters[0]);
        if (IsKeyType(item))
        {
            return new KeySource(null, false);
        }

        const string keyAttribute = KnownTypeNames.CheckpointKey;
        var members = new List<ISymbol>();
        for (var current = item; current is not null; current = current.BaseType)
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
        if (!IsKeyType(keyType) || !compilation.IsSymbolAccessibleWithin(key, stageType))
        {
            var shown = IsKeyType(keyType) ? keyType.ToDisplayString() + " (not accessible from the stage)" : keyType.ToDisplayString();
            report(DiagnosticDescriptors.UnsupportedKeyType, FirstLocation(key) ?? parameterLocation, item.Name + "." + key.Name, shown);
            return null;
        }

        return new KeySource(key.Name, keyType.SpecialType == SpecialType.System_String && keyType.NullableAnnotation == NullableAnnotation.Annotated);
    }

    private static bool IsKeyType(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64
        || type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::System.Guid";

    private static ValidateSignature? ParseValidateMethod(IMethodSymbol method, ITypeSymbol output, Compilation compilation, Reporter report)
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

    private static void CheckJsonContext(INamedTypeSymbol context, Location location, ITypeSymbol output, string stageName, Compilation compilation, Reporter report)
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

    private static List<CheckpointedValidationRule> ParseValidationRules(
        ITypeSymbol output, INamedTypeSymbol stageType, Compilation compilation, Location fallback, Reporter report, CancellationToken cancellationToken)
    {
        var rules = new List<CheckpointedValidationRule>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        const string validationAttribute = KnownTypeNames.DataAnnotationsNamespace + ".ValidationAttribute";
        for (var current = output; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                ITypeSymbol memberType;
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: not null } property)
                {
                    memberType = property.Type;
                }
                else if (member is IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field)
                {
                    memberType = field.Type;
                }
                else
                {
                    continue;
                }

                if (!seen.Add(member.Name))
                {
                    continue;
                }

                foreach (var attribute in member.GetAttributes())
                {
                    if (attribute.AttributeClass is not { } attributeClass || !DerivesFrom(attributeClass, validationAttribute))
                    {
                        continue;
                    }

                    var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? fallback;
                    var attributeName = attributeClass.Name.EndsWith("Attribute", StringComparison.Ordinal)
                        ? attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length)
                        : attributeClass.Name;
                    string? unsupported;
                    if (!compilation.IsSymbolAccessibleWithin(member, stageType)
                        || (member is IPropertySymbol p && !compilation.IsSymbolAccessibleWithin(p.GetMethod!, stageType)))
                    {
                        unsupported = "the member is not readable from the stage";
                    }
                    else
                    {
                        unsupported = attributeClass.ContainingNamespace?.ToDisplayString() == KnownTypeNames.DataAnnotationsNamespace
                            ? AddRule(rules, attributeClass.Name, attribute, member.Name, memberType)
                            : "only Required, Range, StringLength, MinLength, MaxLength and RegularExpression are generated";
                    }

                    if (unsupported is not null)
                    {
                        report(DiagnosticDescriptors.UnsupportedValidationAttribute, location, attributeName, member.Name, unsupported);
                    }
                }
            }
        }

        return rules;
    }

    /// <summary>Adds the rule of one DataAnnotations attribute; returns why it cannot be generated, or null.</summary>
    private static string? AddRule(List<CheckpointedValidationRule> rules, string attributeName, AttributeData attribute, string member, ITypeSymbol memberType)
    {
        var args = attribute.ConstructorArguments;
        var errorMessage = Named(attribute, "ErrorMessage") as string;
        var isString = memberType.SpecialType == SpecialType.System_String;
        var underlying = memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : memberType;
        var isNullable = memberType.IsReferenceType || !SymbolEqualityComparer.Default.Equals(underlying, memberType);

        void Add(CheckpointedRuleKind kind, string defaultMessage, object[] messageArguments, params string[] ruleArguments) =>
            rules.Add(new CheckpointedValidationRule(kind, member, Format(errorMessage ?? defaultMessage, member, messageArguments), ruleArguments.ToEquatableArray(), isNullable, isString));

        switch (attributeName)
        {
            case "RequiredAttribute":
                if (!isNullable)
                {
                    // A non-nullable value type always has a value; DataAnnotations accepts it too.
                    return null;
                }

                var allowEmpty = Named(attribute, "AllowEmptyStrings") is true;
                Add(CheckpointedRuleKind.Required, "The {0} field is required.", Array.Empty<object>(), allowEmpty ? "allowEmpty" : "");
                return null;

            case "RangeAttribute":
                if (!IsNumeric(underlying))
                {
                    return "Range is generated for numeric members only";
                }

                string minimum, maximum, cast = "";
                object shownMinimum, shownMaximum;
                if (args.Length == 2 && args[0].Value is int intMinimum && args[1].Value is int intMaximum)
                {
                    minimum = intMinimum.ToString(CultureInfo.InvariantCulture);
                    maximum = intMaximum.ToString(CultureInfo.InvariantCulture);
                    shownMinimum = intMinimum;
                    shownMaximum = intMaximum;
                    cast = underlying.SpecialType == SpecialType.System_UInt64 ? "(decimal)" : "";
                }
                else if (args.Length == 2 && args[0].Value is double doubleMinimum && args[1].Value is double doubleMaximum)
                {
                    minimum = DoubleLiteral(doubleMinimum);
                    maximum = DoubleLiteral(doubleMaximum);
                    shownMinimum = doubleMinimum;
                    shownMaximum = doubleMaximum;
                    cast = underlying.SpecialType == SpecialType.System_Decimal ? "(double)" : "";
                }
                else if (args.Length == 3 && args[0].Value is ITypeSymbol { SpecialType: SpecialType.System_Decimal }
                         && underlying.SpecialType == SpecialType.System_Decimal
                         && args[1].Value is string decimalMinimum && args[2].Value is string decimalMaximum
                         && decimal.TryParse(decimalMinimum, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsedMinimum)
                         && decimal.TryParse(decimalMaximum, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsedMaximum))
                {
                    minimum = parsedMinimum.ToString(CultureInfo.InvariantCulture) + "m";
                    maximum = parsedMaximum.ToString(CultureInfo.InvariantCulture) + "m";
                    shownMinimum = decimalMinimum;
                    shownMaximum = decimalMaximum;
                }
                else
                {
                    return "only Range(int, int), Range(double, double) and Range(typeof(decimal), \"min\", \"max\") on a decimal are generated";
                }

                var minimumExclusive = Named(attribute, "MinimumIsExclusive") is true;
                var maximumExclusive = Named(attribute, "MaximumIsExclusive") is true;
                var rangeMessage = "The field {0} must be between {1}" + (minimumExclusive ? " exclusive" : "") + " and {2}" + (maximumExclusive ? " exclusive" : "") + ".";
                Add(CheckpointedRuleKind.Range, rangeMessage, new[] { shownMinimum, shownMaximum },
                    minimum, maximum, minimumExclusive ? "<=" : "<", maximumExclusive ? ">=" : ">", cast);
                return null;

            case "StringLengthAttribute":
                if (!isString)
                {
                    return "StringLength applies to strings only";
                }

                if (args.Length != 1 || args[0].Value is not int stringMaximum)
                {
                    return "its maximum length is not a constant";
                }

                var stringMinimum = Named(attribute, "MinimumLength") as int? ?? 0;
                var stringMessage = stringMinimum == 0
                    ? "The field {0} must be a string with a maximum length of {1}."
                    : "The field {0} must be a string with a minimum length of {2} and a maximum length of {1}.";
                Add(CheckpointedRuleKind.Length, stringMessage, new object[] { stringMaximum, stringMinimum },
                    stringMinimum.ToString(CultureInfo.InvariantCulture), stringMaximum.ToString(CultureInfo.InvariantCulture), "Length");
                return null;

            case "MinLengthAttribute":
            case "MaxLengthAttribute":
                var isMinimum = attributeName == "MinLengthAttribute";
                var lengthMember = LengthMember(memberType);
                if (lengthMember is null)
                {
                    return $"{(isMinimum ? "MinLength" : "MaxLength")} applies to strings, arrays and collections only";
                }

                if (args.Length == 0)
                {
                    // [MaxLength] without a length means "the largest the store allows": nothing to check.
                    return null;
                }

                if (args[0].Value is not int length)
                {
                    return "its length is not a constant";
                }

                var lengthMessage = isMinimum
                    ? "The field {0} must be a string or array type with a minimum length of '{1}'."
                    : "The field {0} must be a string or array type with a maximum length of '{1}'.";
                var lengthText = length.ToString(CultureInfo.InvariantCulture);
                Add(CheckpointedRuleKind.Length, lengthMessage, new object[] { length },
                    isMinimum ? lengthText : "0", isMinimum ? "-1" : lengthText, lengthMember);
                return null;

            case "RegularExpressionAttribute":
                if (!isString)
                {
                    return "RegularExpression applies to strings only";
                }

                if (args.Length != 1 || args[0].Value is not string pattern)
                {
                    return "its pattern is not a constant";
                }

                Add(CheckpointedRuleKind.RegularExpression, "The field {0} must match the regular expression '{1}'.", new object[] { pattern },
                    SymbolDisplay.FormatLiteral(pattern, quote: true));
                return null;

            default:
                return "only Required, Range, StringLength, MinLength, MaxLength and RegularExpression are generated";
        }
    }

    private static string? LengthMember(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || type is IArrayTypeSymbol { Rank: 1 })
        {
            return "Length";
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("Count").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_Int32 && p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic))
            {
                return "Count";
            }
        }

        return type.TypeKind == TypeKind.Interface
               && type.AllInterfaces.Any(i => i.GetMembers("Count").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_Int32))
            ? "Count"
            : null;
    }

    private static bool IsNumeric(ITypeSymbol type) => type.SpecialType is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or
        SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

    private static string DoubleLiteral(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "global::System.Double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "global::System.Double.NegativeInfinity";
        }

        if (double.IsNaN(value))
        {
            return "global::System.Double.NaN";
        }

        return value.ToString("R", CultureInfo.InvariantCulture) + "d";
    }

    private static string Format(string message, string member, object[] arguments)
    {
        try
        {
            return string.Format(CultureInfo.InvariantCulture, message, new object[] { member }.Concat(arguments).ToArray());
        }
        catch (FormatException)
        {
            return message;
        }
    }

    private static object? Named(AttributeData attribute, string name)
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

    private static bool DerivesFrom(INamedTypeSymbol type, string baseMetadataName)
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

    private static List<IMethodSymbol> MethodsWith(INamedTypeSymbol type, string attributeMetadataName) =>
        type.GetMembers().OfType<IMethodSymbol>().Where(m => HasAttribute(m, attributeMetadataName)).ToList();

    private static bool HasAttribute(ISymbol symbol, string attributeMetadataName) =>
        symbol.GetAttributes().Any(a => IsType(a.AttributeClass, attributeMetadataName));

    /// <summary>
    /// Whether <paramref name="type"/> is the top-level type <paramref name="metadataName"/>. Compared by name
    /// rather than with <c>Compilation.GetTypeByMetadataName</c>, which searches every reference and is slow
    /// on each new compilation (that is, after every edit).
    /// </summary>
    private static bool IsType(ITypeSymbol? type, string metadataName)
    {
        if (type is not INamedTypeSymbol { ContainingType: null } named)
        {
            return false;
        }

        var name = named.MetadataName;
        var namespaceLength = metadataName.Length - name.Length - 1;
        return namespaceLength > 0
               && metadataName[namespaceLength] == '.'
               && string.CompareOrdinal(metadataName, namespaceLength + 1, name, 0, name.Length) == 0
               && named.ContainingNamespace?.ToDisplayString() == metadataName.Substring(0, namespaceLength);
    }

    private static Location? FirstLocation(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource);

    private static Location? ArgumentLocation(AttributeSyntax? attribute, string? name)
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

    private static string Declaration(TypeDeclarationSyntax syntax, INamedTypeSymbol symbol)
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

    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = current.ContainingType)
        {
            parts.Insert(0, named.Arity > 0 ? $"{named.Name}_{named.Arity}" : named.Name);
        }

        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            parts.Insert(0, ns.ToDisplayString());
        }

        return string.Join(".", parts) + ".Checkpointed.g.cs";
    }

    private static Accessibility EffectiveAccessibility(ITypeSymbol type)
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

    private static Accessibility Lower(Accessibility left, Accessibility right) => Rank(left) <= Rank(right) ? left : right;

    private static int Rank(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => 3,
        Accessibility.ProtectedOrInternal or Accessibility.Internal => 2,
        Accessibility.NotApplicable => 3,
        _ => 1,
    };

    /// <summary>
    /// Generated members are public unless the item or output type is less accessible; they are then as
    /// accessible as that type allows (private for a type nested in a class), so the code compiles.
    /// </summary>
    private static string AccessibilityKeyword(Accessibility accessibility) => Rank(accessibility) switch
    {
        3 => "public",
        2 => "internal",
        _ => "private",
    };

    private static string Escape(string value)
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
