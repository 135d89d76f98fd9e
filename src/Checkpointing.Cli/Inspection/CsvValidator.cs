using System.Globalization;
using System.Text;
using Checkpointing.Cli.Json;
using Checkpointing.Lsi;

namespace Checkpointing.Cli.Inspection;

/// <summary>What <see cref="CsvValidator"/> checks beyond the file's own structure.</summary>
/// <param name="Template">Columns the header must follow (a template may have more: LSI files use a subset, in template order).</param>
/// <param name="KeyColumn">The column whose values must be unique and present; <c>ISBN or SKU</c> when the file has it.</param>
/// <param name="CodeLists">
/// Columns whose values must come from a list given with <c>--codes</c>; such a column is checked against that list
/// instead of the LSI code list built into the runtime (<see cref="LsiCodeLists"/>).
/// </param>
internal sealed record CsvRules(IReadOnlyList<string>? Template, string? KeyColumn, IReadOnlyDictionary<string, HashSet<string>> CodeLists);

/// <summary>
/// Checks an LSI or cumulative checkpoint CSV: header against a template, field counts, quoting, a row torn by
/// a crash, unique keys, and LSI field formats (ISBN check digits, prices, discounts, dates) through the
/// runtime's <see cref="LsiFormats"/>, LSI's field rules through the runtime's <see cref="LsiFieldRules"/> (its built-in
/// code lists, lengths, ages, each contributor with a role), spreadsheet formulas, and code lists given with
/// <c>--codes</c>. Every finding names the line.
/// </summary>
internal static class CsvValidator
{
    public const string LsiKeyColumn = "ISBN or SKU";

    private enum CellRule
    {
        None,
        Isbn,
        UsdPrice,
        Price,
        Percent,
        Date,
    }

