using Checkpointing.Cli.Inspection;
using Checkpointing.Cli.Tests.Support;

namespace Checkpointing.Cli.Tests;

/// <summary>The reader under a writer that folds its journal: never an exception, never a state the writer did not have.</summary>
public sealed class StageReaderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    [Fact]
    public async Task A_journal_truncated_while_it_is_read_is_read_as_it_is_not_reported_unreadable()
    {
        // What a compaction does to the journal while `status --watch` reads it: the file shrinks to 0
        // under the reader. File.ReadAllBytes threw EndOfStreamException then, and the stage showed as
        // "unreadable" with 0 completed items for one refresh (seen in CI as "completed went from 300 to 0").
        var location = new StageLocation(_dir["data"], "live", "work");
        Directory.CreateDirectory(location.CheckpointDirectory);
        var content = new byte[4 << 20];
        Array.Fill(content, (byte)'x');
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var journal = new FileStream(location.JournalPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            while (!stop.IsCancellationRequested)
            {
                journal.SetLength(0);
                journal.Position = 0;
                journal.Write(content);
                journal.Flush();
                journal.SetLength(0);
            }
        });

        var reads = 0;
        var sawContent = 0;
        var until = DateTime.UtcNow.AddSeconds(3);
        try
        {
            while (DateTime.UtcNow < until)
            {
                var state = StageReader.Read(location);
                Assert.NotNull(state.Document);
                Assert.True(state.Journal.Length <= content.Length);
                sawContent += state.Journal.Length > 0 ? 1 : 0;
                reads++;
            }
        }
        finally
        {
            stop.Cancel();
            await writer;
        }

        Assert.True(sawContent >= 10, $"only {sawContent} of {reads} reads found the journal being written");
    }

    public void Dispose() => _dir.Dispose();
}
