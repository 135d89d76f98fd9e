namespace Checkpointing.Lsi;

/// <summary>
/// Marks a <c>partial</c> class as one row of a Lightning Source (LSI / IngramSpark) ACS CSV. The source
/// generator adds a CsvHelper record writer and mapper (registered when the assembly loads, so
/// <c>WriteRecords</c>, <c>WriteRecord</c> and <c>GetRecords&lt;T&gt;()</c> work), the LSI dialect as the
/// type's CsvHelper options, <c>Validate()</c> and the static <c>LsiColumns</c> list.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LsiRecordAttribute : Attribute
{
    /// <summary>
    /// The file name of an <c>AdditionalFiles</c> item whose first line is the LSI header, such as
    /// <c>lsi_acs_template.csv</c>. With a template, rows have every template column in template order and
    /// each <see cref="LsiColumnAttribute"/> name is checked against it at compile time. Without one, rows
    /// have the mapped columns in declaration order.
    /// </summary>
    public string? Template { get; set; }

    /// <summary>
    /// Whether text fields that start with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> are escaped so that a
    /// spreadsheet shows them as text (CsvHelper's <c>CsvInjection.Escape</c>). Defaults to <see langword="true"/>.
    /// </summary>
    public bool EscapeInjection { get; set; } = true;
}

/// <summary>Maps a property or field of an <see cref="LsiRecordAttribute"/> type to an LSI column.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class LsiColumnAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The column name exactly as in the LSI header, such as <c>ISBN or SKU</c>.</param>
    public LsiColumnAttribute(string name) => Name = name;

    /// <summary>The column name exactly as in the LSI header.</summary>
    public string Name { get; }

    /// <summary>Whether <c>Validate()</c> reports the column when it is empty.</summary>
    public bool Required { get; set; }

    /// <summary>How the value is written and read; <see cref="LsiFormat.Default"/> picks the format of the member type.</summary>
    public LsiFormat Format { get; set; }

    /// <summary>The largest length of the text of the column that <c>Validate()</c> accepts; 0 for no limit.</summary>
    public int MaxLength { get; set; }
}

/// <summary>How an LSI column is written and read back.</summary>
public enum LsiFormat
{
    /// <summary>The format of the member type: text as it is, numbers as invariant decimals, dates <c>yyyy-MM-dd</c>, booleans <c>Yes</c>/<c>No</c>.</summary>
    Default = 0,

    /// <summary>Text written as it is.</summary>
    Text = 1,

    /// <summary>An ISBN: hyphens and spaces stripped when written; an ISBN-13 check digit is validated.</summary>
    Isbn = 2,

    /// <summary>A US dollar price, <c>$24.99</c>.</summary>
    UsdPrice = 3,

    /// <summary>A percentage given as a number of percent, <c>40%</c> for 40.</summary>
    Percent = 4,

    /// <summary>A date, <c>yyyy-MM-dd</c>.</summary>
    Date = 5,

    /// <summary>A yes/no field, <c>Yes</c> or <c>No</c>.</summary>
    YesNo = 6,

    /// <summary>A plain number with the invariant culture (other currencies' prices, weights, sizes).</summary>
    Decimal = 7,
}