    public static CheckedEntry Validate(string path, CsvRules rules, Findings findings, CancellationToken cancellationToken)
    {
        using var file = CsvFile.Open(path);
        path = file.Path;
        if (file.Bytes.Length == 0)
        {
            findings.Add(Finding.Error(path, "the file is empty (not even a header)", line: 1));
            return new CheckedEntry("csv", path, "empty");
        }

        var headers = file.Headers;
        var isLsi = rules.Template is not null || headers.Contains(LsiKeyColumn);
        CheckHeader(path, headers, rules.Template, findings);
        var keyColumn = rules.KeyColumn ?? (headers.Contains(LsiKeyColumn) ? LsiKeyColumn : null);
        var keyIndex = -1;
        if (keyColumn is not null)
        {
            keyIndex = IndexOf(headers, keyColumn);
            if (keyIndex < 0)
            {
                throw new UsageException($"Key column '{keyColumn}' is not in the header of '{path}'.");
            }
        }

        var cellRules = headers.Select(h => isLsi ? RuleOf(h) : CellRule.None).ToArray();
        var codeLists = headers.Select(h => rules.CodeLists.TryGetValue(h, out var codes) ? codes : null).ToArray();
        var fieldRules = isLsi ? LsiRules.For(headers, rules.CodeLists) : null;
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var cumulative = System.IO.Path.GetFileName(path).StartsWith("cumulative_checkpoint_", StringComparison.Ordinal);
        var reader = file.Reader;
        var rows = 0;
        long recordNumber = 1;
        var lastLine = 1;
        var torn = false;
        while (reader.Read())
        {
            recordNumber++;
            if ((recordNumber & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var line = (int)reader.LineNumber;
            lastLine = line;
            var isLast = reader.ByteOffset + reader.RawRecord.Length >= file.Bytes.Length - 2;
            if (file.MalformedReason(recordNumber) is { } reason)
            {
                if (isLast && (!file.EndsWithLineBreak || reason == CsvHelper.CsvMalformedReason.UnterminatedQuote))
                {
                    torn = true;
                    break;
                }

                findings.Add(Finding.Error(path, $"malformed quoting ({Describe(reason)})", line: line));
                continue;
            }

            if (reader.FieldCount != headers.Count)
            {
                if (isLast && !file.EndsWithLineBreak)
                {
                    torn = true;
                    break;
                }

                findings.Add(Finding.Error(path, $"the row has {reader.FieldCount} field(s); the header has {headers.Count}", line: line));
                continue;
            }

            rows++;
            string? key = null;
            if (keyIndex >= 0)
            {
                key = reader.GetString(keyIndex).Trim();
                if (cellRules[keyIndex] == CellRule.Isbn)
                {
                    key = LsiFormats.NormalizeIsbn(key);
                }

                if (key.Length == 0)
                {
                    findings.Add(Finding.Error(path, "the key is empty", line: line, column: keyColumn));
                }
                else if (!keys.TryAdd(key, line))
                {
                    findings.Add(Finding.Error(path, $"key '{key}' is also on line {keys[key]}", line: line, key: key, column: keyColumn));
                }
            }

            for (var i = 0; i < headers.Count; i++)
            {
                var raw = reader.GetSpan(i);
                if (raw.IsEmpty)
                {
                    continue;
                }

                if (raw[0] is (byte)'=' or (byte)'@' || (raw[0] is (byte)'+' or (byte)'-' && raw.Length > 1 && !IsNumberStart(raw[1])))
                {
                    findings.Add(Finding.Warning(path, $"the value starts with '{(char)raw[0]}': a spreadsheet runs it as a formula (the LSI writer escapes it with a leading ')", line: line, key: key, column: headers[i]));
                }

                if (cellRules[i] == CellRule.None && codeLists[i] is null)
                {
                    continue;
                }

                var value = Encoding.UTF8.GetString(raw);
                if (cellRules[i] != CellRule.None && CheckCell(cellRules[i], value) is { } problem)
                {
                    findings.Add(Finding.Error(path, problem, line: line, key: key, column: headers[i]));
                }

                if (codeLists[i] is { } codes && !codes.Contains(value.Trim()))
                {
                    findings.Add(Finding.Error(path, $"'{value.Trim()}' is not in the code list of this column", line: line, key: key, column: headers[i]));
                }
            }

            fieldRules?.Check(reader, path, line, key, findings);
        }

        if (torn || !file.EndsWithLineBreak)
        {
            var message = cumulative
                ? "the last row is not whole (no line break, or a quote never closed): a row cut by a crash; opening the checkpoint trims it"
                : "the last row is not whole (no line break, or a quote never closed): the file was cut short (batch files are written atomically, so this one was copied or edited)";
            findings.Add(cumulative ? Finding.Warning(path, message, line: lastLine) : Finding.Error(path, message, line: lastLine));
        }

        var summary = $"{rows.ToString("#,0", CultureInfo.InvariantCulture)} row(s), {headers.Count} column(s)"
            + (keyColumn is null ? "" : $", key '{keyColumn}'") + (rules.Template is null ? "" : ", against the template");
        return new CheckedEntry("csv", path, summary);
    }

    private static void CheckHeader(string path, IReadOnlyList<string> headers, IReadOnlyList<string>? template, Findings findings)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(headers[i]))
            {
                findings.Add(Finding.Error(path, $"column {i + 1} of the header has no name", line: 1));
            }
            else if (!seen.TryAdd(headers[i], i))
            {
                findings.Add(Finding.Error(path, $"column '{headers[i]}' appears twice in the header (columns {seen[headers[i]] + 1} and {i + 1})", line: 1, column: headers[i]));
            }
        }

