using Checkpointing.Cli.Json;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Collects findings, counting all of them but keeping at most <see cref="Limit"/> per file, so a folder of
/// 100,000 missing outputs gives a readable report (and a last finding that says how many were left out).
/// </summary>
internal sealed class Findings
{
    public const int Limit = 200;

    private readonly List<Finding> _items = [];
    private readonly Dictionary<string, int> _perFile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _omitted = new(StringComparer.Ordinal);

    public int Errors { get; private set; }

    public int Warnings { get; private set; }

    public void Add(Finding finding)
    {
        if (finding.Severity == "error")
        {
            Errors++;
        }
        else if (finding.Severity == "warning")
        {
            Warnings++;
        }

        var count = _perFile.GetValueOrDefault(finding.File);
        _perFile[finding.File] = count + 1;
        if (count < Limit)
        {
            _items.Add(finding);
        }
        else
        {
            _omitted[finding.File] = _omitted.GetValueOrDefault(finding.File) + 1;
        }
    }

    public IReadOnlyList<Finding> ToList()
    {
        var all = new List<Finding>(_items);
        foreach (var (file, omitted) in _omitted)
        {
            all.Add(Finding.Info(file, $"{omitted} more finding(s) in this file are not listed (the counts include them)"));
        }

        return all;
    }
}
