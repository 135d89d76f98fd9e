using System.Text.RegularExpressions;

namespace Checkpointing.CrashTests.Support;

/// <summary>
/// The files a recovered workload may hold, written out here rather than asked of the code under test
/// (<c>AtomicFile.IsTempFileName</c>): a temp file of any name, a stray backup or a half-written copy is
/// a leftover, whatever shape the runtime gives it.
/// </summary>
internal static partial class FinalFiles
{
    /// <summary>Every path of <paramref name="paths"/> that is not a final file of the workload.</summary>
    public static IEnumerable<string> Unexpected(IEnumerable<string> paths) => paths.Where(p => !FinalPath().IsMatch(p));

    // The stage's snapshot, its backup, journal and lock (with its holder), a damaged checkpoint file's
    // copy kept for inspection (<name>.corrupt-<UTC time>), one output per item, and the cumulative CSV of
    // CsvCrashTests with its lock.
    [GeneratedRegex(
        @"^(/crash/data/run/checkpoints/work\.(json|json\.bak|journal|lock|lock\.json)(\.corrupt-[0-9]{8}T[0-9]{9}Z)?" +
        @"|/crash/data/run/work/[0-9]{6}\.json" +
        @"|/crash/data/csv/(cumulative_checkpoint_[0-9]{8}_[0-9]{4}_crash_tests\.csv|\.cumulative_checkpoint_crash_tests\.lock))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex FinalPath();
}
