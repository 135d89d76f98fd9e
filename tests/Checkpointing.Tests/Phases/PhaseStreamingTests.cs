using Checkpointing.Phases;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.Phases;

/// <summary>Runs alone: it counts the bytes the whole process allocates during a save.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation-sensitive";
}

[Collection(AllocationCollection.Name)]
public sealed class PhaseStreamingTests
{
    [Fact]
    public async Task A_10_MB_state_is_streamed_to_the_file_without_a_second_copy_in_memory()
    {
        using var temp = new TempDirectory();
        var state = new FoldState();
        for (var i = 0; i < 160_000; i++)
        {
            state.Done.Add($"book_{i:000000}: checkpoint long batch jobs and resume by identity");
        }

        await using var phase = await PhaseCheckpoint<FoldState>.OpenAsync(
            new PhaseCheckpointOptions { Root = temp.Path, Phase = "big", MinSaveInterval = TimeSpan.Zero }, PhaseTestJsonContext.Default.FoldState);
        await phase.SaveAsync(1, state); // warms up the serializer and the buffer pool

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await phase.SaveAsync(2, state);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var size = new FileInfo(phase.LastSavedPath!).Length;
        Assert.True(size > 8_000_000, $"the snapshot is only {size} bytes");
        // A save that built the JSON in memory first would allocate at least the file's size.
        Assert.True(allocated < size / 8, $"a save of a {size}-byte snapshot allocated {allocated} bytes");
        Assert.Equal(160_000, (await phase.LoadLatestAsync())!.State.Done.Count);
    }
}
