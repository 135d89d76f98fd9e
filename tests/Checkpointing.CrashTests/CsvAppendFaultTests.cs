using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.Csv;
using CsvHelper;
using Checkpointing.Store;

namespace Checkpointing.CrashTests;

/// <summary>
/// ENOSPC on the cumulative CSV only, through the file-system interface: each write and each fsync of the CSV's
/// appends fails in turn (once, and for good), under both item failure policies, with the CSV as the stage's save
/// hook. The item whose row could not be appended must not be marked; every marked item has its row; after a power
/// loss right then, the next run completes every item and the batch file holds every book exactly once.
/// </summary>
public sealed class CsvAppendFaultTests(ITestOutputHelper output)
{
    private const int Items = 4;
    private const string Directory = Workload.Root + "/csv";
    private const string Imprint = "append_faults";
    private const string CsvSuffix = "_" + Imprint + ".csv";

    public static TheoryData<string, int, bool, ItemFailurePolicy> Faults()
    {
        var data = new TheoryData<string, int, bool, ItemFailurePolicy>();
        foreach (var operation in new[] { nameof(FaultOperation.Write), nameof(FaultOperation.Fsync) })
        {
            for (var nth = 1; nth <= Items; nth++)
            {
                data.Add(operation, nth, false, ItemFailurePolicy.SkipItem);
                data.Add(operation, nth, false, ItemFailurePolicy.FailStage);
            }

            data.Add(operation, 2, true, ItemFailurePolicy.SkipItem);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_full_disk_on_the_CSV_append_fails_the_item_and_the_next_run_completes_it(string operation, int nth, bool permanent, ItemFailurePolicy policy)
    {
        var fs = new CrashFileSystem();
        var plan = new FaultPlan(Enum.Parse<FaultOperation>(operation), nth, FaultKind.NoSpace, permanent, CsvSuffix);
        fs.Fault = plan;
        var first = await RunAsync(fs, policy);
        fs.Fault = null;
        output.WriteLine($"{plan}, {policy}: {first.Error?.Message ?? "completed"}");
        Assert.True(fs.FaultsFired > 0, $"{plan} never fired");
        Assert.True(first.Error is not null || first.Result!.Failed > 0, $"{plan}: the failed append failed no item");

        // What the failure left, and what a power loss right after it leaves.
        foreach (var (state, label) in new[] { (fs.CrashNow(CrashModel.ProcessCrash), "as left"), (fs.CrashNow(CrashModel.PowerLoss), "after a power loss") })
        {
            var recovered = CrashFileSystem.FromState(state);
            await using (var csv = await OpenCsvAsync(recovered))
            {
                var completed = Completed(recovered);
                Assert.True(completed.Count < Items, $"{plan}, {label}: every item was marked although an append failed");
                var missing = completed.Where(k => !csv.Contains(k)).ToList();
                Assert.True(missing.Count == 0, $"{plan}, {label}: marked without a row: {string.Join(", ", missing)}");
                Assert.Equal(csv.Keys.Count, csv.Keys.Distinct(StringComparer.Ordinal).Count());
            }

            var second = await RunAsync(recovered, policy);
            Assert.True(second.Error is null, $"{plan}, {label}: the next run failed: {second.Error?.Message}");
            Assert.Equal(Items, Completed(recovered).Count);

            await using (var csv = await OpenCsvAsync(recovered))
            {
                const string batch = Workload.Root + "/batch.csv";
                Assert.Equal(Items, await csv.FinalizeAsync(batch, StringComparer.Ordinal));
                using var reader = CsvReader.Create(recovered.TryRead(batch)!, CsvReaderOptions.For<CsvWorkRow>());
                var keys = reader.GetRecords<CsvWorkRow>().Select(r => r.Key).ToList();
                Assert.Equal(Enumerable.Range(1, Items).Select(Workload.KeyOf).Order(StringComparer.Ordinal), keys);
            }
        }
    }

    private static async Task<RunOutcome> RunAsync(CrashFileSystem fs, ItemFailurePolicy policy)
    {
        await using var csv = await OpenCsvAsync(fs);
        return await Workload.RunAsync(fs, Items, failurePolicy: policy, onSaved: (key, result, ct) => csv.OnOutputSavedAsync(key, CsvWorkRow.Of(result), ct));
    }

    private static Task<CumulativeCsvCheckpoint<CsvWorkRow>> OpenCsvAsync(CrashFileSystem fs) =>
        CumulativeCsvCheckpoint<CsvWorkRow>.OpenOrCreateAsync(
            fs, Directory, Imprint, r => r.Key,
            new CumulativeCsvOptions { TimeProvider = StepClock.Shared, Duplicates = DuplicateRowPolicy.Replace }, CancellationToken.None);

    private static HashSet<string> Completed(CrashFileSystem fs) =>
        new FileCheckpointStore(Workload.Root, fs, StepClock.Shared).ReadState(Workload.RunId, Workload.Stage)?.Completed.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
}
