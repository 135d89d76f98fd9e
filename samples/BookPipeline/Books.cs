using System.Globalization;
using Checkpointing;

namespace BookPipeline;

/// <summary>A book of the tranche, keyed by its ISBN.</summary>
public sealed record BookSpec([property: CheckpointKey] string Isbn, string WorkingTitle, int Index);

/// <summary>Builds a deterministic tranche of books with valid ISBN-13s.</summary>
public static class Tranche
{
    private static readonly string[] Subjects =
        ["Tides", "Ledgers", "Lighthouses", "Orchards", "Engines", "Maps", "Glaciers", "Bridges", "Comets", "Harbours", "Looms", "Archives"];

    private static readonly string[] Angles =
        ["A Field Guide to", "The Quiet History of", "Notes on", "Reading", "The Economics of", "Small Lessons from"];

    public static IReadOnlyList<BookSpec> Create(int count) =>
        Enumerable.Range(1, count).Select(i =>
        {
            var stem = "97819" + (40000 + i).ToString("D7", CultureInfo.InvariantCulture);
            return new BookSpec(stem + IsbnCheckDigit(stem), $"{Angles[i % Angles.Length]} {Subjects[i % Subjects.Length]}", i);
        }).ToList();

    public static char IsbnCheckDigit(string first12)
    {
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (first12[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return (char)('0' + ((10 - (sum % 10)) % 10));
    }
}
