using System.Diagnostics;
using System.Text.Json;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Who holds a stage's lock, from <c>&lt;stage&gt;.lock.json</c> (<c>{"pid", "host", "since"}</c>), which the
/// runtime writes after taking the OS lock and deletes before releasing it.
/// </summary>
/// <param name="ProcessId">The holder's process id.</param>
/// <param name="Host">The holder's machine.</param>
/// <param name="Since">When it took the lock.</param>
/// <param name="Alive">
/// Whether the holder still runs: <see langword="true"/> or <see langword="false"/> on this machine,
/// <see langword="null"/> when it is another machine's process and cannot be checked from here.
/// </param>
internal sealed record LockHolder(int? ProcessId, string? Host, DateTimeOffset? Since, bool? Alive)
{
    /// <summary>Whether the stage counts as running: a live holder, or one on another machine.</summary>
    public bool Running => Alive != false;

    /// <summary>
    /// Reads the holder of the lock whose info file is <paramref name="infoPath"/>, or null when there is none.
    /// Never takes the lock itself: probing it would make a run that starts at that instant fail.
    /// </summary>
    public static LockHolder? Read(string infoPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(infoPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        int? pid = null;
        string? host = null;
        DateTimeOffset? since = null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.TryGetProperty("pid", out var p) && p.TryGetInt32(out var value))
            {
                pid = value;
            }

            if (root.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String)
            {
                host = h.GetString();
            }

            if (root.TryGetProperty("since", out var s) && s.TryGetDateTimeOffset(out var when))
            {
                since = when;
            }
        }
        catch (JsonException)
        {
            // A holder file cut short or edited: the lock may still be held, by an unknown process.
        }

        return new LockHolder(pid, host, since, IsAlive(pid, host));
    }

    private static bool? IsAlive(int? pid, string? host)
    {
        if (pid is null || host is null)
        {
            return null;
        }

        if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid.Value);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>One line for people: <c>process 4242 on build-7 since 2026-11-30 09:12:00Z</c>.</summary>
    public string Describe()
    {
        var who = ProcessId is null ? "an unknown process" : $"process {ProcessId} on {Host ?? "an unknown host"}";
        var when = Since is null ? "" : $" since {Since.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
        var state = Alive switch
        {
            false => " (it is no longer running; the lock is free)",
            null => " (another machine: cannot check that it still runs)",
            _ => "",
        };
        return who + when + state;
    }
}
