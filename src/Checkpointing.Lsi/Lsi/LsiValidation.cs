namespace Checkpointing.Lsi;

/// <summary>One invalid field of an LSI record.</summary>
/// <param name="Record">The record type and, when known, its key, such as <c>LsiBook 9781234567897</c>.</param>
/// <param name="Column">The LSI column.</param>
/// <param name="Member">The property or field.</param>
/// <param name="Value">The offending value as text; <see langword="null"/> when the field is empty.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record LsiValidationError(string Record, string Column, string Member, string? Value, string Message)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Record}: column '{Column}' ({Member}){(Value is null ? "" : $" value '{Value}'")}: {Message}";
}

/// <summary>The outcome of validating an LSI record: every field error, not just the first.</summary>
public sealed class LsiValidationResult
{
    /// <summary>A result without errors.</summary>
    public static LsiValidationResult Valid { get; } = new([]);

    /// <summary>Creates a result.</summary>
    public LsiValidationResult(IReadOnlyList<LsiValidationError> errors) => Errors = errors;

    /// <summary>The field errors, in column order.</summary>
    public IReadOnlyList<LsiValidationError> Errors { get; }

    /// <summary>Whether there are no errors.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>Throws an <see cref="LsiValidationException"/> listing every error when there are any.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new LsiValidationException(Errors);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => IsValid ? "valid" : string.Join(Environment.NewLine, Errors);
}

/// <summary>Thrown by <see cref="LsiValidationResult.ThrowIfInvalid"/>.</summary>
public sealed class LsiValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LsiValidationException(IReadOnlyList<LsiValidationError> errors)
        : base($"The LSI record is not valid ({errors.Count} error(s)):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}") =>
        Errors = errors;

    /// <summary>The field errors.</summary>
    public IReadOnlyList<LsiValidationError> Errors { get; }
}

/// <summary>One column of an LSI record type, as the generator laid it out.</summary>
/// <param name="Name">The column name as in the header.</param>
/// <param name="Member">The mapped property or field; <see langword="null"/> for a template column without a member (written empty).</param>
/// <param name="Format">How the value is written.</param>
/// <param name="Required">Whether <c>Validate()</c> reports it when empty.</param>
public sealed record LsiColumnInfo(string Name, string? Member, LsiFormat Format, bool Required);

/// <summary>Implemented by the generated code of <see cref="LsiRecordAttribute"/> types.</summary>
public interface ILsiRecord
{
    /// <summary>Checks every mapped field (required, ISBN, ranges, lengths) and returns all errors.</summary>
    LsiValidationResult Validate();
}

/// <summary>Helpers called by the generated <c>Validate()</c> methods.</summary>
public static class LsiValidator
{
    /// <summary>Adds an error when <paramref name="value"/> is not a valid ISBN.</summary>
    public static void CheckIsbn(List<LsiValidationError> errors, string record, string column, string member, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !LsiFormats.TryValidateIsbn(value, out var error))
        {
            errors.Add(new LsiValidationError(record, column, member, value, error!));
        }
    }

    /// <summary>Adds an error when the field is empty (<paramref name="isEmpty"/>).</summary>
    public static void CheckRequired(List<LsiValidationError> errors, string record, string column, string member, bool isEmpty)
    {
        if (isEmpty)
        {
            errors.Add(new LsiValidationError(record, column, member, null, "is required but empty"));
        }
    }

    /// <summary>Adds an error when a price or number is negative.</summary>
    public static void CheckNotNegative(List<LsiValidationError> errors, string record, string column, string member, decimal? value)
    {
        if (value < 0)
        {
            errors.Add(new LsiValidationError(record, column, member, LsiFormats.FormatDecimal(value.Value), "must not be negative"));
        }
    }

    /// <summary>Adds an error when a percentage is outside 0 to 100.</summary>
    public static void CheckPercent(List<LsiValidationError> errors, string record, string column, string member, decimal? value)
    {
        if (value is < 0 or > 100)
        {
            errors.Add(new LsiValidationError(record, column, member, LsiFormats.FormatPercent(value.Value), "must be a number of percent between 0 and 100"));
        }
    }

    /// <summary>
    /// Adds an error for each key of an <see cref="LsiUnmappedColumnsAttribute"/> dictionary that is not an unmapped
    /// column of the record's template (a typo, a column of another template, or a column a member maps), since
    /// writing could not put its value anywhere.
    /// </summary>
    public static void CheckUnmappedColumns(List<LsiValidationError> errors, string record, string member, IReadOnlyDictionary<string, string>? values, IReadOnlySet<string> unmappedColumns)
    {
        if (values is null)
        {
            return;
        }

        foreach (var (column, value) in values)
        {
            if (!unmappedColumns.Contains(column))
            {
                errors.Add(new LsiValidationError(record, column, $"{member}[\"{column}\"]", value,
                    "is not an unmapped column of the record's template, so it cannot be written; use a template column name exactly (a mapped column is set through its member)"));
            }
        }
    }

    /// <summary>Adds an error when text is longer than <paramref name="maxLength"/>.</summary>
    public static void CheckMaxLength(List<LsiValidationError> errors, string record, string column, string member, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            errors.Add(new LsiValidationError(record, column, member, value.Length > 40 ? value[..40] + "…" : value, $"is {value.Length} characters long; at most {maxLength} are allowed"));
        }
    }
}
