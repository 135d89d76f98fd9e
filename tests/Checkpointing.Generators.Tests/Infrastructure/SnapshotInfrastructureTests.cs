namespace Checkpointing.Generators.Tests.Infrastructure;

public sealed class SnapshotInfrastructureTests
{
    [Fact]
    public void A_mismatch_fails_with_the_received_path_and_a_diff()
    {
        var directory = Path.Combine(Path.GetTempPath(), "snap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "Snapshots"));
        var caller = Path.Combine(directory, "FakeTests.cs");
        File.WriteAllText(Path.Combine(directory, "Snapshots", "FakeTests.Method#Name.verified.cs"), "line 1\nline 2\n");
        try
        {
            if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") is "1" or "true")
            {
                return; // accepting mode rewrites snapshots by design
            }

            var failure = Assert.ThrowsAny<Exception>(() => Snapshot.VerifyText("line 1\nline two\n", "Name", caller, "Method"));
            Assert.Contains("FakeTests.Method#Name.received.cs", failure.Message);
            Assert.Contains("+ 2: line two", failure.Message);
            Assert.True(File.Exists(Path.Combine(directory, "Snapshots", "FakeTests.Method#Name.received.cs")));

            Snapshot.VerifyText("line 1\nline 2\n", "Name", caller, "Method");
            Assert.False(File.Exists(Path.Combine(directory, "Snapshots", "FakeTests.Method#Name.received.cs")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
