using System.IO.Compression;
using System.Text;
using Checkpointing.Tests.Support;
using Checkpointing.IO;

namespace Checkpointing.Tests.IO;

/// <summary>
/// The stream an atomic write hands to its writer callback: write-only, append-only, and honest about it,
/// so that serializers that look at <see cref="Stream.CanSeek"/> or <see cref="Stream.CanWrite"/> work.
/// </summary>
public sealed class FileHandleStreamTests
{
    [Fact]
    public async Task Says_it_only_appends_and_counts_what_was_written()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("a.bin");
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            Assert.False(stream.CanRead);
            Assert.False(stream.CanSeek);
            Assert.True(stream.CanWrite);
            Assert.Equal(0, stream.Length);

            stream.Write([0, 1, 2, 3, 4], 1, 3);
            Assert.Equal(3, stream.Position);
            await stream.WriteAsync(new byte[] { 5, 6, 7, 8 }, 2, 2, ct);
            await stream.WriteAsync(new ReadOnlyMemory<byte>([9]), ct);
            stream.Flush();
            Assert.Equal(6, stream.Length);
            Assert.Equal(6, stream.Position);

            Assert.Equal("The stream of an atomic write is write-only.", Assert.Throws<NotSupportedException>(() => stream.Read(new byte[1], 0, 1)).Message);
            Assert.Equal("The stream of an atomic write only appends.", Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin)).Message);
            Assert.Equal("The stream of an atomic write only appends.", Assert.Throws<NotSupportedException>(() => stream.Position = 0).Message);
            Assert.Equal("The stream of an atomic write only appends.", Assert.Throws<NotSupportedException>(() => stream.SetLength(0)).Message);
        });
        Assert.Equal([1, 2, 3, 7, 8, 9], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_stream_writer_and_a_zip_archive_write_through_it()
    {
        // ZipArchive seeks back to patch its headers when CanSeek says it may; StreamWriter needs CanWrite.
        using var dir = new TempDirectory();
        var path = dir.Combine("pages.zip");
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using var writer = new StreamWriter(zip.CreateEntry("page-1.txt").Open(), new UTF8Encoding(false));
            writer.Write("first page");
        });

        using var read = ZipFile.OpenRead(path);
        using var reader = new StreamReader(Assert.Single(read.Entries).Open());
        Assert.Equal("first page", reader.ReadToEnd());

        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write("text");
        });
        Assert.Equal("text", File.ReadAllText(path));
    }
}
