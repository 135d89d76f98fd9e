using System.Collections.Concurrent;
using Checkpointing.Store;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests;

/// <summary>
/// The generic save hook (<see cref="IStageSaveHook{TOutput}"/>): opened once per run with the stage's facts, every saved
/// output goes through it before its item is marked, a throwing hook leaves the item unmarked, and it is disposed
/// however the run ends. The cumulative CSV of Checkpointing.Lsi is one such hook; these tests use a plain one.
/// </summary>
public sealed class SaveHookTests
{
    private static StageRunOptions Options(TempDirectory dir, int parallel = 2, ItemFailurePolicy failure = ItemFailurePolicy.FailStage) =>
        new() { Root = dir.Path, RunId = "scan-0042", MaxDegreeOfParallelism = parallel, ItemFailurePolicy = failure };

    private static StageCheckpointDocument State(TempDirectory dir) => FileCheckpointStore.ReadState(dir.Path, "scan-0042", "ocr")!;

    [Fact]
    public async Task The_hook_is_opened_once_per_run_sees_each_output_before_its_mark_and_is_disposed_at_the_end()
    {
        using var dir = new TempDirectory();
        var hooks = new List<RecordingHook>();
        var definition = WithHook(new TestStage().Definition, dir, hooks);

        var result = await StageRunner.RunAsync(definition, Enumerable.Range(1, 8), Options(dir));

        Assert.Equal(8, result.Processed);
        var hook = Assert.Single(hooks);
        Assert.True(hook.Disposed);
        Assert.Equal(("ocr", "ocr", "scan-0042"), (hook.Context.StageName, hook.Context.OutputDirectory, hook.Context.Options.RunId));
        Assert.Equal(Enumerable.Range(1, 8).Select(CheckpointKeys.From), hook.Seen.Keys.Order(StringComparer.Ordinal));
        Assert.All(hook.Seen, seen => Assert.False(seen.Value, $"item {seen.Key} was already marked complete when the hook saw it"));
        Assert.All(hook.Seen.Keys, key => Assert.True(File.Exists(dir.Combine("scan-0042", "ocr", key + ".json")), $"item {key}: the hook ran before its output was saved"));

        // A resumed run opens a new hook; nothing is left to save, so it sees nothing.
        await StageRunner.RunAsync(definition, Enumerable.Range(1, 8), Options(dir));
        Assert.Equal(2, hooks.Count);
        Assert.Empty(hooks[1].Seen);
        Assert.True(hooks[1].Disposed);
    }

    [Fact]
    public async Task An_item_whose_hook_throws_is_not_marked_and_the_next_run_redoes_it_through_the_hook()
    {
        using var dir = new TempDirectory();
        var hooks = new List<RecordingHook>();
        var definition = WithHook(new TestStage().Definition, dir, hooks, failKey: CheckpointKeys.From(5));
        var options = Options(dir, failure: ItemFailurePolicy.SkipItem);

        var first = await StageRunner.RunAsync(definition, Enumerable.Range(1, 8), options);

        Assert.Equal((7, 1), (first.Processed, first.Failed));
        Assert.DoesNotContain(CheckpointKeys.From(5), State(dir).Completed.Keys);
        Assert.Contains("the index is full", State(dir).Failed[CheckpointKeys.From(5)].Error, StringComparison.Ordinal);
        Assert.True(hooks[0].Disposed);

        // The output of item 5 was saved before its hook failed: the next run adopts it, through the hook first.
        var second = await StageRunner.RunAsync(WithHook(new TestStage().Definition, dir, hooks), Enumerable.Range(1, 8), options);
        Assert.Contains(CheckpointKeys.From(5), State(dir).Completed.Keys);
        Assert.Equal([CheckpointKeys.From(5)], hooks[1].Seen.Keys);
        Assert.Equal(8, second.Skipped + second.Processed);
    }

    [Fact]
    public async Task The_hook_is_disposed_when_the_run_fails()
    {
        using var dir = new TempDirectory();
        var hooks = new List<RecordingHook>();
        var stage = new TestStage { FailWhen = page => page == 3 };
        var definition = WithHook(stage.Definition, dir, hooks);

        await Assert.ThrowsAsync<StageFailedException>(() => StageRunner.RunAsync(definition, Enumerable.Range(1, 8), Options(dir, parallel: 1)));

        Assert.True(Assert.Single(hooks).Disposed);
        Assert.Equal([CheckpointKeys.From(1), CheckpointKeys.From(2)], hooks[0].Seen.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Joining_a_hook_to_a_definition_keeps_every_other_property()
    {
        // WithSaveHook copies the definition: a property added to StageDefinition and not copied would be lost
        // silently for every stage with a hook. Every public property must come through (the two hook properties aside).
        var definition = new StageDefinition<int, PageText>
        {
            StageName = "ocr",
            OutputDirectory = "pages",
            GetKey = CheckpointKeys.From,
            OutputTypeInfo = TestJsonContext.Default.PageText,
            Validate = _ => [],
            ProcessAsync = (page, _, _) => ValueTask.FromResult(new PageText(page, "")),
        };
        var joined = definition.WithSaveHook(new RecordingHook(null!, null!, null));

        var properties = typeof(StageDefinition<int, PageText>).GetProperties()
            .Where(p => p.Name is not (nameof(StageDefinition<int, PageText>.OnOutputSavedAsync) or nameof(StageDefinition<int, PageText>.OpenSaveHookAsync)))
            .ToList();
        Assert.True(properties.Count >= 6);
        Assert.All(properties, p => Assert.Same(p.GetValue(definition), p.GetValue(joined)));
        Assert.NotNull(joined.OnOutputSavedAsync);
    }

    private static StageDefinition<int, PageText> WithHook(StageDefinition<int, PageText> definition, TempDirectory dir, List<RecordingHook> hooks, string? failKey = null) => new()
    {
        StageName = definition.StageName,
        GetKey = definition.GetKey,
        OutputTypeInfo = definition.OutputTypeInfo,
        Validate = definition.Validate,
        ProcessAsync = definition.ProcessAsync,
        OpenSaveHookAsync = (context, _) =>
        {
            var hook = new RecordingHook(context, dir, failKey);
            hooks.Add(hook);
            return ValueTask.FromResult<IStageSaveHook<PageText>>(hook);
        },
    };

    private sealed class RecordingHook(StageSaveHookContext<PageText> context, TempDirectory dir, string? failKey) : IStageSaveHook<PageText>
    {
        public StageSaveHookContext<PageText> Context { get; } = context;

        /// <summary>Each key the hook saw, and whether the checkpoint already counted it complete at that moment.</summary>
        public ConcurrentDictionary<string, bool> Seen { get; } = new(StringComparer.Ordinal);

        public bool Disposed { get; private set; }

        public ValueTask OnOutputSavedAsync(string key, PageText output, CancellationToken cancellationToken)
        {
            Assert.Equal(CheckpointKeys.From(output.Page), key);
            if (key == failKey)
            {
                throw new IOException("the index is full");
            }

            Seen[key] = FileCheckpointStore.ReadState(dir.Path, "scan-0042", "ocr")?.Completed.ContainsKey(key) == true;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
