using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Checkpointing.Generators.Shared;

/// <summary>
/// <c>ForAttributeWithMetadataName</c>, with a cache keyed on syntax: a class is bound again only when a file its
/// declaration can depend on has changed. <c>ForAttributeWithMetadataName</c> binds every matching class on every
/// compilation (each keystroke in the IDE), whatever was edited; here an edit in a file no target's declaration can
/// reach costs a scan of that file and a look-up per target, without a symbol.
/// </summary>
/// <remarks>
/// <para>A target's key (<see cref="TargetKey"/>) holds: its own syntax tree (any edit in that file binds it again);
/// every tree that declares a type named by a name its file mentions outside member bodies, and so on from those trees
/// (<see cref="DeclarationScan.GetMentioned"/>), found the first time the key is compared; every <c>global using</c> and every namespace name of the compilation;
/// and the compilation's options, assembly name and references. Binding a declaration (its attributes, base types,
/// member types and constant values) only looks names up, and a simple name only finds a type of that name, a
/// namespace, an alias or a member of a type it already found; so, all of those being the same trees, the same text
/// and the same references, the compiler's answers are the same, and so is the parser's result.</para>
/// <para>The tests in <c>AttributeTargetsTests</c> compare a warm driver after each kind of edit in another file
/// (a changed key member, a key in a base record, a validation rule, a constant, a new shadowing type or attribute
/// class, a global alias, a namespace, another partial declaration, a reference, an LSI constant) with a new driver on
/// the same compilation.</para>
/// </remarks>
internal static class AttributeTargets
{
    public static IncrementalValuesProvider<TResult> ForAttribute<TResult>(
        IncrementalGeneratorInitializationContext context,
        string metadataName,
        Func<AttributeTarget, CancellationToken, TResult> transform,
        string trackingName)
        where TResult : class
    {
        var names = new AttributeNames(metadataName);

        // One entry per tree: a tree that is the same object as in the last run is served from the cache, unscanned.
        var scans = context.CompilationProvider
            .Select(static (compilation, _) => new TreeList(compilation.SyntaxTrees))
            .SelectMany(static (list, _) => list.Trees)
            .Select(static (tree, ct) => DeclarationScan.Scan(tree, ct))
            .WithTrackingName(trackingName + "Scan");

        var index = scans.Collect()
            .Select(static (all, _) => new DeclarationIndex(all))
            .WithTrackingName(trackingName + "Index");

        var environment = context.CompilationProvider.Select(static (compilation, _) => new CompilationEnvironment(compilation));

        // Served from the cache, entry by entry, while the candidates are the same nodes in the same order.
        var candidates = index.SelectMany((index, _) => index.CandidatesFor(names));

        var keys = candidates
            .Combine(index.Combine(environment))
            .Select(static (pair, _) => pair.Right.Left.KeyFor(pair.Left, pair.Right.Right))
            .WithTrackingName(trackingName + "Key");

        // The compilation is held weakly: a cached entry keeps the one it was made with, and must not keep it alive.
        var compilations = context.CompilationProvider.Select(static (compilation, _) => new WeakReference<Compilation>(compilation));
        return keys
            .Combine(compilations)
            .WithComparer(KeyOnlyComparer.Instance)
            .Select((pair, ct) => Bind(pair.Left, pair.Right, names, transform, ct))
            .WithTrackingName(trackingName)
            .Where(static result => result is not null)!;
    }

