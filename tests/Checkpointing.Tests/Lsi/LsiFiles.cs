using System.Text;
using CsvHelper;

namespace Checkpointing.Tests.Lsi;

/// <summary>Where the LSI fixtures are: ours (committed) and the publisher's real files (never copied in).</summary>
internal static class LsiFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Fixture(string name) => Path.Combine(RepositoryRoot, "tests", "Checkpointing.Tests", "Lsi", "Fixtures", name);

    /// <summary>The publisher's real files (codexes-factory) beside the repository, or null when they are not there.</summary>
    public static string? External { get; } = FindExternal();

    public const string SkipMessage =
        "Skipped: the real LSI files (../shared/external/codexes-factory beside the repository) are not on this machine; CI has them.";

    /// <summary>Every record of a CSV as its raw cells, header first (the reference reading of a file).</summary>
    public static List<string[]> Cells(byte[] file)
    {
        var rows = new List<string[]>();
        using var reader = CsvReader.Create(file, CsvReaderOptions.Default with { HasHeader = false });
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.GetString(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Generators.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindExternal()
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "external", "codexes-factory"));
        return Directory.Exists(path) ? path : null;
    }
}

/// <summary>A test on the publisher's real files: skipped, saying why, when they are not on the machine.</summary>
public sealed class RealLsiFilesFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the files are missing.</summary>
    public RealLsiFilesFactAttribute()
    {
        if (LsiFiles.External is null)
        {
            Skip = LsiFiles.SkipMessage;
        }
    }
}
