using System.Buffers;
using Checkpointing.IO;

namespace Checkpointing.Store;

/// <summary>
/// The journal's line format: <c>&lt;crc32 as 8 lower-case hex digits&gt; &lt;record JSON&gt;\n</c>. The
/// checksum covers the JSON bytes. A record is valid only when it is whole: its newline is written, its
/// checksum matches and it parses.
/// </summary>
internal static class JournalFormat
{
    private const int CrcLength = 8;

    /// <summary>The checksum of a record's JSON bytes: CRC-32 (IEEE 802.3, zlib's <c>crc32</c>), part of the on-disk format.</summary>
    public static uint Checksum(ReadOnlySpan<byte> json) => System.IO.Hashing.Crc32.HashToUInt32(json);

    /// <summary>Appends one record line to <paramref name="buffer"/>; <paramref name="scratch"/> is reused between calls.</summary>
    public static void Append(ArrayBufferWriter<byte> buffer, ArrayBufferWriter<byte> scratch, CheckpointRecord record)
    {
        scratch.ResetWrittenCount();
        CheckpointJson.WriteRecord(scratch, record);
        var json = scratch.WrittenSpan;
        var line = buffer.GetSpan(CrcLength + 1 + json.Length + 1);
        WriteHex(line, Checksum(json));
        line[CrcLength] = (byte)' ';
        json.CopyTo(line[(CrcLength + 1)..]);
        line[CrcLength + 1 + json.Length] = (byte)'\n';
        buffer.Advance(CrcLength + 1 + json.Length + 1);
    }

    /// <summary>
    /// Parses records from the start of <paramref name="journal"/> up to the first one that is not whole.
    /// <paramref name="validLength"/> is the byte length of the whole records; <paramref name="problem"/>
    /// says why parsing stopped early, or is null when every byte was a whole record.
    /// </summary>
    public static List<CheckpointRecord> ReadValidRecords(ReadOnlySpan<byte> journal, out long validLength, out string? problem)
    {
        var records = new List<CheckpointRecord>();
        var offset = 0;
        problem = null;
        var lineNumber = 0;
        while (offset < journal.Length)
        {
            lineNumber++;
            var rest = journal[offset..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                problem = $"line {lineNumber} at byte {offset} has no end of line (a write cut short)";
                break;
            }

            var line = rest[..newline];
            if (line.Length < CrcLength + 2 || line[CrcLength] != (byte)' ' || !TryParseHex(line[..CrcLength], out var expected))
            {
                problem = $"line {lineNumber} at byte {offset} has no checksum header";
                break;
            }

            var json = line[(CrcLength + 1)..];
            if (Checksum(json) != expected)
            {
                problem = $"line {lineNumber} at byte {offset} fails its checksum";
                break;
            }

            try
            {
                records.Add(CheckpointJson.ReadRecord(json));
            }
            catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
            {
                problem = $"line {lineNumber} at byte {offset} is not a valid record ({e.Message})";
                break;
            }

            offset += newline + 1;
        }

        validLength = offset;
        return records;
    }

    /// <summary>
    /// Parses every record that verifies, skipping damaged lines instead of stopping at the first one: only
    /// for recovery when the snapshot is gone too, where what the damaged journal still proves matters more
    /// than the torn-tail rule. <paramref name="damagedLines"/> counts the lines skipped (a torn tail included).
    /// </summary>
    public static List<CheckpointRecord> ReadEveryVerifiedRecord(ReadOnlySpan<byte> journal, out int damagedLines)
    {
        var all = new List<CheckpointRecord>();
        damagedLines = 0;
        var offset = 0;
        while (offset < journal.Length)
        {
            all.AddRange(ReadValidRecords(journal[offset..], out var validLength, out var problem));
            offset += (int)validLength;
            if (problem is null)
            {
                break;
            }

            damagedLines++;
            var newline = journal[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            offset += newline + 1;
        }

        return all;
    }

    private static void WriteHex(Span<byte> destination, uint value)
    {
        const string digits = "0123456789abcdef";
        for (var i = CrcLength - 1; i >= 0; i--)
        {
            destination[i] = (byte)digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    private static bool TryParseHex(ReadOnlySpan<byte> hex, out uint value)
    {
        value = 0;
        foreach (var b in hex)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
