using Checkpointing.Tests.Support;

namespace Checkpointing.Tests;

/// <summary>Behaviour 1 across real processes: one run per stage; a killed run never blocks the next.</summary>
public sealed class LockTests
{
    [Fact]
    public async Task A_stage_held_by_another_process_is_refused_naming_that_process_and_freed_when_it_is_killed()
    {
        using var dir = new TempDirectory();
        using var worker = WorkerProcess.Start("stage", "--root", dir.Path, "--run-id", "r", "--items", "100000", "--parallel", "1", "--delay-ms", "50");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (worker.Completed.IsEmpty && !worker.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(worker.HasExited, string.Join('\n', worker.Lines));
        var options = new StageCheckpointOptions { Root = dir.Path, RunId = "r", StageName = "work" };
        var error = await Assert.ThrowsAsync<CheckpointLockedException>(() => StageCheckpoint.OpenAsync(options));
        Assert.NotNull(error.OwnerProcessId);
        Assert.NotEqual(Environment.ProcessId, error.OwnerProcessId);
        Assert.Contains($"process {error.OwnerProcessId} on {Environment.MachineName}", error.Message);

        worker.Kill();
        await using var checkpoint = await StageCheckpoint.OpenAsync(options);
        Assert.Equal(StageStatus.InProgress, checkpoint.GetState().Status);
    }
}
