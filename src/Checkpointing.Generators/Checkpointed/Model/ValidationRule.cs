namespace Checkpointing.Generators.Checkpointed.Model;

/// <summary>One check of the generated validator, from a DataAnnotations attribute on an output property or field.</summary>
/// <param name="Member">The property or field name.</param>
/// <param name="Message">The error message, already formatted as DataAnnotations formats it.</param>
/// <param name="MemberIsNullable">True when the member can hold null (reference type or Nullable&lt;T&gt;): the check skips null.</param>
internal abstract record ValidationRule(string Member, string Message, bool MemberIsNullable);

/// <summary><c>[Required]</c>: not null; for a string, unless <paramref name="AllowEmptyStrings"/>, not empty or white space.</summary>
internal sealed record RequiredRule(string Member, string Message, bool MemberIsNullable, bool MemberIsString, bool AllowEmptyStrings)
    : ValidationRule(Member, Message, MemberIsNullable);

/// <summary><c>[Range]</c>: the value lies between two bounds, each inclusive unless marked exclusive.</summary>
/// <param name="Minimum">The lower bound.</param>
/// <param name="Maximum">The upper bound.</param>
/// <param name="Comparison">The type both sides are compared in, when the member's own type cannot hold the bounds exactly.</param>
internal sealed record RangeRule(
    string Member,
    string Message,
    bool MemberIsNullable,
    RangeBound Minimum,
    RangeBound Maximum,
    bool MinimumIsExclusive,
    bool MaximumIsExclusive,
    RangeComparison Comparison)
    : ValidationRule(Member, Message, MemberIsNullable);

/// <summary>A bound of <c>[Range]</c>: its type and its value in invariant culture.</summary>
/// <param name="Kind">Range(int, int), Range(double, double) or Range(typeof(decimal), "min", "max").</param>
/// <param name="Value">Invariant text: <c>5</c>, <c>0.5</c>, <c>Infinity</c>, <c>-Infinity</c> or <c>NaN</c> for doubles.</param>
internal sealed record RangeBound(RangeBoundKind Kind, string Value);

internal enum RangeBoundKind
{
    Int32,
    Double,
    Decimal,
}

/// <summary>The type a <c>[Range]</c> comparison is made in.</summary>
internal enum RangeComparison
{
    /// <summary>The member's own type.</summary>
    MemberType,

    /// <summary>decimal: a ulong member against int bounds (no implicit conversion between them).</summary>
    Decimal,

    /// <summary>double: a decimal member against double bounds.</summary>
    Double,
}

/// <summary>
/// <c>[StringLength]</c>, <c>[MinLength]</c>, <c>[MaxLength]</c>: the length (or count) lies within the bounds;
/// a null bound is not checked.
/// </summary>
internal sealed record LengthRule(string Member, string Message, bool MemberIsNullable, int? Minimum, int? Maximum, LengthProperty Property)
    : ValidationRule(Member, Message, MemberIsNullable);

/// <summary>What is measured: <c>Length</c> of a string or array, <c>Count</c> of a collection.</summary>
internal enum LengthProperty
{
    Length,
    Count,
}

/// <summary><c>[RegularExpression]</c>: a non-empty value matches <paramref name="Pattern"/> as a whole.</summary>
internal sealed record PatternRule(string Member, string Message, bool MemberIsNullable, string Pattern)
    : ValidationRule(Member, Message, MemberIsNullable);
