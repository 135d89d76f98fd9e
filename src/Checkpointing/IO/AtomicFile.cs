using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Checkpointing.IO;

/// <summary>
/// Crash-safe whole-file writes: temp file in the same directory, write, fsync, optional validation,
/// atomic rename over the target, fsync of the directory. A crash at any instant leaves the old content
/// or the new one, never a mix.
/// </summary>
/// <remarks>
/// Temp files are named <c>.&lt;name&gt;.&lt;12 hex digits&gt;.ckpt.tmp</c>; <see cref="CleanupTempFiles(string)"/>
/// removes only names of that shape.
/// </remarks>
public static partial class AtomicFile
{
    private const string TempSuffix = ".ckpt.tmp";

    /// <summary>The suffix of backups kept with <see cref="AtomicWriteOptions.KeepBackup"/>.</summary>
    public const string BackupSuffix = ".bak";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, AtomicWriteOptions? options = null) =>
        WriteAllBytes(PhysicalFileSystem.Instance, path, bytes, options);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically and durably.</summary>
    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, AtomicWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(PhysicalFileSystem.Instance, path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), options, cancellationToken);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to <paramref name="path"/> atomically and durably.</summary>
    public static void WriteAllText(string path, string text, AtomicWriteOptions? options = null) =>
        WriteAllBytes(path, Utf8NoBom.GetBytes(text), options);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to <paramref name="path"/> atomically and durably.</summary>
    public static Task WriteAllTextAsync(string path, string text, AtomicWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAllBytesAsync(path, Utf8NoBom.GetBytes(text), options, cancellationToken);

    /// <summary>Writes the content produced by <paramref name="write"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void Write(string path, Action<Stream> write, AtomicWriteOptions? options = null) =>
        Write(PhysicalFileSystem.Instance, path, write, options);

    /// <summary>Writes the content produced by <paramref name="write"/> to <paramref name="path"/> atomically and durably.</summary>
    public static Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, AtomicWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(PhysicalFileSystem.Instance, path, write, options, cancellationToken);

    /// <summary>
    /// Removes the temp files that interrupted atomic writes left in <paramref name="directory"/> (only names
    /// of this library's temp-file shape). Best effort: a file that cannot be removed is skipped.
    /// </summary>
    /// <returns>The number of files removed.</returns>
    public static int CleanupTempFiles(string directory) => CleanupTempFiles(PhysicalFileSystem.Instance, directory);

    /// <summary>True when <paramref name="fileName"/> has the shape of this library's temp files.</summary>
    public static bool IsTempFileName(string fileName) => TempNamePattern().IsMatch(fileName);

    internal static void WriteAllBytes(IFileSystem fs, string path, ReadOnlySpan<byte> bytes, AtomicWriteOptions? options)
    {
        // A span cannot cross into the callback; copy once (atomic writes are whole-file anyway).
        var copy = bytes.ToArray();
        Write(fs, path, s => s.Write(copy), options);
    }

    internal static void Write(IFileSystem fs, string path, Action<Stream> write, AtomicWriteOptions? options)
    {
        options ??= AtomicWriteOptions.Default;
        var (directory, temp) = Prepare(fs, path, options);
        try
        {
            using (var handle = fs.Open(temp, FileOpenMode.CreateNew))
            {
                using var stream = new FileHandleStream(handle);
                write(stream);
                Failpoints.Hit(Failpoints.AfterTempWrite);
                handle.Fsync();
                Failpoints.Hit(Failpoints.AfterTempFsync);
            }

            Commit(fs, path, directory, temp, options);
        }
        catch
        {
            TryDelete(fs, temp);
            throw;
        }
    }

    internal static async Task WriteCoreAsync(IFileSystem fs, string path, Func<Stream, CancellationToken, Task> write, AtomicWriteOptions? options, CancellationToken cancellationToken)
    {
        options ??= AtomicWriteOptions.Default;
        var (directory, temp) = Prepare(fs, path, options);
        try
        {
            using (var handle = fs.Open(temp, FileOpenMode.CreateNew))
            {
                await using var stream = new FileHandleStream(handle);
                await write(stream, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                Failpoints.Hit(Failpoints.AfterTempWrite);
                handle.Fsync();
                Failpoints.Hit(Failpoints.AfterTempFsync);
            }

            Commit(fs, path, directory, temp, options);
        }
        catch
        {
            TryDelete(fs, temp);
            throw;
        }
    }

    /// <param name="fs">The file system.</param>
    /// <param name="directory">The folder to clean.</param>
    /// <param name="nameFilter">Narrows the cleanup to some of our temp names (e.g. one writer's files), or null for all.</param>
    internal static int CleanupTempFiles(IFileSystem fs, string directory, Func<string, bool>? nameFilter = null)
    {
        var removed = 0;
        foreach (var name in fs.ListFiles(directory))
        {
            if (!IsTempFileName(name) || nameFilter?.Invoke(name) == false)
            {
                continue;
            }

            try
            {
                fs.Delete(Path.Combine(directory, name));
                removed++;
                Failpoints.Hit(Failpoints.DuringTempCleanup);
            }
            catch (IOException)
            {
                // Best effort: a temp file that cannot be removed now is removed at the next open.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }

    internal static string TempPathFor(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var name = Path.GetFileName(path);
        Span<byte> random = stackalloc byte[6];
        RandomNumberGenerator.Fill(random);
        return Path.Combine(directory, "." + name + "." + Convert.ToHexString(random).ToLowerInvariant() + TempSuffix);
    }

    private static (string Directory, string Temp) Prepare(IFileSystem fs, string path, AtomicWriteOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"'{path}' has no parent directory.", nameof(path));
        if (!fs.DirectoryExists(directory))
        {
            fs.CreateDirectory(directory);
        }

        if (options.KeepBackup && fs.FileExists(full))
        {
            var previous = fs.ReadAllBytes(full);
            var backup = full + BackupSuffix;
            var backupTemp = TempPathFor(backup);
            try
            {
                using (var handle = fs.Open(backupTemp, FileOpenMode.CreateNew))
                {
                    handle.Write(previous);
                    handle.Fsync();
                }

                fs.Rename(backupTemp, backup);
            }
            catch
            {
                TryDelete(fs, backupTemp);
                throw;
            }
        }

        return (directory, TempPathFor(full));
    }

    private static void Commit(IFileSystem fs, string path, string directory, string temp, AtomicWriteOptions options)
    {
        if (options.Validate is { } validate)
        {
            using var content = new MemoryStream(fs.ReadAllBytes(temp), writable: false);
            validate(content);
        }

        var full = Path.GetFullPath(path);
        fs.Rename(temp, full);
        Failpoints.Hit(Failpoints.AfterRename);
        if (options.SkipDirectorySync)
        {
            return;
        }

        try
        {
            fs.FsyncDirectory(directory);
        }
        catch when (options.KeepBackup && fs.FileExists(full + BackupSuffix))
        {
            // The new name may not be durable: put the previous version back so the failure leaves
            // the target as it was before this write.
            var backup = fs.ReadAllBytes(full + BackupSuffix);
            var restoreTemp = TempPathFor(full);
            using (var handle = fs.Open(restoreTemp, FileOpenMode.CreateNew))
            {
                handle.Write(backup);
                handle.Fsync();
            }

            fs.Rename(restoreTemp, full);
            throw;
        }
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try
        {
            if (fs.FileExists(path))
            {
                fs.Delete(path);
            }
        }
        catch (IOException)
        {
            // The next CleanupTempFiles removes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^\..+\.[0-9a-f]{12}\.ckpt\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempNamePattern();

}
