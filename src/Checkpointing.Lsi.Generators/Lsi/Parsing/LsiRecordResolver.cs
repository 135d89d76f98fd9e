using Checkpointing.Generators.Diagnostics;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Lsi.Model;

namespace Checkpointing.Generators.Lsi.Parsing;

/// <summary>Lays out the columns of a record against its template and checks the mapped names.</summary>
internal static class LsiRecordResolver
{
    public static LsiResolveResult Resolve(LsiRecordSyntaxModel record, EquatableArray<LsiTemplate> templates, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>(record.Diagnostics);
        var columns = new List<LsiColumnModel>();
        foreach (var member in record.Members)
        {
            // A SKU column is fine as text, but an ISBN whose check digit is never checked is found by LSI days later.
            if (member.Kind == LsiMemberKind.String && member.Format == LsiFormatKind.Default
                && member.ColumnName.IndexOf("ISBN", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiIsbnColumnWithoutFormat, member.Location, member.ColumnName, record.Header.TypeName + "." + member.MemberName));
            }
        }

        if (record.Header.Template is null)
        {
            if (record.UnmappedMember is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnmappedColumnsWithoutTemplate, record.UnmappedLocation, record.UnmappedMember, record.Header.TypeName));
            }

            for (var i = 0; i < record.Members.Count; i++)
            {
                columns.Add(new LsiColumnModel(record.Members[i].ColumnName, i));
            }

            // A type whose columns were all rejected already has a diagnostic for each of them.
            if (record.Members.Count == 0 && record.Diagnostics.IsEmpty)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiNoColumns, record.Header.AttributeLocation, record.Header.TypeName));
            }

            return Build(record, columns, diagnostics);
        }

        // Matched by file name: the path of an AdditionalFiles item depends on the machine.
        var template = record.Header.Template == KnownTypeNames.LsiBuiltInAcsTemplate
            ? BuiltInAcs
            : templates.FirstOrDefault(t => string.Equals(t.FileName, record.Header.Template, StringComparison.OrdinalIgnoreCase));
        if (template is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiTemplateNotFound, record.Header.AttributeLocation, record.Header.Template, record.Header.TypeName));
            return Build(record, columns, diagnostics);
        }

        if (template.Error is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiTemplateUnreadable, record.Header.AttributeLocation, record.Header.Template, record.Header.TypeName, template.Error));
            return Build(record, columns, diagnostics);
        }

        var memberByColumn = new Dictionary<string, int>(StringComparer.Ordinal);
        var templateColumns = new HashSet<string>(template.Columns, StringComparer.Ordinal);
        for (var i = 0; i < record.Members.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var member = record.Members[i];
            if (templateColumns.Contains(member.ColumnName))
            {
                memberByColumn[member.ColumnName] = i;
                continue;
            }

            var suggestion = Suggest(member.ColumnName, template.Columns);
            var hint = suggestion is null
                ? "Use a column name exactly as in the template's header row."
                : "Did you mean '" + suggestion + "'?";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LsiUnknownColumn, member.Location, member.ColumnName, record.Header.TypeName + "." + member.MemberName, record.Header.Template, hint));
        }

        foreach (var name in template.Columns)
        {
            columns.Add(new LsiColumnModel(name, memberByColumn.TryGetValue(name, out var index) ? index : -1));
        }

        return Build(record, columns, diagnostics);
    }

    private static readonly LsiTemplate BuiltInAcs = new(
        KnownTypeNames.LsiBuiltInAcsTemplate, new EquatableArray<string>(global::Checkpointing.Lsi.LsiAcsTemplate.Columns), null);

    /// <summary>
    /// The template column closest to <paramref name="name"/>, when it is close enough to be a typo: names that
    /// differ only in case or spacing first, then the smallest edit distance within a third of the length.
    /// </summary>
    internal static string? Suggest(string name, IEnumerable<string> candidates)
    {
        var squeezed = Squeeze(name);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (Squeeze(candidate) == squeezed)
            {
                return candidate;
            }

            var distance = EditDistance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        var limit = Math.Max(2, name.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Squeeze(string name) =>
        new string(name.Where(c => !char.IsWhiteSpace(c)).Select(char.ToUpperInvariant).ToArray());

    private static LsiResolveResult Build(LsiRecordSyntaxModel record, List<LsiColumnModel> columns, List<DiagnosticInfo> diagnostics)
    {
        if (diagnostics.Any(d => d.IsError))
        {
            return new LsiResolveResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new LsiRecordModel(
            record.Header.Namespace,
            record.Header.TypeName,
            record.Header.HintName,
            record.Header.FullyQualifiedName,
            record.Header.IsRecord,
            record.Header.Template,
            record.Header.EscapeInjection,
            record.Header.DateFormat,
            record.UnmappedMember,
            new EquatableArray<LsiMemberModel>(record.Members.Select(m => m with { Location = null })),
            new EquatableArray<LsiColumnModel>(columns));
        return new LsiResolveResult(model, new EquatableArray<DiagnosticInfo>(diagnostics));
    }
}
