using Checkpointing.Generators.Diagnostics;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Lsi.Parsing;

/// <summary>Turns an <c>[LsiRecord]</c> type into a value-equal model; user mistakes become diagnostics.</summary>
internal static class LsiRecordParser
{
    public static LsiRecordSyntaxModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        var typeLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        var typeName = type.Name;

        var attribute = context.Attributes[0];
        string? template = null;
        string? dateFormat = null;
        var escapeInjection = true;
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "Template" && argument.Value.Value is string name && name.Length > 0)
            {
                template = name;
            }
            else if (argument.Key == "EscapeInjection" && argument.Value.Value is bool escape)
            {
                escapeInjection = escape;
            }
            else if (argument.Key == "DateFormat" && argument.Value.Value is string format && format.Length > 0)
            {
                dateFormat = format;
            }
        }

        if (LsiRecordSyntaxReader.TryRead(context, type, template, escapeInjection, dateFormat, cancellationToken) is { } read)
        {
            return read;
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNotPartial, typeLocation, typeName));
        }

        if (type.ContainingType is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNestedOrGeneric, typeLocation, typeName, "nested in '" + type.ContainingType.Name + "'"));
        }
        else if (type.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNestedOrGeneric, typeLocation, typeName, "generic"));
        }

        if (type.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNotConstructible, typeLocation, typeName, "is abstract"));
        }
        else if (!type.InstanceConstructors.Any(c => c.Parameters.Length == 0))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNotConstructible, typeLocation, typeName, "has no parameterless constructor"));
        }

        var attributeLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        var members = new List<LsiMemberModel>();
        var byColumn = new Dictionary<string, string>(System.StringComparer.Ordinal);
        string? unmappedMember = null;
        LocationInfo? unmappedLocation = null;
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not (IPropertySymbol or IFieldSymbol) || member.IsImplicitlyDeclared)
            {
                continue;
            }

            var unmapped = member.GetAttributes().FirstOrDefault(a => IsLsiAttribute(a.AttributeClass, "LsiUnmappedColumnsAttribute"));
            if (unmapped is not null)
            {
                var location = LocationInfo.From(unmapped.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? LocationInfo.From(member.Locations.FirstOrDefault());
                if (UnmappedProblem(member) is { } problem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnmappedColumnsShape, location, member.Name, problem));
                }
                else if (unmappedMember is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnmappedColumnsTwice, location, typeName, unmappedMember, member.Name));
                }
                else
                {
                    unmappedMember = member.Name;
                    unmappedLocation = location;
                }

                continue;
            }

            var column = member.GetAttributes().FirstOrDefault(a => IsLsiColumn(a.AttributeClass));
            if (column is null)
            {
                continue;
            }

            var parsed = ParseMember(member, column, diagnostics, cancellationToken);
            if (parsed is null)
            {
                continue;
            }

            if (byColumn.TryGetValue(parsed.ColumnName, out var previous))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiDuplicateColumn, parsed.Location, parsed.ColumnName, previous, parsed.MemberName));
                continue;
            }

            byColumn.Add(parsed.ColumnName, parsed.MemberName);
            members.Add(parsed);
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
        return new LsiRecordSyntaxModel(
            ns,
            typeName,
            HintNames.For(type, "LsiRecord"),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.IsRecord,
            template,
            attributeLocation,
            escapeInjection,
            dateFormat,
            unmappedMember,
            unmappedLocation,
            new EquatableArray<LsiMemberModel>(members),
            new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static LsiMemberModel? ParseMember(ISymbol member, AttributeData column, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var location = LocationInfo.From(column.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? LocationInfo.From(member.Locations.FirstOrDefault());
        var name = column.ConstructorArguments.Length == 1 ? column.ConstructorArguments[0].Value as string : null;
        if (name is null)
        {
            // The compiler already reports a missing or non-constant argument.
            return null;
        }

        var required = false;
        var format = LsiFormatKind.Default;
        var maxLength = 0;
        string? dateFormat = null;
        foreach (var argument in column.NamedArguments)
        {
            switch (argument.Key)
            {
                case "Required" when argument.Value.Value is bool b:
                    required = b;
                    break;
                case "Format" when argument.Value.Value is int f:
                    format = (LsiFormatKind)f;
                    break;
                case "MaxLength" when argument.Value.Value is int m:
                    maxLength = m;
                    break;
                case "DateFormat" when argument.Value.Value is string d && d.Length > 0:
                    dateFormat = d;
                    break;
            }
        }

        ITypeSymbol memberType;
        string? notReadWrite = null;
        if (member is IPropertySymbol property)
        {
            memberType = property.Type;
            if (property.IsStatic)
            {
                notReadWrite = "it is static";
            }
            else if (property.GetMethod is null)
            {
                notReadWrite = "it has no get accessor";
            }
            else if (property.SetMethod is null)
            {
                notReadWrite = "it has no set accessor";
            }
            else if (property.SetMethod.IsInitOnly)
            {
                notReadWrite = "its set accessor is init-only, so a record mapper cannot fill an existing instance";
            }
        }
        else
        {
            var field = (IFieldSymbol)member;
            memberType = field.Type;
            if (field.IsStatic || field.IsConst)
            {
                notReadWrite = "it is static";
            }
            else if (field.IsReadOnly)
            {
                notReadWrite = "it is readonly";
            }
        }

        if (notReadWrite is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiMemberNotReadWrite, location, member.Name, notReadWrite));
            return null;
        }

        var isNullable = false;
        var underlying = memberType;
        if (memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            isNullable = true;
            underlying = nullable.TypeArguments[0];
        }
        else if (memberType.IsReferenceType && memberType.NullableAnnotation == NullableAnnotation.Annotated)
        {
            isNullable = true;
        }

        LsiMemberKind kind;
        switch (underlying.SpecialType)
        {
            case SpecialType.System_String: kind = LsiMemberKind.String; break;
            case SpecialType.System_Int32: kind = LsiMemberKind.Int32; break;
            case SpecialType.System_Int64: kind = LsiMemberKind.Int64; break;
            case SpecialType.System_Decimal: kind = LsiMemberKind.Decimal; break;
            case SpecialType.System_Double: kind = LsiMemberKind.Double; break;
            case SpecialType.System_Boolean: kind = LsiMemberKind.Boolean; break;
            case SpecialType.System_DateTime: kind = LsiMemberKind.DateTime; break;
            default:
                if (underlying.ToDisplayString() == "System.DateOnly")
                {
                    kind = LsiMemberKind.DateOnly;
                    break;
                }

                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnsupportedMemberType, location, member.Name, memberType.ToDisplayString()));
                return null;
        }

        var formatProblem = FormatProblem(kind, format);
        if (formatProblem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiFormatNotApplicable, location, "LsiFormat." + format, member.Name, memberType.ToDisplayString(), formatProblem));
            return null;
        }

        if (required && !isNullable && kind != LsiMemberKind.String)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRequiredNeverEmpty, location, member.Name, memberType.ToDisplayString()));
        }

        return new LsiMemberModel(member.Name, name, kind, isNullable, format, required, maxLength, dateFormat, location);
    }

    private static bool IsLsiColumn(INamedTypeSymbol? type) => IsLsiAttribute(type, "LsiColumnAttribute");

    private static bool IsLsiAttribute(INamedTypeSymbol? type, string name) =>
        type is { ContainingType: null, ContainingNamespace: { Name: "Lsi", ContainingNamespace: { Name: "Checkpointing", ContainingNamespace.IsGlobalNamespace: true } } }
        && type.Name == name;

    /// <summary>Why a member cannot be the [LsiUnmappedColumns] dictionary; null when it can.</summary>
    private static string? UnmappedProblem(ISymbol member)
    {
        if (member is not IPropertySymbol property)
        {
            return "it is not a property";
        }

        if (property.IsStatic)
        {
            return "it is static";
        }

        if (property.GetMethod is null || property.SetMethod is null || property.SetMethod.IsInitOnly)
        {
            return "it needs get and set accessors (not init) so the mapper can fill it";
        }

        var isDictionary = property.Type is INamedTypeSymbol
        {
            Name: "Dictionary",
            TypeArguments.Length: 2,
            ContainingNamespace: { Name: "Generic", ContainingNamespace: { Name: "Collections", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } },
        } dictionary
            && dictionary.TypeArguments[0].SpecialType == SpecialType.System_String
            && dictionary.TypeArguments[1].SpecialType == SpecialType.System_String;
        return isDictionary ? null : "its type is '" + property.Type.ToDisplayString() + "'";
    }

    /// <summary>Why <paramref name="format"/> does not fit <paramref name="kind"/>; null when it does.</summary>
    internal static string? FormatProblem(LsiMemberKind kind, LsiFormatKind format)
    {
        if (format == LsiFormatKind.Default)
        {
            return null;
        }

        var fits = kind switch
        {
            LsiMemberKind.String => format is LsiFormatKind.Text or LsiFormatKind.Isbn,
            LsiMemberKind.Decimal => format is LsiFormatKind.Decimal or LsiFormatKind.UsdPrice or LsiFormatKind.Price or LsiFormatKind.Percent,
            LsiMemberKind.Double or LsiMemberKind.Int32 or LsiMemberKind.Int64 => format is LsiFormatKind.Decimal,
            LsiMemberKind.Boolean => format is LsiFormatKind.YesNo,
            LsiMemberKind.DateOnly or LsiMemberKind.DateTime => format is LsiFormatKind.Date,
            _ => false,
        };

        if (fits)
        {
            return null;
        }

        return kind switch
        {
            LsiMemberKind.String => "Text members take Text or Isbn.",
            LsiMemberKind.Decimal => "decimal members take Decimal, UsdPrice, Price or Percent.",
            LsiMemberKind.Double or LsiMemberKind.Int32 or LsiMemberKind.Int64 => "Use a decimal member for UsdPrice, Price and Percent.",
            LsiMemberKind.Boolean => "bool members take YesNo.",
            _ => "Date members take Date.",
        };
    }
}
