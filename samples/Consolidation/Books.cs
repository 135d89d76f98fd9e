using System.Globalization;

namespace Consolidation;

/// <summary>The input books: <c>&lt;root&gt;/books/book_001.md</c> and so on, created when missing (never overwritten).</summary>
public static class Books
{
    private static readonly string[] Topics =
    [
        "feature stores", "model monitoring", "data contracts", "batch inference", "prompt versioning",
        "evaluation harnesses", "cost dashboards", "retrieval indexes", "GPU scheduling", "schema evolution",
    ];

    public static IReadOnlyList<string> Ensure(string root, int count)
    {
        var directory = Path.Combine(root, "books");
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"book_{i:000}.md"));
            if (!File.Exists(path))
            {
                var topic = Topics[i % Topics.Length];
                File.WriteAllText(path, $"# Book {i}: Machine Learning Systems, volume {i}\n\nChapters on {topic} and {Topics[(i * 7) % Topics.Length]}.\n");
            }

            paths.Add(Path.GetFullPath(path));
        }

        return paths;
    }

    /// <summary>The book's identity in the state: its file name without extension.</summary>
    public static string IdOf(string path) => Path.GetFileNameWithoutExtension(path);
}
