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

/// <summary>
/// The DataAnnotations on the output type's members, as typed rules of the generated validator. An attribute
/// that cannot be generated is reported (CKPT115) with why.
/// </summary>
internal static class ValidationRuleParser
{
    public static List<ValidationRule> Parse(
        ITypeSymbol output, INamedTypeSymbol stageType, Compilation compilation, Location fallback, Reporter report, CancellationToken cancellationToken)
    {
        var rules = new List<ValidationRule>();
        if (StageSyntaxReader.ShowsNoMemberAttributes(output, cancellationToken))
        {
            return rules;
        }

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
    private static string? AddRule(List<ValidationRule> rules, string attributeName, AttributeData attribute, string member, ITypeSymbol memberType)
    {
        var args = attribute.ConstructorArguments;
        var errorMessage = NamedArgument(attribute, "ErrorMessage") as string;
        var isString = memberType.SpecialType == SpecialType.System_String;
        var underlying = memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : memberType;
        var isNullable = memberType.IsReferenceType || !SymbolEqualityComparer.Default.Equals(underlying, memberType);

        string Message(string defaultMessage, params object[] messageArguments) => Format(errorMessage ?? defaultMessage, member, messageArguments);

        switch (attributeName)
        {
            case "RequiredAttribute":
                if (!isNullable)
                {
                    // A non-nullable value type always has a value; DataAnnotations accepts it too.
                    return null;
                }

                var allowEmpty = NamedArgument(attribute, "AllowEmptyStrings") is true;
                rules.Add(new RequiredRule(member, Message("The {0} field is required."), isNullable, isString, allowEmpty));
                return null;

            case "RangeAttribute":
                if (!IsNumeric(underlying))
                {
                    return "Range is generated for numeric members only";
                }

                RangeBound minimum, maximum;
                var comparison = RangeComparison.MemberType;
                object shownMinimum, shownMaximum;
                if (args.Length == 2 && args[0].Value is int intMinimum && args[1].Value is int intMaximum)
                {
                    minimum = new RangeBound(RangeBoundKind.Int32, intMinimum.ToString(CultureInfo.InvariantCulture));
                    maximum = new RangeBound(RangeBoundKind.Int32, intMaximum.ToString(CultureInfo.InvariantCulture));
                    shownMinimum = intMinimum;
                    shownMaximum = intMaximum;
                    if (underlying.SpecialType == SpecialType.System_UInt64)
                    {
                        comparison = RangeComparison.Decimal;
                    }
                }
                else if (args.Length == 2 && args[0].Value is double doubleMinimum && args[1].Value is double doubleMaximum)
                {
                    minimum = new RangeBound(RangeBoundKind.Double, DoubleText(doubleMinimum));
                    maximum = new RangeBound(RangeBoundKind.Double, DoubleText(doubleMaximum));
                    shownMinimum = doubleMinimum;
                    shownMaximum = doubleMaximum;
                    if (underlying.SpecialType == SpecialType.System_Decimal)
                    {
                        comparison = RangeComparison.Double;
                    }
                }
                else if (args.Length == 3 && args[0].Value is ITypeSymbol { SpecialType: SpecialType.System_Decimal }
                         && underlying.SpecialType == SpecialType.System_Decimal
                         && args[1].Value is string decimalMinimum && args[2].Value is string decimalMaximum
                         && decimal.TryParse(decimalMinimum, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsedMinimum)
                         && decimal.TryParse(decimalMaximum, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsedMaximum))
                {
                    minimum = new RangeBound(RangeBoundKind.Decimal, parsedMinimum.ToString(CultureInfo.InvariantCulture));
                    maximum = new RangeBound(RangeBoundKind.Decimal, parsedMaximum.ToString(CultureInfo.InvariantCulture));
                    shownMinimum = decimalMinimum;
                    shownMaximum = decimalMaximum;
                }
                else
                {
                    return "only Range(int, int), Range(double, double) and Range(typeof(decimal), \"min\", \"max\") on a decimal are generated";
                }

                var minimumExclusive = NamedArgument(attribute, "MinimumIsExclusive") is true;
                var maximumExclusive = NamedArgument(attribute, "MaximumIsExclusive") is true;
                var rangeMessage = "The field {0} must be between {1}" + (minimumExclusive ? " exclusive" : "") + " and {2}" + (maximumExclusive ? " exclusive" : "") + ".";
                rules.Add(new RangeRule(member, Message(rangeMessage, shownMinimum, shownMaximum), isNullable, minimum, maximum, minimumExclusive, maximumExclusive, comparison));
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

                var stringMinimum = NamedArgument(attribute, "MinimumLength") as int? ?? 0;
                var stringMessage = stringMinimum == 0
                    ? "The field {0} must be a string with a maximum length of {1}."
                    : "The field {0} must be a string with a minimum length of {2} and a maximum length of {1}.";
                rules.Add(new LengthRule(member, Message(stringMessage, stringMaximum, stringMinimum), isNullable,
                    MinimumBound(stringMinimum), MaximumBound(stringMaximum), LengthProperty.Length));
                return null;

            case "MinLengthAttribute":
            case "MaxLengthAttribute":
                var isMinimum = attributeName == "MinLengthAttribute";
                var lengthProperty = LengthPropertyOf(memberType);
                if (lengthProperty is null)
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
                rules.Add(new LengthRule(member, Message(lengthMessage, length), isNullable,
                    isMinimum ? MinimumBound(length) : null, isMinimum ? null : MaximumBound(length), lengthProperty.Value));
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

                rules.Add(new PatternRule(member, Message("The field {0} must match the regular expression '{1}'.", pattern), isNullable, pattern));
                return null;

            default:
                return "only Required, Range, StringLength, MinLength, MaxLength and RegularExpression are generated";
        }
    }

    // Round-trip text, with the special values spelled out whatever the runtime's culture data says.
    private static string DoubleText(double value) =>
        double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    // A length is never below 0, so a minimum of 0 checks nothing.
    private static int? MinimumBound(int minimum) => minimum == 0 ? null : minimum;

    // DataAnnotations reads a maximum of -1 as "no limit" ([MaxLength(-1)], the largest the store allows).
    private static int? MaximumBound(int maximum) => maximum == -1 ? null : maximum;

    private static LengthProperty? LengthPropertyOf(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || type is IArrayTypeSymbol { Rank: 1 })
        {
            return LengthProperty.Length;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("Count").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_Int32 && p.DeclaredAccessibility == Accessibility.Public && !p.IsStatic))
            {
                return LengthProperty.Count;
            }
        }

        return type.TypeKind == TypeKind.Interface
               && type.AllInterfaces.Any(i => i.GetMembers("Count").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_Int32))
            ? LengthProperty.Count
            : null;
    }

    private static bool IsNumeric(ITypeSymbol type) => type.SpecialType is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or
        SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

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
}
