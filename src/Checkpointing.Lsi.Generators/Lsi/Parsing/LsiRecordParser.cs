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

/// <summary>
/// Turns an <c>[LsiRecord]</c> type into a value-equal model; user mistakes become diagnostics. The one parser of
/// the attribute: each member's facts come from its syntax when <see cref="LsiRecordSyntaxReader"/> can tell them
/// (the common case, no member symbol built), else from its symbol, and the same rules check both.
/// </summary>
internal static class LsiRecordParser
{
    /// <summary>What one <c>[LsiColumn]</c> member declares, before any rule is checked.</summary>
    /// <param name="NotReadWrite">Why the member cannot be read and written, or null.</param>
    /// <param name="Kind">The member's CLR shape, or null when its type is not supported.</param>
    /// <param name="TypeDisplay">The member's type as the compiler displays it, for diagnostics only.</param>
    internal sealed record ColumnFacts(
        string MemberName,
        string ColumnName,
        bool Required,
        LsiFormatKind Format,
        int MaxLength,
        string? DateFormat,
        LocationInfo? Location,
        string? NotReadWrite,
        LsiMemberKind? Kind,
        bool IsNullable,
        System.Func<string> TypeDisplay);

    /// <summary>
    /// The first step, which <c>AttributeTargets</c> runs again when the record's key changes: the type's own facts
    /// and, when its members can be read from syntax alone, only the few names they use (what the compiler binds them
    /// to here), so the next step, which reads the members, is served from its cache while the declaration is the same.
    /// Anything else is read here from symbols, as before.
    /// </summary>
    public static LsiRecordInput Parse(AttributeTarget context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var header = ReadHeader(type, declaration, context.Attributes[0], cancellationToken);
        if (LsiRecordSyntaxReader.CanReadMembers(type, declaration) && !declaration.ContainsDirectives)
        {
            var names = LsiRecordSyntaxReader.NameFacts.Read(context.SemanticModel, declaration);
            return new LsiRecordInput(header, names, declaration, Record: null);
        }

        return new LsiRecordInput(header, null, null, ReadMembers(header, type, declaration, context.SemanticModel, cancellationToken));
    }

    /// <summary>
    /// The second step: every member read from syntax with the names of the first step. A member that only its symbol
    /// can tell, or any member diagnostic (its message shows the member's type as the compiler displays it), leaves the
    /// record to <see cref="Bind"/>.
    /// </summary>
    public static LsiRecordRead ReadFromSyntax(LsiRecordInput input, CancellationToken cancellationToken)
    {
        if (input.Record is not null)
        {
            return new LsiRecordRead(input.Record, null);
        }

        var lookups = new LsiRecordSyntaxReader.Lookups(input.Names!);
        var columns = new ColumnCollector(input.Header);
        foreach (var member in input.Declaration!.Members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.AttributeLists.Count == 0)
            {
                continue;
            }

            var facts = member switch
            {
                PropertyDeclarationSyntax property => LsiRecordSyntaxReader.TryRead(property, lookups),
                FieldDeclarationSyntax field => LsiRecordSyntaxReader.TryRead(field, lookups),
                IndexerDeclarationSyntax => null,
                _ => NotAColumn,
            };

            if (facts is null || (facts != NotAColumn && !columns.AddWithoutDiagnostic(facts)))
            {
                return new LsiRecordRead(null, input);
            }
        }

