using System.Text.Json.Serialization;

namespace Consolidation;

/// <summary>
/// The phase's accumulator. <see cref="DoneBooks"/> records which books are folded in (by identity, not a
/// count), so a resumed run skips exactly those, whatever order the folder lists them in.
/// </summary>
public sealed class ConsolidationState
{
    public List<string> DoneBooks { get; set; } = [];

    /// <summary>Recommendation text → the books that proposed it.</summary>
    public SortedDictionary<string, List<string>> Tallies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What the folded books cost (a book redone after a crash is paid again but counted once here).</summary>
    public decimal CostUsd { get; set; }

    public bool Complete { get; set; }

    public ConsolidatedResult? Result { get; set; }

    public void Fold(string book, LlmReply reply)
    {
        foreach (var text in reply.Recommendations)
        {
            if (!Tallies.TryGetValue(text, out var books))
            {
                Tallies[text] = books = [];
            }

            books.Add(book);
        }

        DoneBooks.Add(book);
        CostUsd += reply.CostUsd;
    }

    public ConsolidatedResult BuildResult() => new()
    {
        Books = DoneBooks.Count,
        CostUsd = CostUsd,
        Recommendations = Tallies
            .Select(t => new Recommendation { Text = t.Key, Mentions = t.Value.Count, Books = t.Value.Order(StringComparer.Ordinal).ToList() })
            .OrderByDescending(r => r.Mentions)
            .ThenBy(r => r.Text, StringComparer.Ordinal)
            .ToList(),
    };
}

public sealed class ConsolidatedResult
{
    public int Books { get; set; }

    public decimal CostUsd { get; set; }

    public List<Recommendation> Recommendations { get; set; } = [];
}

public sealed class Recommendation
{
    public string Text { get; set; } = "";

    public int Mentions { get; set; }

    public List<string> Books { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(ConsolidationState))]
[JsonSerializable(typeof(ConsolidatedResult))]
public sealed partial class ConsolidationJsonContext : JsonSerializerContext;
