using System.Text.Json.Serialization;
using Checkpointing.Hosting;

namespace Checkpointing.Hosting.Tests.Support;

public sealed record PageResult(int Page, string Text);

[JsonSerializable(typeof(PageResult))]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Holds back the pages above a limit until the test raises it, so a test can stop a run mid-way.</summary>
public sealed class PageGate
{
    private readonly object _lock = new();
    private int _limit;
    private TaskCompletionSource _raised = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PageGate(int limit = int.MaxValue) => _limit = limit;

    public void OpenUpTo(int limit)
    {
        TaskCompletionSource raised;
        lock (_lock)
        {
            _limit = limit;
            raised = _raised;
            _raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        raised.TrySetResult();
    }

    public async Task WaitAsync(int page, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task raised;
            lock (_lock)
            {
                if (page <= _limit)
                {
                    return;
                }

                raised = _raised.Task;
            }

            await raised.WaitAsync(cancellationToken);
        }
    }
}

/// <summary>A generated stage with a constructor dependency, resolved from the container.</summary>
[Checkpointed("pages", JsonContext = typeof(TestJsonContext))]
public sealed partial class PagesStage(PageGate gate)
{
    [ProcessItem]
    private async Task<PageResult> ProcessAsync(int page, ItemContext context, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(page, cancellationToken);
        context.AddCost(0.01m);
        return new PageResult(page, $"text of page {page}");
    }
}

/// <summary>What the hosted job's runs returned, for the test to read.</summary>
public sealed class JobResults
{
    private readonly List<StageRunResult> _results = [];

    public IReadOnlyList<StageRunResult> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results];
            }
        }
    }

    public void Add(StageRunResult result)
    {
        lock (_results)
        {
            _results.Add(result);
        }
    }
}

/// <summary>The hosted job of the tests: runs <see cref="PagesStage"/> over pages 1 to 20.</summary>
public sealed class PagesJob(HostedStageRunner runner, PagesStage stage, JobResults results) : ICheckpointedJob
{
    public const int Pages = 20;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            results.Add(await runner.RunAsync(stage.CreateDefinition(), Enumerable.Range(1, Pages), cancellationToken: cancellationToken));
        }
        catch (StageCanceledException e)
        {
            results.Add(e.Result);
            throw;
        }
    }
}

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
