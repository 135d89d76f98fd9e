using System.Text;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// The crash file system itself: each model keeps exactly what it promises, faults fire where planned,
/// and the recovery checks catch a runtime that skips a needed fsync (so the suite can fail).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CrashFileSystemTests
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello");
    private static readonly byte[] World = Encoding.UTF8.GetBytes(" world");

    [Fact]
    public void Unsynced_data_survives_a_process_crash_but_not_a_power_loss()
    {
        var fs = new CrashFileSystem(record: true);
        fs.CreateDirectory("/d");
        using (var file = fs.Open("/d/f", FileOpenMode.CreateNew))
        {
            file.Write(Hello);
            file.Fsync();
            fs.FsyncDirectory("/d");
            file.Write(World);
        }

        var end = fs.MutationCount;
        Assert.Equal("hello world", Encoding.UTF8.GetString(fs.CrashAfter(end, CrashModel.ProcessCrash).Files["/d/f"]));
        Assert.Equal("hello", Encoding.UTF8.GetString(fs.CrashAfter(end, CrashModel.PowerLoss).Files["/d/f"]));
        Assert.False(fs.CrashAfter(2, CrashModel.PowerLoss).Files.ContainsKey("/d/f"));
    }

    [Fact]
    public void A_rename_is_durable_only_after_its_directory_is_fsynced()
    {
        var fs = new CrashFileSystem(record: true);
        fs.Put("/d/target", Hello);
        using (var temp = fs.Open("/d/temp", FileOpenMode.CreateNew))
        {
            temp.Write(World);
            temp.Fsync();
        }

        fs.Rename("/d/temp", "/d/target");
        var renamed = fs.MutationCount;
        fs.FsyncDirectory("/d");
        Assert.Equal(Hello, fs.CrashAfter(renamed, CrashModel.PowerLoss).Files["/d/target"]);
        Assert.Equal(World, fs.CrashAfter(renamed, CrashModel.ProcessCrash).Files["/d/target"]);
        Assert.Equal(World, fs.CrashAfter(renamed + 1, CrashModel.PowerLoss).Files["/d/target"]);
        var outcomes = Enumerable.Range(0, 64).Select(i => fs.CrashAfter(renamed, CrashModel.Adversarial, new Random(i)).Files["/d/target"]).ToList();
        Assert.Contains(outcomes, o => o.SequenceEqual(Hello));
        Assert.Contains(outcomes, o => o.SequenceEqual(World));
    }

    [Fact]
    public void The_adversarial_device_tears_unsynced_overwrites_at_sector_boundaries_and_garbles_appends()
    {
        var fs = new CrashFileSystem(record: true);
        fs.Put("/d/f", Enumerable.Repeat((byte)'a', 1024).ToArray());
        using (var file = fs.Open("/d/f", FileOpenMode.Create))
        {
            file.Write(Enumerable.Repeat((byte)'b', 1536).ToArray());
        }

        var states = Enumerable.Range(0, 200).Select(i => fs.CrashAfter(fs.MutationCount, CrashModel.Adversarial, new Random(i)).Files["/d/f"]).ToList();
        Assert.Contains(states, s => s.Length >= 1024 && s[0] == 'a' && s[600] == 'b');
        Assert.Contains(states, s => s.Length >= 1024 && s[0] == 'b' && s[600] == 'a');
        Assert.Contains(states, s => s.Length > 1024 && s[1100] == 0);
        Assert.Contains(states, s => s.Length is > 1024 and < 1536);
        foreach (var state in states)
        {
            for (var sector = 0; sector * 512 < Math.Min(state.Length, 1024); sector++)
            {
                var bytes = state.Skip(sector * 512).Take(Math.Min(512, state.Length - (sector * 512))).Distinct().ToList();
                Assert.Single(bytes); // whole sectors: old or new, never a mix inside one
            }
        }
    }

    [Fact]
    public void A_failed_fsync_marks_the_data_clean_so_a_retried_fsync_is_detected()
    {
        var fs = new CrashFileSystem { Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false) };
        fs.CreateDirectory("/d");
        using var file = fs.Open("/d/f", FileOpenMode.CreateNew);
        file.Write(Hello);
        var error = Assert.Throws<IOException>(file.Fsync);
        Assert.Contains(FaultPlan.IoErrorMessage, error.Message);
        Assert.Equal(5, error.HResult);
        file.Fsync();
        Assert.Equal(1, fs.FsyncsOverStaleData);
        Assert.Equal(1, fs.FaultsFired);
    }

    [Fact]
    public void Faults_fire_at_the_nth_operation_once_or_for_good()
    {
        var once = new CrashFileSystem { Fault = new FaultPlan(FaultOperation.Write, 2, FaultKind.NoSpace, Permanent: false) };
        var always = new CrashFileSystem { Fault = new FaultPlan(FaultOperation.Write, 2, FaultKind.NoSpace, Permanent: true) };
        foreach (var fs in new[] { once, always })
        {
            fs.CreateDirectory("/d");
            using var file = fs.Open("/d/f", FileOpenMode.CreateNew);
            file.Write(Hello);
            var error = Assert.Throws<IOException>(() => file.Write(Hello));
            Assert.Equal(28, error.HResult);
            Assert.Contains(FaultPlan.NoSpaceMessage, error.Message);
            if (fs == once)
            {
                file.Write(Hello);
            }
            else
            {
                Assert.Throws<IOException>(() => file.Write(Hello));
            }
        }
    }

    [Theory]
    [InlineData(".journal", Violation.ItemsLost)]
    [InlineData(".ckpt.tmp", Violation.MarkedWithoutOutput)]
    public async Task The_checks_catch_a_runtime_that_skips_an_fsync(string skippedSuffix, string expected)
    {
        // Without the journal's fsync, confirmed marks vanish at a power loss; without the output's
        // fsync, a mark can outlive its output. The suite must see both.
        var fs = new CrashFileSystem(record: true) { SkipFsyncOf = path => path.EndsWith(skippedSuffix, StringComparison.Ordinal) };
        var outcome = await Workload.RunAsync(fs, 3);
        Assert.Null(outcome.Error);
        var figures = new Figures();
        for (var point = 0; point <= fs.MutationCount; point++)
        {
            var confirmed = outcome.ConfirmedAt.Where(p => p.Value <= point).Select(p => p.Key);
            await RecoveryVerifier.VerifyAsync(fs.CrashAfter(point, CrashModel.PowerLoss), confirmed, 3, figures, $"point {point}");
        }

        Assert.True(figures.ViolationCount(expected) > 0, $"skipping the fsync of *{skippedSuffix} went unnoticed: " + string.Join('\n', figures.Examples));
    }

    [Fact]
    public async Task The_checks_catch_a_completed_item_whose_output_fails_validation()
    {
        var fs = new CrashFileSystem();
        Assert.Null((await Workload.RunAsync(fs, 3)).Error);
        fs.Put(Workload.OutputDirectory + "/000002.json", StageOutputFile.Serialize("000002", new WorkOutput(2, "wrong"), Workload.CostOf(2), StepClock.Shared.GetUtcNow(), CrashJsonContext.Default.WorkOutput));
        var figures = new Figures();
        RecoveryVerifier.CompareWithReference(fs, 3, figures, "planted bad output");
        Assert.Equal(1, figures.ViolationCount(Violation.BadOutputsAccepted));
    }
}
