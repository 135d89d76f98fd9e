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

    /// <summary>
    /// The .NET date format (invariant culture) of every date column that names none itself, such as <c>M/d/yy</c>
    /// to write a file exactly as LSI's own files and spreadsheets write dates. Defaults to <c>yyyy-MM-dd</c>.
    /// Reading accepts this format and every format of <see cref="LsiFormats.ParseDate(string)"/>.
    /// </summary>
    public string? DateFormat { get; set; }
}

/// <summary>
/// Marks the one <c>Dictionary&lt;string, string&gt;</c> property of an <see cref="LsiRecordAttribute"/> type that
/// holds every template column no member maps: reading fills it with those cells (keyed by column name), writing
/// puts them back in their columns, so a file read and written back changes only the cells the code changed.
/// Needs a template. A key that is not an unmapped column of the template is a <c>Validate()</c> error.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class LsiUnmappedColumnsAttribute : Attribute
{
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

    /// <summary>
    /// The .NET date format (invariant culture) this date column is written with, such as <c>M/d/yy</c>; defaults to
    /// the record's <see cref="LsiRecordAttribute.DateFormat"/>, else <c>yyyy-MM-dd</c>. Reading accepts it and every
    /// format of <see cref="LsiFormats.ParseDate(string)"/>.
    /// </summary>
    public string? DateFormat { get; set; }
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

    /// <summary>
    /// A US dollar price, written as LSI takes it: a bare number with two decimals, <c>24.95</c>. Read with or
    /// without a leading currency symbol (<c>$24.95</c>) and surrounding spaces.
    /// </summary>
    UsdPrice = 3,

    /// <summary>
    /// A discount or other percentage as a number of percent, written bare as LSI takes it: <c>40</c> for 40%. Read
    /// with or without <c>%</c>.
    /// </summary>
    Percent = 4,

    /// <summary>
    /// A date, written <c>yyyy-MM-dd</c> unless the column or record names a <c>DateFormat</c>; read as any format of
    /// <see cref="LsiFormats.ParseDate(string)"/>.
    /// </summary>
    Date = 5,

    /// <summary>A yes/no field, <c>Yes</c> or <c>No</c>.</summary>
    YesNo = 6,

    /// <summary>A plain number with the invariant culture (weights, sizes).</summary>
    Decimal = 7,

    /// <summary>
    /// A price in any currency (the UK, EU, AU, CA and other list price columns), written like
    /// <see cref="UsdPrice"/>: <c>18.95</c>. Read with or without a leading currency symbol (<c>£18.95</c>,
    /// <c>€21.95</c>, <c>A$38.95</c>).
    /// </summary>
    Price = 8,
}
