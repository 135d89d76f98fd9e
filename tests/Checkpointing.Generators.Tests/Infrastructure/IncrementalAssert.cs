using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Checkpointing.Generators.Tests.Infrastructure;

/// <summary>Checks of the generator's incremental pipeline (NetEscapades.EnumGenerators style).</summary>
public static class IncrementalAssert
{
    /// <summary>
    /// Fails unless every output of every step named in <paramref name="trackingNames"/> is Cached or
    /// Unchanged in <paramref name="result"/>.
    /// </summary>
    public static void AllCachedOrUnchanged(GeneratorDriverRunResult result, params string[] trackingNames)
    {
        var steps = result.Results.SelectMany(r => r.TrackedSteps).Where(s => trackingNames.Contains(s.Key)).ToList();
        Assert.NotEmpty(steps);
        foreach (var (name, runs) in steps)
        {
            foreach (var run in runs)
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step '{name}' output was {reason}, expected Cached or Unchanged.");
                }
            }
        }
    }

    /// <summary>Fails when a step's output holds a Compilation, ISymbol or SyntaxNode (they defeat caching).</summary>
    /// <remarks>
    /// The steps that find the targets (<c>AttributeTargets</c>: scan, index, key) legitimately hold syntax, so
    /// pass the generator's own <paramref name="trackingNames"/> to check only those.
    /// </remarks>
    public static void NoRoslynObjectsInOutputs(GeneratorDriverRunResult result, params string[] trackingNames)
    {
        foreach (var (name, runs) in result.Results.SelectMany(r => r.TrackedSteps).Where(s => trackingNames.Length == 0 || trackingNames.Contains(s.Key)))
        {
            foreach (var run in runs)
            {
                foreach (var (value, _) in run.Outputs)
                {
                    AssertNoRoslynObjects(value, name, 0);
                }
            }
        }
    }

    private static void AssertNoRoslynObjects(object? value, string step, int depth)
    {
        if (value is null || depth > 6)
        {
            return;
        }

        Assert.False(value is Compilation or ISymbol or SyntaxNode, $"Step '{step}' output holds a {value.GetType().Name}.");
        var type = value.GetType();
        if (type.IsPrimitive || value is string || type.IsEnum)
        {
            return;
        }

        // A default ImmutableArray (e.g. inside a DiagnosticDescriptor) throws when enumerated; it holds nothing.
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>)
            && (bool)type.GetProperty("IsDefault")!.GetValue(value)!)
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            foreach (var item in sequence)
            {
                AssertNoRoslynObjects(item, step, depth + 1);
            }

            return;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), step, depth + 1);
        }
    }
}
