using Checkpointing;

namespace PackageReview;

/// <summary>A package to review: its 1-based number (column A) and its name (the row's key in the workbook).</summary>
public sealed record Package(int Number, [property: CheckpointKey] string Name);

/// <summary>The package list: well-known names first, then generated real-looking ones, always the same for a count.</summary>
public static class Packages
{
    private static readonly string[] Known =
    [
        "requests", "numpy", "pandas", "urllib3", "certifi", "idna", "charset-normalizer", "setuptools", "six", "python-dateutil",
        "pyyaml", "typing-extensions", "packaging", "botocore", "boto3", "s3transfer", "jmespath", "cryptography", "cffi", "pycparser",
        "attrs", "pyasn1", "rsa", "jinja2", "markupsafe", "click", "flask", "werkzeug", "itsdangerous", "django",
        "sqlalchemy", "greenlet", "pytest", "pluggy", "iniconfig", "tomli", "wheel", "pip", "virtualenv", "filelock",
        "platformdirs", "distlib", "protobuf", "grpcio", "google-auth", "cachetools", "pyparsing", "scipy", "matplotlib", "pillow",
    ];

    private static readonly string[] Stems =
    [
        "async", "aio", "fast", "data", "json", "yaml", "http", "crypto", "test", "sql", "cloud", "ml", "geo", "text",
        "image", "auth", "cache", "queue", "log", "config", "schema", "graph", "stream", "pdf", "xml", "time", "net", "mail",
    ];

    private static readonly string[] Suffixes = ["-utils", "-client", "-tools", "lib", "-core", "-parser", "-extras", "-api", "-cli", "-helpers", "kit", "-compat", "-io", "py", "-sdk", "-lite", "-plus", "-async"];

    /// <summary>The first <paramref name="count"/> packages, numbered from 1.</summary>
    public static IReadOnlyList<Package> Take(int count)
    {
        var names = new List<string>(Known);
        foreach (var suffix in Suffixes)
        {
            foreach (var stem in Stems)
            {
                names.Add(stem + suffix);
            }
        }

        if (count > names.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"At most {names.Count} packages can be generated.");
        }

        return names.Take(count).Select((name, i) => new Package(i + 1, name)).ToList();
    }
}
