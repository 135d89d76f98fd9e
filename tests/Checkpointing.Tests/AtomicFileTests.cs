using System.Text;
using Checkpointing.Tests.Support;
using Checkpointing.IO;

namespace Checkpointing.Tests;

public sealed class AtomicFileTests
{
    [Fact]
    public void Writes_bytes_text_and_stream_content()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("sub", "a.json");
        AtomicFile.WriteAllText(path, "{\"a\":1}");
        Assert.Equal("{\"a\":1}", File.ReadAllText(path));
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        AtomicFile.Write(path, s => s.Write("xyz"u8));
        Assert.Equal("xyz", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Combine("sub")));
    }

    [Fact]
    public async Task Async_forms_write_the_same_content()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("b.txt");
        await AtomicFile.WriteAllTextAsync(path, "héllo");
        Assert.Equal("héllo", await File.ReadAllTextAsync(path));
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), await File.ReadAllBytesAsync(path));
        await AtomicFile.WriteAllBytesAsync(path, new byte[] { 9 });
        Assert.Equal([9], await File.ReadAllBytesAsync(path));
        await AtomicFile.WriteAsync(path, (s, ct) => s.WriteAsync("abc"u8.ToArray(), ct).AsTask());
        Assert.Equal("abc", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public void Failed_validation_keeps_the_old_content_and_leaves_no_temp_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("c.json");
        AtomicFile.WriteAllText(path, "old");
        var options = new AtomicWriteOptions { Validate = _ => throw new InvalidDataException("not JSON") };
        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.WriteAllText(path, "new", options));
        Assert.Equal("not JSON", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["c.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_writer_that_throws_keeps_the_old_content()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("d.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("partial"u8);
            throw new IOException("No space left on device");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Keeps_a_backup_of_the_previous_version()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("e.json");
        AtomicFile.WriteAllText(path, "v1", new AtomicWriteOptions { KeepBackup = true });
        Assert.False(File.Exists(path + ".bak"));
        AtomicFile.WriteAllText(path, "v2", new AtomicWriteOptions { KeepBackup = true });
        Assert.Equal("v2", File.ReadAllText(path));
        Assert.Equal("v1", File.ReadAllText(path + ".bak"));
    }

    [Fact]
    public void Cleanup_removes_only_our_temp_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine(".page.json.0123456789ab.ckpt.tmp"), "torn");
        File.WriteAllText(dir.Combine("page.json.tmp"), "someone else's");
        File.WriteAllText(dir.Combine("page.json"), "kept");
        Assert.Equal(1, AtomicFile.CleanupTempFiles(dir.Path));
        Assert.Equal(["page.json", "page.json.tmp"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        Assert.Equal(0, AtomicFile.CleanupTempFiles(dir.Combine("missing")));
    }

    [Theory]
    [InlineData(".a.json.0123456789ab.ckpt.tmp", true)]
    [InlineData(".a.json.0123456789AB.ckpt.tmp", false)]
    [InlineData("a.json.0123456789ab.ckpt.tmp", false)]
    [InlineData(".a.json.tmp", false)]
    public void Recognises_temp_names(string name, bool expected) => Assert.Equal(expected, AtomicFile.IsTempFileName(name));
}
