using System.Text;
using Checkpointing.Store;

namespace Checkpointing.Tests;

/// <summary>
/// The journal's checksum and line format are part of the on-disk format: a change to either, however
/// consistent between writer and reader, would make every existing journal unreadable. Known answers and
/// files written by format version 1 pin them.
/// </summary>
public sealed class JournalFormatTests
{
    private static string FixtureRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "format-v1");

    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void The_checksum_is_the_CRC_32_of_zlib(string text, uint expected)
    {
        // Known answers of CRC-32/ISO-HDLC (zlib's crc32, IEEE 802.3); "123456789" is the standard check value.
        Assert.Equal(expected, JournalFormat.Checksum(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void The_checksum_covers_every_byte_across_vector_widths()
    {
        // Long inputs take the vectorized paths of a hashing library; zlib: crc32(bytes 0..255 repeated to 1000 bytes) = 0x74E3FB41.
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        Assert.Equal(0x74E3FB41u, JournalFormat.Checksum(bytes));
    }

    [Fact]
    public void A_journal_written_by_format_version_1_reads_record_by_record()
    {
        var journal = File.ReadAllBytes(Path.Combine(FixtureRoot, "run", "checkpoints", "work.journal"));
        var records = JournalFormat.ReadValidRecords(journal, out var validLength, out var problem);
        Assert.Null(problem);
        Assert.Equal(journal.Length, validLength);
        Assert.Equal([CheckpointRecordType.RunStarted, CheckpointRecordType.Completed, CheckpointRecordType.ItemFailed], records.Select(r => r.Type));
        Assert.Equal([6L, 7L, 8L], records.Select(r => r.Sequence));
        Assert.Equal("000004", records[1].Key);
        Assert.Equal(0.0050004m, records[1].CostUsd);
    }

    [Fact]
    public void A_stage_checkpoint_written_by_format_version_1_still_reads_with_its_journal()
    {
        // The snapshot folds the first run (items 1 to 3); the journal holds a second run that was killed
        // after completing item 4 and failing item 5.
        var state = FileCheckpointStore.ReadState(FixtureRoot, "run", "work");
        Assert.NotNull(state);
        Assert.Equal(["000001", "000002", "000003", "000004"], state.Completed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.0020001m + 0.0030002m + 0.0040003m + 0.0050004m, state.TotalCostUsd);
        Assert.Equal(0.0050004m, state.Completed["000004"].CostUsd);
        Assert.Equal("InvalidOperationException: injected failure at item 5", Assert.Single(state.Failed).Value.Error);
        Assert.Equal(8, state.JournalSequence);
        Assert.Equal(2, state.Runs.Count);
        Assert.Equal(RunStatus.InProgress, state.Runs[1].Status);
    }

    [Fact]
    public void A_record_line_is_the_checksum_in_hex_a_space_and_the_JSON()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var record = new CheckpointRecord { Sequence = 7, Type = CheckpointRecordType.Completed, At = new DateTimeOffset(2026, 1, 1, 0, 0, 0, 13, TimeSpan.Zero), Key = "000004", CostUsd = 0.0050004m };
        JournalFormat.Append(buffer, new System.Buffers.ArrayBufferWriter<byte>(), record);

        // The second line of the fixture, byte for byte.
        var line = File.ReadAllLines(Path.Combine(FixtureRoot, "run", "checkpoints", "work.journal"))[1] + "\n";
        Assert.Equal(line, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
