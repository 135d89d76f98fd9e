using System.Text.Json;
using Checkpointing.IO;

namespace Checkpointing.Phases;

/// <summary>
/// The one-writer rule of a phase folder: an OS lock on <c>phase.lock</c> (released by the kernel when the
/// process dies) and the holder's identity in <c>phase.lock.json</c> for the error message of the next one.
/// </summary>
internal static class PhaseLock
{
    public static IDisposable Acquire(IFileSystem fs, TimeProvider time, string directory, string phase)
    {
        var lockPath = Path.Combine(directory, PhaseSnapshotFile.LockFileName);
        var infoPath = lockPath + ".json";
        var handle = fs.TryAcquireLock(lockPath);
        if (handle is null)
        {
            var (pid, host, since) = ReadInfo(fs, infoPath);
            throw new PhaseLockedException(phase, lockPath, pid, host, since);
        }

        try
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("pid", Environment.ProcessId);
                writer.WriteString("host", Environment.MachineName);
                writer.WriteString("since", time.GetUtcNow());
                writer.WriteEndObject();
            }

            AtomicFile.WriteAllBytes(fs, infoPath, buffer.ToArray(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The holder's identity is a courtesy for the error message; the lock itself is what counts.
        }

        return handle;
    }

    private static (int? Pid, string? Host, DateTimeOffset? Since) ReadInfo(IFileSystem fs, string infoPath)
    {
        try
        {
            using var document = JsonDocument.Parse(fs.ReadAllBytes(infoPath));
            var root = document.RootElement;
            return (root.GetProperty("pid").GetInt32(), root.GetProperty("host").GetString(), root.GetProperty("since").GetDateTimeOffset());
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return (null, null, null);
        }
    }
}
