using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Shared;

/// <summary>
/// What one syntax tree declares and names, read from syntax alone (no symbol, no semantic model), once per version
/// of the tree: the facts <see cref="AttributeTargets"/> keys its cache on. It never reads a member body: no
/// declaration's meaning depends on one.
/// </summary>
internal sealed class DeclarationScan : IEquatable<DeclarationScan>
{
    private DeclarationScan(
        SyntaxTree tree,
        string[] declaredTypes,
        string[] namespaces,
        string globalUsings,
        string[] globalAliases,
        string[] localAliases,
        ImmutableArray<AttributedDeclaration> attributed)
    {
        Tree = tree;
        DeclaredTypes = declaredTypes;
        Namespaces = namespaces;
        GlobalUsings = globalUsings;
        GlobalAliases = globalAliases;
        LocalAliases = localAliases;
        Attributed = attributed;
    }

    private string[]? _mentioned;

    /// <summary>The tree. Two scans are equal when they read the same tree object: a tree never changes.</summary>
    public SyntaxTree Tree { get; }

    /// <summary>The simple name of every type (class, struct, interface, record, enum, delegate) the tree declares.</summary>
    public string[] DeclaredTypes { get; }

    /// <summary>
    /// Every identifier outside member bodies (types, members, usings, attributes, constant values): the names binding a
    /// declaration here can look up. (A name in an attribute also finds <c>NameAttribute</c>: the index files each
    /// <c>...Attribute</c> type under its short name too.) Read on first use, as only the trees a target reaches need
    /// it, and kept with the scan while the tree is the same.
    /// </summary>
    public string[] GetMentioned(CancellationToken cancellationToken) =>
        _mentioned ??= new Words(cancellationToken).Read(Tree);

    /// <summary>The full name of every namespace the tree declares.</summary>
    public string[] Namespaces { get; }

    /// <summary>The text of the tree's <c>global using</c> directives (they apply to every file).</summary>
    public string GlobalUsings { get; }

    /// <summary>The names of the tree's <c>global using X = ...;</c> aliases.</summary>
    public string[] GlobalAliases { get; }

    /// <summary>The names of the tree's file-scoped <c>using X = ...;</c> aliases (any namespace level).</summary>
    public string[] LocalAliases { get; }

    /// <summary>Each class or record declaration that carries attributes, with the simple names they are written with.</summary>
    public ImmutableArray<AttributedDeclaration> Attributed { get; }

