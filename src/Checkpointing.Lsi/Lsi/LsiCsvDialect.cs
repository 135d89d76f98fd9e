using System.Globalization;
using CsvHelper;

namespace Checkpointing.Lsi;

/// <summary>
/// The CsvHelper options of LSI ACS files. The generated code registers them as the options of each
/// <see cref="LsiRecordAttribute"/> type, so <c>CsvWriterOptions.For&lt;T&gt;()</c> and
/// <c>CsvReaderOptions.For&lt;T&gt;()</c> return them.
/// </summary>
public static class LsiCsvDialect
{
    /// <summary>
    /// Writer options: comma separated RFC 4180, CRLF, UTF-8 with a byte order mark (LSI tools and spreadsheets
    /// read it), invariant culture, and, when <paramref name="escapeInjection"/>, text fields that a spreadsheet
    /// would run as a formula are escaped.
    /// </summary>
    public static CsvWriterOptions CreateWriterOptions(bool escapeInjection = true) =>
        CsvWriterOptions.Default with
        {
            Separator = ',',
            WriteByteOrderMark = true,
            FormatProvider = CultureInfo.InvariantCulture,
            Injection = escapeInjection ? CsvInjection.Escape : CsvInjection.None,
        };

    /// <summary>Reader options: comma separated, header row, invariant culture; a byte order mark is honoured.</summary>
    public static CsvReaderOptions CreateReaderOptions() =>
        CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            FormatProvider = CultureInfo.InvariantCulture,
        };
}