        return new LsiRecordRead(columns.ToModel(), null);
    }

    /// <summary>
    /// The third step, on every compilation: a record the second step read is passed on as it is; one it could not is
    /// read here with the compilation's semantic model, member by member (syntax first, else the member's symbol).
    /// </summary>
    public static LsiRecordSyntaxModel Bind(LsiRecordRead read, Compilation compilation, CancellationToken cancellationToken)
    {
        if (read.Record is not null)
        {
            return read.Record;
        }

        var input = read.NeedsBinding!;
        var declaration = input.Declaration!;
        var semanticModel = compilation.GetSemanticModel(declaration.SyntaxTree);
        var type = (INamedTypeSymbol)semanticModel.GetDeclaredSymbol(declaration, cancellationToken)!;
        return ReadMembers(input.Header, type, declaration, semanticModel, cancellationToken);
    }

    // Stands for a member that is neither a column nor the unmapped columns (a method, an event, a nested type).
    private static readonly ColumnFacts NotAColumn = new("", "", false, LsiFormatKind.Default, 0, null, null, null, null, false, () => "");

    /// <summary>The type's own facts and diagnostics, from its symbol, its declaration and its [LsiRecord].</summary>
    private static LsiRecordHeader ReadHeader(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData attribute, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var typeLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        var typeName = type.Name;

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
        else if (!HasParameterlessConstructor(type, declaration))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRecordNotConstructible, typeLocation, typeName, "has no parameterless constructor"));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
        return new LsiRecordHeader(
            ns,
            typeName,
            HintNames.For(type, "LsiRecord"),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.IsRecord,
            template,
            LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
            escapeInjection,
            dateFormat,
            new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    /// <summary>The members of a record, each from its syntax when it can be read so, else from its symbol.</summary>
    private static LsiRecordSyntaxModel ReadMembers(
        LsiRecordHeader header, INamedTypeSymbol type, TypeDeclarationSyntax declaration, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var typeName = header.TypeName;
        var columns = new ColumnCollector(header);
        var diagnostics = columns.Diagnostics;
        void AddMember(ISymbol member)
        {
            if (member is not (IPropertySymbol or IFieldSymbol) || member.IsImplicitlyDeclared)
            {
                return;
            }

            var unmapped = member.GetAttributes().FirstOrDefault(a => IsLsiAttribute(a.AttributeClass, "LsiUnmappedColumnsAttribute"));
            if (unmapped is not null)
            {
                var location = LocationInfo.From(unmapped.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? LocationInfo.From(member.Locations.FirstOrDefault());
                if (UnmappedProblem(member) is { } problem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnmappedColumnsShape, location, member.Name, problem));
                }
                else if (columns.UnmappedMember is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnmappedColumnsTwice, location, typeName, columns.UnmappedMember, member.Name));
                }
                else
                {
                    columns.UnmappedMember = member.Name;
                    columns.UnmappedLocation = location;
                }

                return;
            }

            var column = member.GetAttributes().FirstOrDefault(a => IsLsiColumn(a.AttributeClass));
            if (column is not null && ReadFacts(member, column, cancellationToken) is { } facts)
            {
                columns.Add(facts);
            }
        }

        if (LsiRecordSyntaxReader.CanReadMembers(type, declaration))
        {
            // One declaration holds every member, in the order GetMembers() gives them: read each from its syntax.
            var lookups = new LsiRecordSyntaxReader.Lookups(semanticModel, declaration.OpenBraceToken.Span.End);
            foreach (var member in declaration.Members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.AttributeLists.Count == 0)
                {
                    // Without an attribute a member is neither a column nor the unmapped columns.
                    continue;
                }

                switch (member)
                {
                    case PropertyDeclarationSyntax property:
                        if (LsiRecordSyntaxReader.TryRead(property, lookups) is { } propertyFacts)
                        {
                            columns.Add(propertyFacts);
                        }
                        else if (semanticModel.GetDeclaredSymbol(property, cancellationToken) is { } symbol)
                        {
                            AddMember(symbol);
                        }

                        break;
                    case FieldDeclarationSyntax field:
                        if (LsiRecordSyntaxReader.TryRead(field, lookups) is { } fieldFacts)
                        {
                            columns.Add(fieldFacts);
                            break;
                        }

                        foreach (var variable in field.Declaration.Variables)
                        {
                            if (semanticModel.GetDeclaredSymbol(variable, cancellationToken) is { } symbol)
                            {
                                AddMember(symbol);
                            }
                        }

                        break;
                    case IndexerDeclarationSyntax indexer:
                        if (semanticModel.GetDeclaredSymbol(indexer, cancellationToken) is { } indexerSymbol)
                        {
                            AddMember(indexerSymbol);
                        }

                        break;
                }
            }
        }
        else
        {
            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                AddMember(member);
            }
        }

        return columns.ToModel();
    }

    /// <summary>Checks each column member as it comes and gathers the record's model and diagnostics.</summary>
    private sealed class ColumnCollector(LsiRecordHeader header)
    {
        private readonly List<LsiMemberModel> _members = [];
        private readonly Dictionary<string, string> _byColumn = new(System.StringComparer.Ordinal);

        public List<DiagnosticInfo> Diagnostics { get; } = [.. header.Diagnostics];

        public string? UnmappedMember { get; set; }

        public LocationInfo? UnmappedLocation { get; set; }

        public void Add(ColumnFacts facts)
        {
            var parsed = Check(facts, Diagnostics);
            if (parsed is null)
            {
                return;
            }

            if (_byColumn.TryGetValue(parsed.ColumnName, out var previous))
            {
                Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiDuplicateColumn, parsed.Location, parsed.ColumnName, previous, parsed.MemberName));
                return;
            }

            _byColumn.Add(parsed.ColumnName, parsed.MemberName);
            _members.Add(parsed);
        }

        /// <summary>Adds the column; false (and the record is to be read again with its symbols) when a rule reports on it.</summary>
        public bool AddWithoutDiagnostic(ColumnFacts facts)
        {
            var count = Diagnostics.Count;
            Add(facts);
            return Diagnostics.Count == count;
        }

        public LsiRecordSyntaxModel ToModel() => new(
            header,
            UnmappedMember,
            UnmappedLocation,
            new EquatableArray<LsiMemberModel>(_members),
            new EquatableArray<DiagnosticInfo>(Diagnostics));
    }

    /// <summary>The facts of a member read from its symbol; null when the compiler already reports its attribute.</summary>
    private static ColumnFacts? ReadFacts(ISymbol member, AttributeData column, CancellationToken cancellationToken)
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

        LsiMemberKind? kind = underlying.SpecialType switch
        {
            SpecialType.System_String => LsiMemberKind.String,
            SpecialType.System_Int32 => LsiMemberKind.Int32,
            SpecialType.System_Int64 => LsiMemberKind.Int64,
            SpecialType.System_Decimal => LsiMemberKind.Decimal,
            SpecialType.System_Double => LsiMemberKind.Double,
            SpecialType.System_Boolean => LsiMemberKind.Boolean,
            SpecialType.System_DateTime => LsiMemberKind.DateTime,
            _ when underlying.ToDisplayString() == "System.DateOnly" => LsiMemberKind.DateOnly,
            _ => null,
        };

        return new ColumnFacts(member.Name, name, required, format, maxLength, dateFormat, location, notReadWrite, kind, isNullable, () => memberType.ToDisplayString());
    }

    /// <summary>The rules of a column member, the same whether its facts came from syntax or from its symbol.</summary>
    private static LsiMemberModel? Check(ColumnFacts facts, List<DiagnosticInfo> diagnostics)
    {
        if (facts.NotReadWrite is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiMemberNotReadWrite, facts.Location, facts.MemberName, facts.NotReadWrite));
            return null;
        }

        if (facts.Kind is not { } kind)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnsupportedMemberType, facts.Location, facts.MemberName, facts.TypeDisplay()));
            return null;
        }

        var formatProblem = FormatProblem(kind, facts.Format);
        if (formatProblem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiFormatNotApplicable, facts.Location, "LsiFormat." + facts.Format, facts.MemberName, facts.TypeDisplay(), formatProblem));
            return null;
        }

        if (facts.Required && !facts.IsNullable && kind != LsiMemberKind.String)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiRequiredNeverEmpty, facts.Location, facts.MemberName, facts.TypeDisplay()));
        }

        return new LsiMemberModel(facts.MemberName, facts.ColumnName, kind, facts.IsNullable, facts.Format, facts.Required, facts.MaxLength, facts.DateFormat, facts.Location);
    }

    // Without a constructor declared, the compiler adds a parameterless one: seen from syntax, as building the
    // type's members to list its constructors would cost most of a parse.
    private static bool HasParameterlessConstructor(INamedTypeSymbol type, TypeDeclarationSyntax declaration) =>
        (!type.IsStatic && LsiRecordSyntaxReader.HasImplicitConstructor(type, declaration))
        || type.InstanceConstructors.Any(c => c.Parameters.Length == 0);

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
