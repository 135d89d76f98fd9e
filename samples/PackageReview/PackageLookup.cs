using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PackageReview;

/// <summary>
/// A simulated PyPI and vulnerability lookup: latency, transient failures (1 attempt in 12 fails; up to 5 attempts) and a cost
/// per call. The answers depend only on the package, so two runs review every package the same way.
/// </summary>
public sealed class PackageLookup(TimeSpan latency, int failAt)
{
    /// <summary>The price of a PyPI metadata call.</summary>
    public const decimal PyPiCallUsd = 0.0004m;

    /// <summary>The price of a vulnerability database call.</summary>
    public const decimal VulnerabilityCallUsd = 0.0011m;

    private static readonly string[] Licenses = ["MIT", "Apache-2.0", "BSD-3-Clause", "PSF-2.0", "MPL-2.0", "LGPL-3.0"];
    private static readonly string[] Statuses = ["5 - Production/Stable", "4 - Beta", "3 - Alpha", "6 - Mature"];
    private static readonly string[] Severities = ["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

    /// <summary>Reviews one package; the cost of every call (failed ones too) goes to <paramref name="addCost"/>.</summary>
    public async Task<ReviewRow> ReviewAsync(Package package, Action<decimal> addCost, CancellationToken cancellationToken)
    {
        if (package.Number == failAt)
        {
            throw new InvalidOperationException($"Injected failure at package {package.Number} ({package.Name}) (--fail-at {failAt})");
        }

        var h = Hash(package.Name);
        await CallAsync(package, "pypi", addCost, PyPiCallUsd, cancellationToken);
        await CallAsync(package, "vulns", addCost, VulnerabilityCallUsd, cancellationToken);
        var major = h[0] % 5;
        var minor = h[1] % 20;
        var current = $"{major}.{minor}.{h[2] % 10}";
        var latest = h[3] % 3 == 0 ? current : $"{major}.{minor + 1 + h[4] % 3}.0";
        var vulnerabilities = h[5] % 7 == 0 ? 1 + h[6] % 4 : 0;
        var severity = vulnerabilities == 0 ? "NONE" : Severities[1 + h[7] % 4];
        var published = new DateOnly(2018, 1, 1).AddDays(h[8] * 7 + h[9] % 7);
        string Source(int i) => vulnerabilities > 0 && h[10 + i] % 2 == 0 ? $"{1 + h[10 + i] % vulnerabilities} found" : "None found";
        var cells = new[]
        {
            package.Number.ToString(CultureInfo.InvariantCulture), package.Name, current, latest, $"https://pypi.org/project/{package.Name}/",
            published.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), published.AddDays(30 + h[15] % 400).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            h[16] % 2 == 0 ? ">=3.8" : ">=3.9", Statuses[h[17] % Statuses.Length], $"https://github.com/{package.Name}/{package.Name}",
            Licenses[h[18] % Licenses.Length], $"maintainer-{h[19] % 97}", $"{package.Name}: a Python package for {package.Name.Split('-')[0]} work",
            Source(0), Source(1), Source(2), Source(3), Source(4), vulnerabilities.ToString(CultureInfo.InvariantCulture), severity,
            vulnerabilities > 0 ? $"Update to {latest} (fixes {vulnerabilities})" : latest == current ? "Proceed with use" : $"Update to {latest}",
            (PyPiCallUsd + VulnerabilityCallUsd).ToString("0.0000", CultureInfo.InvariantCulture),
            // A cell a spreadsheet would run as a formula if it were not stored as text.
            h[20] % 11 == 0 ? "=HYPERLINK(\"https://osv.dev\")" : "",
        };
        return new ReviewRow(cells);
    }

    private async Task CallAsync(Package package, string api, Action<decimal> addCost, decimal price, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await Task.Delay(latency, cancellationToken);
            addCost(price);
            // Transient failures are random (values are not): a retry, or the next run, usually gets through.
            if (Random.Shared.Next(12) != 0)
            {
                return;
            }

            if (attempt == 5)
            {
                throw new HttpRequestException($"{api} lookup of {package.Name} failed 5 times (503 Service Unavailable)");
            }
        }
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
