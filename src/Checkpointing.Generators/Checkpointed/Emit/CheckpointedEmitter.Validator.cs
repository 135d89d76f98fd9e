using System.Globalization;
using System.Linq;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Shared;
using static Checkpointing.Generators.Shared.GeneratedCode;

namespace Checkpointing.Generators.Checkpointed.Emit;

/// <summary>The generated validator: the typed DataAnnotations rules and the [ValidateOutput] method.</summary>
internal static partial class CheckpointedEmitter
{
    private static void WriteValidator(IndentedWriter writer, CheckpointedStage stage, bool isStatic)
    {
        writer.Line($$"""
            {{Attribute}}
            private {{(isStatic ? "static " : "")}}global::System.Collections.Generic.IReadOnlyList<string> ValidateOutputGenerated({{stage.OutputType}} output)
            """);
        writer.OpenBrace();
        if (stage.OutputIsReferenceType)
        {
            writer.Line("""
                if (output is null)
                {
                    return new[] { "The output is null." };
                }

                """);
        }

        writer.Line("var errors = new global::System.Collections.Generic.List<string>();");
        var pattern = 0;
        var index = 0;
        foreach (var rule in stage.ValidationRules)
        {
            var message = Literal(rule.Message);
            var value = "output." + rule.Member;

            // Pattern variables of an if condition share the method's scope: number them.
            var number = index++;
            var local = "value" + number;
            switch (rule)
            {
                case RequiredRule required:
                    var condition = required.MemberIsString && !required.AllowEmptyStrings
                        ? $"global::System.String.IsNullOrWhiteSpace({value})"
                        : $"{value} is null";
                    writer.Line($"if ({condition})");
                    break;
                case RangeRule range:
                    var cast = range.Comparison switch
                    {
                        RangeComparison.Decimal => "(decimal)",
                        RangeComparison.Double => "(double)",
                        _ => "",
                    };
                    var operand = range.MemberIsNullable ? local : value;
                    var below = range.MinimumIsExclusive ? "<=" : "<";
                    var above = range.MaximumIsExclusive ? ">=" : ">";
                    var test = $"{cast}{operand} {below} {NumberLiteral(range.Minimum)} || {cast}{operand} {above} {NumberLiteral(range.Maximum)}";
                    writer.Line(range.MemberIsNullable ? $"if ({value} is {{ }} {local} && ({test}))" : $"if ({test})");
                    break;
                case LengthRule lengthRule:
                    var length = (lengthRule.MemberIsNullable ? local : value) + "." + lengthRule.Property;
                    var tests = new[]
                    {
                        lengthRule.Minimum is { } minimum ? $"{length} < {minimum.ToString(CultureInfo.InvariantCulture)}" : null,
                        lengthRule.Maximum is { } maximum ? $"{length} > {maximum.ToString(CultureInfo.InvariantCulture)}" : null,
                    }.Where(t => t is not null);
                    var lengthTest = string.Join(" || ", tests);
                    writer.Line(lengthRule.MemberIsNullable ? $"if ({value} is {{ }} {local} && ({lengthTest}))" : $"if ({lengthTest})");
                    break;
                case PatternRule:
                    // Like DataAnnotations: null and empty pass, otherwise the whole string must match.
                    writer.Line($"if ({value} is {{ Length: > 0 }} {local} && ValidateOutputPattern{pattern++}.Match({local}) is var match{number} && !(match{number}.Success && match{number}.Index == 0 && match{number}.Length == {local}.Length))");
                    break;
            }

            writer.OpenBrace();
            writer.Line($"errors.Add({message});");
            writer.CloseBrace();
            writer.Line();
        }

        if (stage.ValidateMethod is { } method)
        {
            if (stage.ValidateReturnsBool)
            {
                writer.Line($$"""
                    if (!{{method}}(output))
                    {
                        errors.Add({{Literal($"The output was rejected by {method}.")}});
                    }

                    """);
            }
            else
            {
                writer.Line($"errors.AddRange({method}(output));");
                writer.Line();
            }
        }

        writer.Line("return errors;");
        writer.CloseBrace();
    }

    private static string NumberLiteral(RangeBound bound) => bound.Kind switch
    {
        RangeBoundKind.Decimal => bound.Value + "m",
        RangeBoundKind.Double => bound.Value switch
        {
            "Infinity" => "global::System.Double.PositiveInfinity",
            "-Infinity" => "global::System.Double.NegativeInfinity",
            "NaN" => "global::System.Double.NaN",
            _ => bound.Value + "d",
        },
        _ => bound.Value,
    };
}