    public static DeclarationScan Scan(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)tree.GetRoot(cancellationToken);
        var walker = new Walker(cancellationToken);
        walker.VisitUsings(root.Usings, topLevel: true);
        walker.VisitMembers(root.Members, ns: "");
        return new DeclarationScan(
            tree,
            walker.DeclaredTypes.Distinct(StringComparer.Ordinal).ToArray(),
            walker.Namespaces.Distinct(StringComparer.Ordinal).ToArray(),
            walker.GlobalUsings.ToString(),
            [.. walker.GlobalAliases],
            [.. walker.LocalAliases],
            walker.Attributed.ToImmutable());
    }

    /// <summary>
    /// The declarations whose attributes may be <paramref name="attributeNames"/> (written with or without the
    /// <c>Attribute</c> suffix) or an alias, of this file or a global one; the compiler confirms each one later.
    /// </summary>
    public ImmutableArray<TypeDeclarationSyntax> CandidatesFor(AttributeNames attributeNames, EquatableArray<string> globalAliases)
    {
        var result = ImmutableArray.CreateBuilder<TypeDeclarationSyntax>();
        foreach (var declaration in Attributed)
        {
            foreach (var name in declaration.Names)
            {
                if (attributeNames.Matches(name) || IsAlias(name, LocalAliases) || IsAlias(name, globalAliases))
                {
                    result.Add(declaration.Node);
                    break;
                }
            }
        }

        return result.ToImmutable();
    }

    private static bool IsAlias(string name, IEnumerable<string> aliases)
    {
        foreach (var alias in aliases)
        {
            // [X] finds an alias named X or XAttribute.
            if (alias == name || (alias.Length == name.Length + 9 && alias.StartsWith(name, StringComparison.Ordinal) && alias.EndsWith("Attribute", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(DeclarationScan? other) => other is not null && ReferenceEquals(Tree, other.Tree);

    public override bool Equals(object? obj) => Equals(obj as DeclarationScan);

    public override int GetHashCode() => Tree.GetHashCode();

    /// <summary>A class or record with attributes, and the rightmost simple name each attribute is written with.</summary>
    internal readonly struct AttributedDeclaration
    {
        public AttributedDeclaration(TypeDeclarationSyntax node, string[] names)
        {
            Node = node;
            Names = names;
        }

        public TypeDeclarationSyntax Node { get; }

        public string[] Names { get; }
    }

    /// <summary>Reads the names a tree mentions outside member bodies (see <see cref="GetMentioned"/>).</summary>
    private sealed class Words
    {
        [ThreadStatic]
        private static char[]? t_buffer;

        private readonly CancellationToken _cancellationToken;

        public Words(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

        private WordSet Mentioned { get; } = new();

        public string[] Read(SyntaxTree tree)
        {
            var root = (CompilationUnitSyntax)tree.GetRoot(_cancellationToken);
            VisitMembers(root.Members);
            CollectMentioned(tree, root);
            return Mentioned.ToArray();
        }

        private void VisitMembers(SyntaxList<MemberDeclarationSyntax> members)
        {
            foreach (var member in members)
            {
                switch (member)
                {
                    case BaseNamespaceDeclarationSyntax declaration:
                        VisitMembers(declaration.Members);
                        break;
                    case TypeDeclarationSyntax type:
                        VisitBodies(type);
                        VisitMembers(type.Members);
                        break;
                    case GlobalStatementSyntax statement:
                        AddBody(statement);
                        break;
                }
            }
        }

        /// <summary>The spans of member bodies, in document order: the text between them is what names are read from.</summary>
        private List<Microsoft.CodeAnalysis.Text.TextSpan> Bodies { get; } = [];

        private void VisitBodies(TypeDeclarationSyntax type)
        {
            foreach (var member in type.Members)
            {
                switch (member)
                {
                    case BaseMethodDeclarationSyntax method:
                        AddBody(method.Body);
                        AddBody(method.ExpressionBody);
                        break;
                    case BasePropertyDeclarationSyntax property:
                        if (property.AccessorList is { } accessors)
                        {
                            foreach (var accessor in accessors.Accessors)
                            {
                                AddBody(accessor.Body);
                                AddBody(accessor.ExpressionBody);
                            }
                        }

                        AddBody(property switch
                        {
                            PropertyDeclarationSyntax p => p.ExpressionBody,
                            IndexerDeclarationSyntax i => i.ExpressionBody,
                            _ => null,
                        });
                        break;
                }
            }
        }

        private void AddBody(SyntaxNode? body)
        {
            if (body is not null)
            {
                Bodies.Add(body.Span);
            }
        }

        /// <summary>
        /// Reads every identifier-like word of the text outside member bodies: the names in declarations, and more
        /// (words in strings, comments and disabled code), which only makes a key wider, never wrong. A tree with a
        /// Unicode escape, which can spell an identifier the words do not show, is read token by token instead.
        /// </summary>
        private void CollectMentioned(SyntaxTree tree, CompilationUnitSyntax root)
        {
            var text = tree.GetText(_cancellationToken);
            Bodies.Sort(static (x, y) => x.Start.CompareTo(y.Start));
            // One buffer per thread, reused: a full run scans every file, and a buffer per file was most of its garbage.
            var buffer = t_buffer is { } reused && reused.Length >= text.Length ? reused : t_buffer = new char[Math.Max(text.Length, 16 * 1024)];
            text.CopyTo(0, buffer, 0, text.Length);
            var position = 0;
            foreach (var body in Bodies)
            {
                if (body.Start >= position)
                {
                    if (!CollectWords(buffer, position, body.Start))
                    {
                        CollectTokens(root);
                        return;
                    }

                    position = body.End;
                }
                else if (body.End > position)
                {
                    position = body.End;
                }
            }

            if (!CollectWords(buffer, position, text.Length))
            {
                CollectTokens(root);
            }
        }

        private bool CollectWords(char[] text, int start, int end)
        {
            var i = start;
            while (i < end)
            {
                var c = text[i];
                if (c < 128 ? (AsciiClass[c] & Start) == 0 : !IsIdentifierStart(c))
                {
                    if (c == '\\' && i + 1 < end && text[i + 1] is 'u' or 'U')
                    {
                        return false;
                    }

                    i++;
                    continue;
                }

                var wordStart = i;
                var formatting = false;
                var hash = WordSet.HashSeed;
                while (i < end && ((c = text[i]) < 128 ? (AsciiClass[c] & Part) != 0 : IsIdentifierPart(c, ref formatting)))
                {
                    hash = WordSet.HashStep(hash, c);
                    i++;
                }

                if (formatting)
                {
                    // The compiler ignores formatting characters in identifiers: a\u200Db is ab.
                    Mentioned.Add(new string(text.Skip(wordStart).Take(i - wordStart).Where(ch => CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.Format).ToArray()));
                }
                else
                {
                    Mentioned.Add(text, wordStart, i - wordStart, hash);
                }
            }

            return true;
        }

        private const byte Start = 1;
        private const byte Part = 2;

        // For each ASCII character: can it start an identifier, can it continue one.
        private static readonly byte[] AsciiClass = CreateAsciiClass();

        private static byte[] CreateAsciiClass()
        {
            var classes = new byte[128];
            for (var c = 0; c < 128; c++)
            {
                var letter = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_';
                classes[c] = (byte)((letter ? Start : 0) | (letter || c is >= '0' and <= '9' ? Part : 0));
            }

            return classes;
        }

        private static bool IsIdentifierStart(char c) =>
            c == '_' || (c < 128 ? (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z') : char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.LetterNumber);

        private static bool IsIdentifierPart(char c, ref bool formatting)
        {
            if (c < 128)
            {
                return c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Format:
                    formatting = true;
                    return true;
                case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
                    or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark:
                    return true;
                default:
                    return false;
            }
        }

        private void CollectTokens(CompilationUnitSyntax root)
        {
            foreach (var token in root.DescendantTokens(static node => node is not (BlockSyntax or ArrowExpressionClauseSyntax or GlobalStatementSyntax)))
            {
                if (token.IsKind(SyntaxKind.IdentifierToken))
                {
                    Mentioned.Add(token.ValueText);
                }
            }
        }

    }

    private sealed class Walker
    {
        private readonly CancellationToken _cancellationToken;

        public Walker(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

        public List<string> DeclaredTypes { get; } = [];

        public List<string> Namespaces { get; } = [];

        public StringBuilder GlobalUsings { get; } = new();

        public List<string> GlobalAliases { get; } = [];

        public List<string> LocalAliases { get; } = [];

        public ImmutableArray<AttributedDeclaration>.Builder Attributed { get; } = ImmutableArray.CreateBuilder<AttributedDeclaration>();

        public void VisitUsings(SyntaxList<UsingDirectiveSyntax> usings, bool topLevel)
        {
            foreach (var directive in usings)
            {
                var isGlobal = topLevel && directive.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword);
                if (isGlobal)
                {
                    GlobalUsings.Append(directive.ToString()).Append('\n');
                }

                if (directive.Alias is { } alias)
                {
                    (isGlobal ? GlobalAliases : LocalAliases).Add(alias.Name.Identifier.ValueText);
                }
            }
        }

        public void VisitMembers(SyntaxList<MemberDeclarationSyntax> members, string ns)
        {
            foreach (var member in members)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                switch (member)
                {
                    case BaseNamespaceDeclarationSyntax declaration:
                        var name = ns.Length == 0 ? declaration.Name.ToString() : ns + "." + declaration.Name;
                        Namespaces.Add(name);
                        VisitUsings(declaration.Usings, topLevel: false);
                        VisitMembers(declaration.Members, name);
                        break;
                    case BaseTypeDeclarationSyntax type:
                        DeclaredTypes.Add(type.Identifier.ValueText);
                        if (type is TypeDeclarationSyntax withMembers)
                        {
                            if (withMembers is ClassDeclarationSyntax or RecordDeclarationSyntax && withMembers.AttributeLists.Count > 0)
                            {
                                Attributed.Add(new AttributedDeclaration(withMembers, AttributeNamesOf(withMembers)));
                            }

                            VisitMembers(withMembers.Members, ns);
                        }

                        break;
                    case DelegateDeclarationSyntax @delegate:
                        DeclaredTypes.Add(@delegate.Identifier.ValueText);
                        break;
                }
            }
        }

        private static string[] AttributeNamesOf(TypeDeclarationSyntax declaration)
        {
            var names = new List<string>();
            foreach (var list in declaration.AttributeLists)
            {
                foreach (var attribute in list.Attributes)
                {
                    names.Add(RightmostName(attribute.Name));
                }
            }

            return [.. names];
        }

        private static string RightmostName(NameSyntax name) => name switch
        {
            QualifiedNameSyntax qualified => RightmostName(qualified.Right),
            AliasQualifiedNameSyntax aliased => RightmostName(aliased.Name),
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => name.ToString(),
        };
    }
}
