using System.Globalization;
using System.Text;

namespace Checkpointing.CrashTests.Support;

/// <summary>Counts of the reliability suite: what was tested, and the violations, which must all be zero.</summary>
internal sealed class Figures
{
    private readonly object _sync = new();
    private readonly Dictionary<string, long> _tested = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _violations = new(StringComparer.Ordinal);
    private readonly List<string> _seeds = [];
    private readonly List<string> _examples = [];

    /// <summary>The violation counters, in the order of the table.</summary>
    public static readonly string[] ViolationNames =
    [
        Violation.ItemsLost,
        Violation.MarkedWithoutOutput,
        Violation.BadOutputsAccepted,
        Violation.UnreadableCheckpoints,
        Violation.UnreadableBackups,
        Violation.TornTailNotTruncated,
        Violation.CostMismatches,
        Violation.DuplicateCsvRows,
        Violation.MissingCsvRows,
        Violation.LeftoverTempFiles,
        Violation.RecoveryNotIdempotent,
        Violation.NoProgress,
        Violation.OutputsBeforeFreshStart,
        Violation.FinalDiffersFromReference,
        Violation.FsyncRetriedOnStaleData,
        Violation.UnclearErrors,
    ];

    public void Tested(string what, long count = 1)
    {
        lock (_sync)
        {
            _tested[what] = _tested.GetValueOrDefault(what) + count;
        }
    }

    public void Violated(string what, string detail, long count = 1)
    {
        lock (_sync)
        {
            _violations[what] = _violations.GetValueOrDefault(what) + count;
            if (_examples.Count < 50)
            {
                _examples.Add($"{what}: {detail}");
            }
        }
    }

    public void Seed(string line)
    {
        lock (_sync)
        {
            _seeds.Add(line);
        }
    }

    public long ViolationCount(string what)
    {
        lock (_sync)
        {
            return _violations.GetValueOrDefault(what);
        }
    }

    public IReadOnlyList<string> Examples
    {
        get
        {
            lock (_sync)
            {
                return _examples.ToList();
            }
        }
    }

    public long TotalViolations
    {
        get
        {
            lock (_sync)
            {
                return _violations.Values.Sum();
            }
        }
    }

    /// <summary>Adds another set of figures into this one.</summary>
    public void Add(Figures other)
    {
        lock (other._sync)
        {
            foreach (var (k, v) in other._tested)
            {
                Tested(k, v);
            }

            foreach (var (k, v) in other._violations)
            {
                lock (_sync)
                {
                    _violations[k] = _violations.GetValueOrDefault(k) + v;
                }
            }

            lock (_sync)
            {
                _seeds.AddRange(other._seeds);
                _examples.AddRange(other._examples.Take(Math.Max(0, 50 - _examples.Count)));
            }
        }
    }

    public string ToMarkdown(string title)
    {
        lock (_sync)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
            text.AppendLine();
            text.AppendLine("| tested | count |");
            text.AppendLine("|---|---:|");
            foreach (var (k, v) in _tested.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {v:N0} |");
            }

            text.AppendLine();
            text.AppendLine("| must be zero | count |");
            text.AppendLine("|---|---:|");
            foreach (var name in ViolationNames)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {_violations.GetValueOrDefault(name):N0} |");
            }

            if (_seeds.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("Seeds and parameters:");
                foreach (var seed in _seeds)
                {
                    text.AppendLine("- " + seed);
                }
            }

            if (_examples.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("First violations:");
                foreach (var example in _examples)
                {
                    text.AppendLine("- " + example);
                }
            }

            return text.ToString();
        }
    }
}

/// <summary>Names of the violation counters.</summary>
internal static class Violation
{
    public const string ItemsLost = "items lost (confirmed, then not complete)";
    public const string MarkedWithoutOutput = "items marked complete without a valid output";
    public const string BadOutputsAccepted = "bad outputs accepted";
    public const string UnreadableCheckpoints = "unreadable checkpoints";
    public const string UnreadableBackups = "backups (.bak) unreadable after a crash";
    public const string TornTailNotTruncated = "torn journal tails left or skipped over";
    public const string CostMismatches = "cost mismatches";
    public const string DuplicateCsvRows = "duplicate CSV rows";
    public const string MissingCsvRows = "missing or extra CSV rows";
    public const string LeftoverTempFiles = "leftover temp files after the next start";
    public const string RecoveryNotIdempotent = "recoveries that differ when run twice";
    public const string NoProgress = "restarts without progress or with redone confirmed work";
    public const string OutputsBeforeFreshStart = "outputs older than a fresh start that had begun";
    public const string FinalDiffersFromReference = "final states that differ from the reference";
    public const string FsyncRetriedOnStaleData = "fsyncs retried over data a failed fsync dropped";
    public const string UnclearErrors = "failures without a clear error";
}