        if (template is null)
        {
            return;
        }

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < template.Count; i++)
        {
            positions.TryAdd(template[i], i);
        }

        var previous = -1;
        string? previousName = null;
        foreach (var name in headers)
        {
            if (!positions.TryGetValue(name, out var position))
            {
                var near = template.MinBy(t => LsiFieldRules.EditDistance(t, name, int.MaxValue));
                findings.Add(Finding.Error(path, $"column '{name}' is not in the template" + (near is not null && LsiFieldRules.EditDistance(near, name, int.MaxValue) <= 3 ? $"; did you mean '{near}'?" : ""), line: 1, column: name));
                continue;
            }

            if (position < previous)
            {
                findings.Add(Finding.Error(path, $"column '{name}' comes after '{previousName}', but the template has it before", line: 1, column: name));
            }

            previous = Math.Max(previous, position);
            previousName = name;
        }

        var missing = template.Where(t => !seen.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            findings.Add(Finding.Warning(path,
                $"the file has {headers.Count} of the template's {template.Count} columns; missing: {string.Join(", ", missing.Take(12).Select(m => $"'{m}'"))}{(missing.Count > 12 ? $" and {missing.Count - 12} more" : "")}",
                line: 1));
        }
    }

    private static CellRule RuleOf(string column)
    {
        if (column.Contains("ISBN", StringComparison.OrdinalIgnoreCase))
        {
            return CellRule.Isbn;
        }

        if (column.Contains("Discount", StringComparison.OrdinalIgnoreCase))
        {
            return CellRule.Percent;
        }

        if (column.Contains("Price", StringComparison.OrdinalIgnoreCase))
        {
            return column.StartsWith("US Suggested", StringComparison.OrdinalIgnoreCase) ? CellRule.UsdPrice : CellRule.Price;
        }

        return column.EndsWith(" Date", StringComparison.OrdinalIgnoreCase) ? CellRule.Date : CellRule.None;
    }

    private static string? CheckCell(CellRule rule, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            switch (rule)
            {
                case CellRule.Isbn:
                    return LsiFormats.TryValidateIsbn(value, out var error) ? null : error;
                case CellRule.UsdPrice:
                    return LsiFormats.ParseUsdPrice(value) < 0 ? $"'{value}' is a negative price" : null;
                case CellRule.Price:
                    var trimmed = value.Trim();
                    var number = trimmed.Length > 0 && CharUnicodeInfo.GetUnicodeCategory(trimmed[0]) == UnicodeCategory.CurrencySymbol ? trimmed[1..] : trimmed;
                    return LsiFormats.ParseDecimal(number) < 0 ? $"'{value}' is a negative price" : null;
                case CellRule.Percent:
                    return LsiFormats.ParsePercent(value) is < 0 or > 100 ? $"'{value}' is not between 0% and 100%" : null;
                case CellRule.Date:
                    LsiFormats.ParseDate(value);
                    return null;
                default:
                    return null;
            }
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static bool IsNumberStart(byte b) => b is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)' ';

    private static string Describe(CsvHelper.CsvMalformedReason reason) => reason switch
    {
        CsvHelper.CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
        CsvHelper.CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvHelper.CsvMalformedReason.UnterminatedQuote => "a quoted field that is never closed",
        CsvHelper.CsvMalformedReason.LineBreakInQuotes => "a line break inside quotes",
        _ => reason.ToString(),
    };

    private static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// LSI's field rules on a CSV row, as the generated <c>Validate()</c> checks a record: the runtime's
/// <see cref="LsiFieldRules"/> over the columns of the header (the built-in code lists of <c>Rendition /Booktype</c>,
/// <c>Returnable</c>, <c>Language Code</c> and the contributor roles, lengths, ages, each contributor with a role).
/// A column given a list with <c>--codes</c> is left to that list.
/// </summary>
internal sealed class LsiRules
{
    private readonly LsiFieldRules _rules;
    private readonly Dictionary<string, int> _columns;
    private readonly List<LsiValidationError> _errors = [];

    private LsiRules(LsiFieldRules rules, Dictionary<string, int> columns) => (_rules, _columns) = (rules, columns);

    /// <summary>The rules of a header, or <see langword="null"/> when it has none of the columns they check.</summary>
    public static LsiRules? For(IReadOnlyList<string> headers, IReadOnlyDictionary<string, HashSet<string>> overridden)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            if (!overridden.ContainsKey(headers[i]) && RuleColumns.Contains(headers[i]))
            {
                columns.TryAdd(headers[i], i);
            }
        }

        return columns.Count == 0
            ? null
            : new LsiRules(LsiFieldRules.For(columns.Keys.Select(c => new LsiColumnInfo(c, c, LsiFormat.Default, Required: false)).ToList(), unmappedMember: null), columns);
    }

    /// <summary>Adds an error finding for each rule the current row breaks.</summary>
    public void Check(CsvHelper.CsvReader reader, string path, int line, string? key, Findings findings)
    {
        _errors.Clear();
        _rules.Check(_errors, key ?? $"line {line}", column => _columns.TryGetValue(column, out var index) ? reader.GetString(index) : null);
        foreach (var error in _errors)
        {
            var value = error.Value is null ? "" : $"'{error.Value}' ";
            findings.Add(Finding.Error(path, value + error.Message, line: line, key: key, column: error.Column));
        }
    }

    // The columns LsiFieldRules reads (docs/lsi.md, "Validation LSI would otherwise do for you").
    private static readonly HashSet<string> RuleColumns = new(StringComparer.Ordinal)
    {
        "Short Description", "Annotation / Summary", "Rendition /Booktype", "Returnable", "Language Code",
        "Contributor One", "Contributor One Role", "Contributor Two", "Contributor Two Role",
        "Contributor Three", "Contributor Three Role", "Min Age", "Max Age",
    };
}
