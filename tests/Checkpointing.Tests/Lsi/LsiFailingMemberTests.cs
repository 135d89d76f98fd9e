using System.Text;
using Checkpointing.Lsi;
using CsvHelper;

namespace Checkpointing.Tests.Lsi;

/// <summary>One member of each kind the generator reads, nullable and not, between text columns.</summary>
[LsiRecord(EscapeInjection = false)]
public partial class EveryKindRow
{
    [LsiColumn("Name")] public string? Name { get; set; }
    [LsiColumn("Count")] public int Count { get; set; }
    [LsiColumn("Maybe Count")] public int? MaybeCount { get; set; }
    [LsiColumn("Big")] public long Big { get; set; }
    [LsiColumn("Maybe Big")] public long? MaybeBig { get; set; }
    [LsiColumn("Note")] public string Note { get; set; } = "";
    [LsiColumn("Price", Format = LsiFormat.UsdPrice)] public decimal Price { get; set; }
    [LsiColumn("Maybe Price", Format = LsiFormat.Price)] public decimal? MaybePrice { get; set; }
    [LsiColumn("Discount", Format = LsiFormat.Percent)] public decimal? Discount { get; set; }
    [LsiColumn("Amount")] public decimal Amount { get; set; }
    [LsiColumn("Ratio")] public double Ratio { get; set; }
    [LsiColumn("Maybe Ratio")] public double? MaybeRatio { get; set; }
    [LsiColumn("Flag")] public bool Flag { get; set; }
    [LsiColumn("Maybe Flag")] public bool? MaybeFlag { get; set; }
    [LsiColumn("Day")] public DateOnly Day { get; set; }
    [LsiColumn("Maybe Day", DateFormat = "M/d/yy")] public DateOnly? MaybeDay { get; set; }
    [LsiColumn("Stamp")] public DateTime Stamp { get; set; }
    [LsiColumn("Maybe Stamp")] public DateTime? MaybeStamp { get; set; }
    [LsiColumn("Tail")] public string? Tail { get; set; }
}

/// <summary>
/// A row that cannot be read names the member and the field at fault (<see cref="CsvFormatException.Member"/> and
/// <see cref="CsvFormatException.FieldIndex"/>, found by the generated <c>FindFailingMember</c>), for a bad field in a
/// middle column of each member kind, with the file's columns in the record's order and reversed.
/// </summary>
public sealed class LsiFailingMemberTests
{
    private static readonly EveryKindRow Good = new()
    {
        Name = "First",
        Count = 3,
        MaybeCount = 4,
        Big = 5_000_000_000,
        MaybeBig = 6,
        Note = "note",
        Price = 12.5m,
        MaybePrice = 7.25m,
        Discount = 40m,
        Amount = 1.5m,
        Ratio = 0.25,
        MaybeRatio = 2.5,
        Flag = true,
        MaybeFlag = false,
        Day = new DateOnly(2025, 3, 15),
        MaybeDay = new DateOnly(2025, 9, 16),
        Stamp = new DateTime(2025, 1, 2),
        MaybeStamp = new DateTime(2025, 4, 5),
        Tail = "last",
    };

    public static TheoryData<string, bool> Members()
    {
        var data = new TheoryData<string, bool>();
        foreach (var member in new[]
        {
            "Count", "MaybeCount", "Big", "MaybeBig", "Price", "MaybePrice", "Discount", "Amount",
            "Ratio", "MaybeRatio", "Flag", "MaybeFlag", "Day", "MaybeDay", "Stamp", "MaybeStamp",
        })
        {
            data.Add(member, false);
            data.Add(member, true);
        }

        return data;
    }

    [Fact]
    public void The_good_row_reads_back_with_every_value()
    {
        var (header, cells) = Table(reversed: false);

        var read = Read(header, cells);

        Assert.Equivalent(Good, read);
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void A_bad_field_names_its_member_and_its_index_in_the_file(string member, bool reversed)
    {
        var (header, cells) = Table(reversed);
        var column = EveryKindRow.LsiColumns.Single(c => c.Member == member).Name;
        var index = Array.IndexOf(header, column);
        cells[index] = "oops";

        var error = Assert.Throws<CsvFormatException>(() => Read(header, cells));

        Assert.Equal("EveryKindRow." + member, error.Member);
        Assert.Equal(index, error.FieldIndex);
        Assert.NotNull(error.InnerException);
    }

    /// <summary>The header and cells of <see cref="Good"/> as the generated writer writes them, optionally in reverse order.</summary>
    private static (string[] Header, string[] Cells) Table(bool reversed)
    {
        var lines = Encoding.UTF8.GetString(LsiCsv.Write([Good])).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var cells = lines[1].Split(',');
        Assert.Equal(EveryKindRow.LsiColumns.Count, header.Length);
        Assert.Equal(header.Length, cells.Length);
        if (reversed)
        {
            Array.Reverse(header);
            Array.Reverse(cells);
        }

        return (header, cells);
    }

    private static EveryKindRow Read(string[] header, string[] cells)
    {
        var file = Encoding.UTF8.GetBytes(string.Join(",", header) + "\r\n" + string.Join(",", cells) + "\r\n");
        using var reader = CsvReader.Create(file, CsvReaderOptions.For<EveryKindRow>());
        Assert.True(reader.Read());
        var record = reader.GetRecord<EveryKindRow>();
        Assert.False(reader.Read());
        return record;
    }
}
