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

/// <summary>The cumulative CSV of a stage with <c>CumulativeCsvImprint</c>: which output member keys its rows.</summary>
internal static class CumulativeCsvKeyParser
{
    /// <summary>
    /// The row key of a cumulative CSV: the output's [CheckpointKey] member,
    /// else its [LsiColumn("ISBN or SKU")] member (normalized as the LSI writer writes it, so a row read back
    /// has the key it was appended with). Null after reporting when the output has no CSV row or no key.
    /// </summary>
    public static CumulativeCsvModel? Parse(ITypeSymbol output, string imprint, Location? location, string stageName, Reporter report)
    {
        var shown = output.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
        if (output is not INamedTypeSymbol named
            || !(HasAttribute(named, KnownTypeNames.LsiRecord) || HasAttribute(named, KnownTypeNames.CsvRecord)))
        {
            report(DiagnosticDescriptors.CumulativeCsvUnsupportedOutput, location, stageName, shown);
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
                return new CumulativeCsvModel(imprint, member.Name, kind);
            }

            if (StageSignatureParser.IsKeyType(type))
            {
                return new CumulativeCsvModel(imprint, member.Name, CsvRowKeyKind.CheckpointKey);
            }
        }

        report(DiagnosticDescriptors.CumulativeCsvWithoutKey, location, stageName, imprint, shown);
        return null;
    }
}
