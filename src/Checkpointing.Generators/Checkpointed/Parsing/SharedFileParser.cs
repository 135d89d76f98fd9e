using System.Linq;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Checkpointing.Generators.Shared.SymbolHelpers;

namespace Checkpointing.Generators.Checkpointed.Parsing;

/// <summary><c>[SharedFileOutput(typeof(Format), "file")]</c> on a stage: the format type and the file name, checked.</summary>
internal static class SharedFileParser
{
    /// <summary>The stage's <c>[SharedFileOutput]</c>, or null when it has none (or the compiler rejects it).</summary>
    public static AttributeData? Find(INamedTypeSymbol type) =>
        type.GetAttributes().FirstOrDefault(a => IsType(a.AttributeClass, KnownTypeNames.SharedFileOutput));

    /// <summary>Reports CKPT124 for each setting of per-item outputs that is set on a shared-file stage.</summary>
    public static void ReportPerItemSettings(string stageName, Location fallback, Reporter report, params (bool Set, string What, Location? Where)[] settings)
    {
        foreach (var (set, what, where) in settings)
        {
            if (set)
            {
                report(DiagnosticDescriptors.SharedFileStageSetting, where ?? fallback, stageName, what);
            }
        }
    }

    /// <summary>The model, or null after reporting what is wrong.</summary>
    public static SharedFileModel? Parse(
        AttributeData attribute, ITypeSymbol output, INamedTypeSymbol stageType, string stageName, Compilation compilation, Location fallback, Reporter report)
    {
        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol format
            || attribute.ConstructorArguments[1].Value is not string fileName)
        {
            // A missing, null or non-constant argument is a compiler error already.
            return null;
        }

        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
        var formatLocation = syntax?.ArgumentList?.Arguments.FirstOrDefault()?.Expression.GetLocation() ?? fallback;
        var fileLocation = syntax?.ArgumentList?.Arguments.Skip(1).FirstOrDefault()?.Expression.GetLocation() ?? fallback;
        var ok = true;
        if (FileNameProblem(fileName) is { } fileProblem)
        {
            report(DiagnosticDescriptors.InvalidSharedFileName, fileLocation, Escape(fileName), stageName, fileProblem);
            ok = false;
        }

        if (format.TypeKind == TypeKind.Error)
        {
            return null;
        }

        var shownOutput = output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
        if (FormatProblem(format, output, stageType, compilation) is { } formatProblem)
        {
            report(DiagnosticDescriptors.UnsupportedSharedFileFormat, formatLocation, format.ToDisplayString(), stageName, formatProblem, shownOutput);
            return null;
        }

        return ok ? new SharedFileModel(format.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), fileName) : null;
    }

    private static string? FormatProblem(INamedTypeSymbol format, ITypeSymbol output, INamedTypeSymbol stageType, Compilation compilation)
    {
        if (format.IsUnboundGenericType)
        {
            return "it is an open generic type";
        }

        if (format.TypeKind == TypeKind.Interface)
        {
            return "it is an interface, which cannot be created";
        }

        if (format.IsAbstract || format.IsStatic)
        {
            return "it is abstract or static, so it cannot be created";
        }

        var implemented = format.AllInterfaces
            .Where(i => IsType(i.OriginalDefinition, KnownTypeNames.SharedFileFormat))
            .ToList();
        if (!implemented.Any(i => SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], output)))
        {
            return implemented.Count == 0
                ? "it does not implement ISharedFileFormat<T>"
                : $"it implements ISharedFileFormat<{implemented[0].TypeArguments[0].ToDisplayString()}>, not of the stage's output type";
        }

        if (format.TypeKind == TypeKind.Class
            && !format.InstanceConstructors.Any(c => c.Parameters.Length == 0 && compilation.IsSymbolAccessibleWithin(c, stageType)))
        {
            return "it has no parameterless constructor the stage can call";
        }

        return compilation.IsSymbolAccessibleWithin(format, stageType) ? null : "it is not accessible from the stage";
    }

    /// <summary>Why <paramref name="fileName"/> is not a relative path inside the run folder; null when it is.</summary>
    /// <remarks>Each '/'-separated part follows the file-name rules of stage names (no '..', no '\', no ':', ...).</remarks>
    public static string? FileNameProblem(string fileName)
    {
        if (fileName.Length == 0)
        {
            return "it is empty";
        }

        if (fileName[0] == '/')
        {
            return "it is an absolute path";
        }

        foreach (var part in fileName.Split('/'))
        {
            if (part.Length == 0)
            {
                return "it has an empty folder name ('//' or a trailing '/')";
            }

            if (FileNameRules.GetProblem(part) is { } problem)
            {
                return $"'{part}': {problem}";
            }
        }

        return null;
    }
}
