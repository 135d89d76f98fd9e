using System.Globalization;
using System.Text;

namespace Checkpointing.CrashTests.Support;

/// <summary>
/// Collects the figures of every reliability test and writes them as a table to
/// <c>reliability-report.md</c> beside the test assembly (rewritten after each test, so it is complete
/// when the run ends). <c>CRASH_MULTIPLIER</c> scales the counts for a long run.
/// </summary>
public sealed class ReliabilityReport
{
    private readonly object _sync = new();
    private readonly List<(string Title, Figures Figures, TimeSpan Duration)> _sections = [];

    public ReliabilityReport()
    {
        var value = Environment.GetEnvironmentVariable("CRASH_MULTIPLIER");
        Multiplier = string.IsNullOrEmpty(value) ? 1 : int.Parse(value, CultureInfo.InvariantCulture);
        if (Multiplier < 1)
        {
            throw new InvalidOperationException($"CRASH_MULTIPLIER must be a positive integer, not '{value}'.");
        }

        var seed = Environment.GetEnvironmentVariable("CRASH_SEED");
        BaseSeed = string.IsNullOrEmpty(seed) ? Random.Shared.Next(1, int.MaxValue / 2) : int.Parse(seed, CultureInfo.InvariantCulture);
    }

    /// <summary>How many times the default counts are run.</summary>
    public int Multiplier { get; }

    /// <summary>The seed every random part derives from (set <c>CRASH_SEED</c> to replay a run).</summary>
    public int BaseSeed { get; }

    public static string ReportPath => Path.Combine(AppContext.BaseDirectory, "reliability-report.md");

    internal string Record(string title, Figures figures, TimeSpan duration)
    {
        lock (_sync)
        {
            _sections.RemoveAll(s => s.Title == title);
            _sections.Add((title, figures, duration));
            var text = Render();
            File.WriteAllText(ReportPath, text);
            return text;
        }
    }

    /// <summary>
    /// Adds <paramref name="figures"/> to the section <paramref name="title"/>, for tests that each keep a
    /// tally of their own (so that a violation fails only the test that found it) but share one section.
    /// </summary>
    internal void Accumulate(string title, Figures figures)
    {
        lock (_sync)
        {
            var index = _sections.FindIndex(s => s.Title == title);
            var total = new Figures();
            if (index >= 0)
            {
                total.Add(_sections[index].Figures);
                _sections.RemoveAt(index);
            }

            total.Add(figures);
            _sections.Add((title, total, TimeSpan.Zero));
            File.WriteAllText(ReportPath, Render());
        }
    }

    private string Render()
    {
        var total = new Figures();
        foreach (var (_, figures, _) in _sections)
        {
            total.Add(figures);
        }

        var text = new StringBuilder();
        text.AppendLine("# Reliability report");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"CRASH_MULTIPLIER={Multiplier}, CRASH_SEED={BaseSeed}, written {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores.");
        text.AppendLine();
        text.AppendLine(total.ToMarkdown("All tests").Split("Seeds and parameters:")[0].TrimEnd());
        text.AppendLine();
        foreach (var (title, figures, duration) in _sections)
        {
            text.AppendLine(figures.ToMarkdown($"{title} ({duration.TotalSeconds:0.0} s)"));
        }

        return text.ToString();
    }
}

[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityReport>
{
    /// <summary>One collection: the tests share the report and run one after another (the machine has 2 cores).</summary>
    public const string Name = "reliability";
}
