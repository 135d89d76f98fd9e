using Checkpointing.SharedFiles;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.SharedFiles;

/// <summary>
/// The seed's bug: an adaptive batch size skipped or repeated packages. 50,000 items whose rows vary in size (so the
/// adaptive limit moves all the time), a run stopped part way and resumed with a different policy: every item is
/// processed once, saved once, in exactly one batch, with its own value.
/// </summary>
public sealed class AdaptiveBatchesTests : IDisposable
{
    private const int Count = 50_000;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Adaptive_batches_over_50000_items_neither_skip_nor_repeat()
    {
        var keys = Enumerable.Range(1, Count).Select(i => $"item-{i:D6}").ToArray();
        var processed = new int[Count + 1];
        string RowOf(string key)
        {
            var n = int.Parse(key.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            // Every 97th row is 2 KB: it blows the byte budget and makes the batch shrink, then grow back.
            return n % 97 == 0 ? new string('x', 2048) + n : "v" + n;
        }

        SharedFileOptions Options(SharedFileBatchPolicy policy) => new()
        {
            Root = _temp.Path, RunId = "big", Name = "items", FileName = "items.tsv", Policy = policy,
        };

        using var cts = new CancellationTokenSource();
        var first = SharedFileRunner.RunAsync(keys, k => k, (key, _, _) =>
        {
            var n = int.Parse(key.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            if (Interlocked.Increment(ref processed[n]) == 1 && n == 21_017)
            {
                cts.Cancel();
            }

            return ValueTask.FromResult(RowOf(key));
        }, new TextRowsFormat(), Options(SharedFileBatchPolicy.Adaptive(400 * 1024, maxItems: 12_000)), cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        var second = await SharedFileRunner.RunAsync(keys, k => k, (key, _, _) =>
        {
            Interlocked.Increment(ref processed[int.Parse(key.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture)]);
            return ValueTask.FromResult(RowOf(key));
        }, new TextRowsFormat(), Options(SharedFileBatchPolicy.Adaptive(150 * 1024, maxItems: 9000).Or(SharedFileBatchPolicy.Items(8000))));

        Assert.Equal(SharedFileRunStatus.Completed, second.Status);
        Assert.All(processed.Skip(1), n => Assert.Equal(1, n));
        var rows = new TextRowsFormat().Read(File.OpenRead(_temp.Combine("big", "items.tsv")), CancellationToken.None);
        Assert.Equal(Count, rows.Count);
        Assert.Equal(keys, rows.Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(RowOf(r.Key), r.Row));

        var checkpoint = SharedFileCheckpoint.Read(_temp.Combine("big", "checkpoints", "items.batches.json"));
        Assert.Equal(Count, checkpoint.Completed.Count);
        Assert.Equal(Count, checkpoint.Batches.Sum(b => b.Items));
        var perBatch = checkpoint.Completed.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(checkpoint.Batches, b => Assert.Equal(b.Items, perBatch[b.Batch]));
        Assert.Contains(checkpoint.Batches, b => b.Reason == SharedFileBatchReason.Memory);
        Assert.Contains(checkpoint.Batches, b => b.Reason == SharedFileBatchReason.Items);
        Assert.True(checkpoint.Batches.Select(b => b.Items).Distinct().Count() >= 4, "the batch size should have moved: " + string.Join(", ", checkpoint.Batches.Select(b => $"{b.Items} ({b.Reason})")));
        Assert.True(checkpoint.Batches.Count < 30, $"{checkpoint.Batches.Count} batches: the test is tuned for about 15");
    }
}