    private static TResult? Bind<TResult>(TargetKey key, WeakReference<Compilation> reference, AttributeNames names, Func<AttributeTarget, CancellationToken, TResult> transform, CancellationToken cancellationToken)
        where TResult : class
    {
        // The driver holds the compilation of the run in progress, which is the one a modified entry carries.
        if (!reference.TryGetTarget(out var compilation))
        {
            throw new InvalidOperationException("The compilation of the current generator run was collected.");
        }

        var node = key.Node;
        var model = compilation.GetSemanticModel(node.SyntaxTree);
        if (model.GetDeclaredSymbol(node, cancellationToken) is not INamedTypeSymbol symbol)
        {
            return null;
        }

        var attributes = ImmutableArray.CreateBuilder<AttributeData>();
        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolHelpers.IsType(attribute.AttributeClass, names.MetadataName)
                && attribute.ApplicationSyntaxReference is { } application
                && application.SyntaxTree == node.SyntaxTree
                && node.Span.Contains(application.Span))
            {
                attributes.Add(attribute);
            }
        }

        return attributes.Count == 0 ? null : transform(new AttributeTarget(node, symbol, model, attributes.ToImmutable()), cancellationToken);
    }

    private static bool SameObjects<T>(IReadOnlyList<T> x, IReadOnlyList<T> y)
        where T : class
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!ReferenceEquals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The trees of one compilation, equal to another list of the same tree objects in the same order.</summary>
    private sealed class TreeList : IEquatable<TreeList>
    {
        public TreeList(IEnumerable<SyntaxTree> trees) => Trees = ImmutableArray.CreateRange(trees);

        public ImmutableArray<SyntaxTree> Trees { get; }

        public bool Equals(TreeList? other) => other is not null && SameObjects(Trees, other.Trees);

        public override bool Equals(object? obj) => Equals(obj as TreeList);

        public override int GetHashCode() => Trees.Length;
    }

    /// <summary>Which trees declare which type names, and the compilation-wide facts every key holds.</summary>
    private sealed class DeclarationIndex : IEquatable<DeclarationIndex>
    {
        private readonly ImmutableArray<DeclarationScan> _scans;
        private readonly Dictionary<SyntaxTree, int> _treeIndex = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, List<int>> _declaring = new(StringComparer.Ordinal);

        public DeclarationIndex(ImmutableArray<DeclarationScan> scans)
        {
            _scans = scans;
            var globalUsings = new System.Text.StringBuilder();
            var namespaces = new SortedSet<string>(StringComparer.Ordinal);
            var aliases = new SortedSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < scans.Length; i++)
            {
                var scan = scans[i];
                _treeIndex[scan.Tree] = i;
                foreach (var name in scan.DeclaredTypes)
                {
                    Declare(name, i);
                    if (name.Length > 9 && name.EndsWith("Attribute", StringComparison.Ordinal))
                    {
                        // [Name] binds to NameAttribute.
                        Declare(name.Substring(0, name.Length - 9), i);
                    }
                }

                globalUsings.Append(scan.GlobalUsings);
                namespaces.UnionWith(scan.Namespaces);
                aliases.UnionWith(scan.GlobalAliases);
            }

            Global = globalUsings.Append("\nnamespaces: ").Append(string.Join(" ", namespaces)).ToString();
            GlobalAliases = new EquatableArray<string>(aliases);
        }

        private void Declare(string name, int tree)
        {
            if (!_declaring.TryGetValue(name, out var trees))
            {
                _declaring.Add(name, trees = []);
            }

            trees.Add(tree);
        }

        /// <summary>Every <c>global using</c> directive and every namespace name of the compilation.</summary>
        public string Global { get; }

        public EquatableArray<string> GlobalAliases { get; }

        /// <summary>Every candidate of the compilation, tree by tree (see <see cref="DeclarationScan.CandidatesFor"/>).</summary>
        public ImmutableArray<TypeDeclarationSyntax> CandidatesFor(AttributeNames names)
        {
            var candidates = ImmutableArray.CreateBuilder<TypeDeclarationSyntax>();
            foreach (var scan in _scans)
            {
                if (!scan.Attributed.IsEmpty)
                {
                    candidates.AddRange(scan.CandidatesFor(names, GlobalAliases));
                }
            }

            return candidates.ToImmutable();
        }

        public TargetKey KeyFor(TypeDeclarationSyntax node, CompilationEnvironment environment) => new(node, this, Global, environment);

        /// <summary>
        /// The trees <paramref name="node"/>'s declaration can reach: its own, every tree that declares a type named by
        /// a name it mentions, and so on from those, in tree order.
        /// </summary>
        public SyntaxTree[] ClosureOf(TypeDeclarationSyntax node)
        {
            var start = _treeIndex[node.SyntaxTree];
            var reached = new HashSet<int> { start };
            var queue = new Queue<int>();
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                foreach (var name in _scans[queue.Dequeue()].GetMentioned(CancellationToken.None))
                {
                    if (_declaring.TryGetValue(name, out var trees))
                    {
                        foreach (var tree in trees)
                        {
                            if (reached.Add(tree))
                            {
                                queue.Enqueue(tree);
                            }
                        }
                    }
                }
            }

            return reached.OrderBy(i => i).Select(i => _scans[i].Tree).ToArray();
        }

        public bool Equals(DeclarationIndex? other) => other is not null && _scans.SequenceEqual(other._scans);

        public override bool Equals(object? obj) => Equals(obj as DeclarationIndex);

        public override int GetHashCode() => _scans.Length;
    }

    /// <summary>The compilation-wide inputs of binding that are not syntax: options, assembly name, references.</summary>
    private sealed class CompilationEnvironment : IEquatable<CompilationEnvironment>
    {
        private readonly CompilationOptions _options;
        private readonly string? _assemblyName;
        private readonly ImmutableArray<MetadataReference> _references;

        public CompilationEnvironment(Compilation compilation)
        {
            _options = compilation.Options;
            _assemblyName = compilation.AssemblyName;
            _references = compilation.ExternalReferences;
        }

        public bool Equals(CompilationEnvironment? other) =>
            ReferenceEquals(this, other)
            || (other is not null
            && _assemblyName == other._assemblyName
            && SameObjects(_references, other._references)
            && _options.Equals(other._options));

        public override bool Equals(object? obj) => Equals(obj as CompilationEnvironment);

        public override int GetHashCode() => _references.Length;
    }

    /// <summary>Everything one target's binding can depend on (see the remarks of <see cref="AttributeTargets"/>).</summary>
    private sealed class TargetKey : IEquatable<TargetKey>
    {
        private readonly string _global;
        private readonly CompilationEnvironment _environment;
        private DeclarationIndex? _index;
        private SyntaxTree[]? _closure;

        public TargetKey(TypeDeclarationSyntax node, DeclarationIndex index, string global, CompilationEnvironment environment)
        {
            Node = node;
            _index = index;
            _global = global;
            _environment = environment;
        }

        public TypeDeclarationSyntax Node { get; }

        public bool Equals(TargetKey? other) =>
            ReferenceEquals(this, other)
            || (other is not null
            && ReferenceEquals(Node, other.Node)
            && _global == other._global
            && _environment.Equals(other._environment)
            && SameObjects(Closure(), other.Closure()));

        public override bool Equals(object? obj) => Equals(obj as TargetKey);

        public override int GetHashCode() => Node.GetHashCode();

        // The trees in reach, found the first time a key is compared: a full run only creates keys, so it reads no
        // file's names; the first edit after it does, once (a scan keeps its names while its tree is the same). The
        // index goes once the closure is known, so a cached key does not keep an old compilation's trees.
        private SyntaxTree[] Closure()
        {
            if (Volatile.Read(ref _closure) is { } closure)
            {
                return closure;
            }

            if (Volatile.Read(ref _index) is not { } index)
            {
                return Volatile.Read(ref _closure)!;
            }

            closure = index.ClosureOf(Node);
            Volatile.Write(ref _closure, closure);
            Volatile.Write(ref _index, null);
            return closure;
        }
    }

    /// <summary>Compares the keys only: a pair whose key is the same is not bound again with the new compilation.</summary>
    private sealed class KeyOnlyComparer : IEqualityComparer<(TargetKey Left, WeakReference<Compilation> Right)>
    {
        public static readonly KeyOnlyComparer Instance = new();

        public bool Equals((TargetKey Left, WeakReference<Compilation> Right) x, (TargetKey Left, WeakReference<Compilation> Right) y) => x.Left.Equals(y.Left);

        public int GetHashCode((TargetKey Left, WeakReference<Compilation> Right) obj) => obj.Left.GetHashCode();
    }

    private sealed class ReferenceEqualityComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceEqualityComparer Instance = new();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
