using Checkpointing.Cli.Json;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary>
/// <c>status --json</c> is written by <see cref="StatusJson"/> (plain <see cref="System.Text.Json.Utf8JsonWriter"/> calls,
/// for start-up time): byte for byte what the source-generated serializer writes for the same report, every member
/// null and set, on one line (<c>--watch</c>) and indented.
/// </summary>
public sealed class StatusJsonTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public static TheoryData<string> Reports => new() { "empty", "nulls", "full" };

    [Theory]
    [MemberData(nameof(Reports))]
    public void The_written_document_is_the_serializers_byte_for_byte(string which)
    {
        var report = Report(which);
        foreach (var indented in new[] { true, false })
        {
            var expected = new StringWriter();
            CliJson.Write(expected, report, CliJsonContext.Default.StatusReport, indented);
            var actual = new StringWriter();
            StatusJson.Write(actual, report, indented);
            Assert.Equal(expected.ToString(), actual.ToString());
        }
    }

    [Fact]
    public async Task A_real_root_gives_the_serializers_document()
    {
        var root = _dir["data"];
        await Pipelines.RunStageAsync(root, "book-1", "work", 30, failAt: 12);
        await Pipelines.RunStageAsync(root, "book-1", "done", 5);
        var report = Inspection.StatusBuilder.Read(root, null, DateTimeOffset.UtcNow);
        Assert.Equal(2, report.Stages.Count);

        var expected = new StringWriter();
        CliJson.Write(expected, report, CliJsonContext.Default.StatusReport);
        var actual = new StringWriter();
        StatusJson.Write(actual, report);
        Assert.Equal(expected.ToString(), actual.ToString());
    }

    private static StatusReport Report(string which)
    {
        var at = new DateTimeOffset(2026, 11, 30, 10, 5, 26, 123, TimeSpan.Zero).AddTicks(4567);
        var local = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.FromHours(2));
        return which switch
        {
            "empty" => new StatusReport("/data/empty", at, [], [], []),
            "nulls" => new StatusReport(
                "C:\\data\\runs",
                local,
                [new StageEntry("r", "ocr", "unreadable", null, false, null, null, 0, 0, null, 0m, 0m, 0m, null, null, null, null, null, null, null, [], null, [], 0, null, null)],
                [new BatchEntry("r", "lsi", "in_progress", null, 0, 0, 0, 0, 0m, null, null, null)],
                [new PhaseEntry("phase", "/data/phase", 0, 0, null, null, null, false, false, null, null)]),
            _ => new StatusReport(
                "/data/ünïcode \"quoted\" <tag> & more",
                at,
                [
                    new StageEntry(
                        "book-7", "work", "failed", "failed", false, "work", 40, 24, 2, 14, 1.2345m, 3.10m, 0.051438m, 0.7201m,
                        at, at.AddMinutes(1), local, at.AddMinutes(2), at.AddDays(-1), "Item '000025' failed: boom\nsecond line\ttab",
                        [new FailedItemEntry("000025", "boom \"x\" é", 3, at), new FailedItemEntry("000031", "", 1, local)],
                        new LockEntry(4242, "build-7", at, false), [], 3,
                        new RunEntry(3, "failed", at, at.AddSeconds(90), true, 40, 10, 1, 13, 2, 1, 0.5m, "boom"),
                        "Journal 'x' is damaged at line 3"),
                    new StageEntry(
                        "book-7", "second", "running", "in_progress", true, "second", null, 0, 0, null, 0m, 0m, 0m, 0m,
                        at, null, null, null, null, null, [], new LockEntry(null, null, null, null), [new LockEntry(null, null, null, null), new LockEntry(7, "other ü", local, true)], 1,
                        new RunEntry(1, "in_progress", local, null, false, null, 0, 0, 0, 0, 0, 0m, null), null),
                    new StageEntry(
                        "r", "big", "completed", "completed", false, "big", int.MaxValue, int.MaxValue, 0, 0, 79228162514264337593543950335m, -1.5m, 0.000001m, 0m,
                        DateTimeOffset.MinValue, DateTimeOffset.MaxValue, at, null, null, null, [], new LockEntry(-1, "", at, true), [new LockEntry(-1, "", at, true)], int.MaxValue, null, null),
                ],
                [new BatchEntry("book-7", "lsi", "failed", "lsi/batch.csv", 4, 486, 400, 86, 12.5m, at, "disk full", "Batch checkpoint 'x': changed")],
                [
                    new PhaseEntry("phase-a", "/data/phase-a", 12, 11, long.MaxValue, 7, at, true, true, new LockEntry(99, "h", local, true), "Its newest snapshot is invalid"),
                    new PhaseEntry("phase-b", "/data/phase-b", 1, 1, 0, 0, local, false, false, null, null),
                ]),
        };
    }

    public void Dispose() => _dir.Dispose();
}
