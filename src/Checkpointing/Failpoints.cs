using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Checkpointing;

/// <summary>
/// Named points where the crash tests kill the process for real (RocksDB-style). Armed by the environment
/// variable <c>CHECKPOINTING_FAILPOINT=name</c> or <c>name:n</c> (die at the nth hit of that point),
/// read once when the type is first used. Unset, a hit costs one check of a static readonly field.
/// </summary>
/// <remarks>
/// The names: <see cref="AfterTempWrite"/>, <see cref="AfterTempFsync"/>, <see cref="AfterRename"/>,
/// <see cref="MidJournalRecord"/>, <see cref="AfterJournalFsync"/>, <see cref="DuringCompaction"/>,
/// <see cref="DuringRecovery"/>, <see cref="DuringTempCleanup"/>. The hit counter is the one piece of
/// static mutable state of the library, and it only exists in a process that asked to be killed.
/// </remarks>
internal static class Failpoints
{
    public const string VariableName = "CHECKPOINTING_FAILPOINT";

    /// <summary>An atomic write's temp file is written, not yet fsynced.</summary>
    public const string AfterTempWrite = "after-temp-write";

    /// <summary>An atomic write's temp file is fsynced, not yet renamed.</summary>
    public const string AfterTempFsync = "after-temp-fsync";

    /// <summary>An atomic write's temp file is renamed over the target, the directory not yet fsynced.</summary>
    public const string AfterRename = "after-rename";

    /// <summary>Half of a batch of journal records is written (no fsync).</summary>
    public const string MidJournalRecord = "mid-journal-record";

    /// <summary>A batch of journal records is fsynced, before the marks return.</summary>
    public const string AfterJournalFsync = "after-journal-fsync";

    /// <summary>The compacted snapshot is durable, the journal not yet truncated.</summary>
    public const string DuringCompaction = "during-compaction";

    /// <summary>The journal is read at open, its torn tail (if any) not yet truncated.</summary>
    public const string DuringRecovery = "during-recovery";

    /// <summary>The first leftover temp file is deleted at open, the others not yet.</summary>
    public const string DuringTempCleanup = "during-temp-cleanup";

    private static readonly string? Armed = ParseName(Environment.GetEnvironmentVariable(VariableName));
    private static readonly int Countdown = ParseCountdown(Environment.GetEnvironmentVariable(VariableName));
    private static int _hits;

    /// <summary>Kills the process when <paramref name="name"/> is armed and its countdown reaches zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Hit(string name)
    {
        if (Armed is not null && ShouldFireSlow(name))
        {
            Die();
        }
    }

    /// <summary>
    /// True when <paramref name="name"/> fires now; the caller does its partial work, then calls <see cref="Die"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ShouldFire(string name) => Armed is not null && ShouldFireSlow(name);

    /// <summary>SIGKILL to this process: no finally blocks, no flushes, no disposal.</summary>
    public static void Die()
    {
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    private static bool ShouldFireSlow(string name) =>
        string.Equals(name, Armed, StringComparison.Ordinal) && Interlocked.Increment(ref _hits) == Countdown;

    private static string? ParseName(string? value) =>
        string.IsNullOrEmpty(value) ? null : value.Split(':')[0];

    private static int ParseCountdown(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.Contains(':'))
        {
            return 1;
        }

        return int.TryParse(value.Split(':')[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new InvalidOperationException($"{VariableName}='{value}' is not 'name' or 'name:n' with n a positive integer.");
    }
}
