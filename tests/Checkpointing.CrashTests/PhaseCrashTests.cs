using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Checkpointing.CrashTests.FileSystem;
using Checkpointing.CrashTests.Support;
using Checkpointing.Phases;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>The accumulator of the phase workload.</summary>
public sealed class PhaseWorkState
{
    public List<string> Done { get; set; } = [];

    public string Notes { get; set; } = "";
}

[JsonSerializable(typeof(PhaseWorkState))]
internal sealed partial class PhaseCrashJsonContext : JsonSerializerContext;

/// <summary>
/// Layer A for phase snapshots: a phase that saves six snapshots (each spanning several 512-byte sectors)
/// with retention at every save (two kept, a one-hour TTL, 25 minutes between saves) is crashed after
/// every operation, under the process-crash and power-loss models and adversarial devices, and ENOSPC or
/// EIO is injected at every write, fsync and rename. After each: once a save has returned, a valid
/// snapshot exists and the latest is at least that one; the latest returned is never torn (its state is
/// exactly what was saved under its sequence); the next open leaves no temp files; the phase can go on.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class PhaseCrashTests(ReliabilityReport report, ITestOutputHelper output)
{
    private const string Root = "/data/phases";
    private const string Phase = "phase_3";
    private const int Saves = 6;

    [Fact]
    public async Task Every_crash_point_of_saves_and_retention_leaves_a_valid_untorn_latest_snapshot()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = await CrashEverywhereAsync(new CrashFileSystem(record: true), 8 * report.Multiplier, report.BaseSeed);
        Finish("Exhaustive: phase snapshots", figures, stopwatch.Elapsed);
    }

    [Fact]
    public async Task The_checks_catch_a_save_that_skips_the_fsync_of_its_folder()
    {
        // A stand-in for a broken runtime: the new name may vanish in a power loss after the save returned
        // and retention removed the older snapshots. The exhaustive check must see it.
        var broken = new CrashFileSystem(record: true) { SkipFsyncOf = path => path.EndsWith(Phase, StringComparison.Ordinal) };
        var figures = await CrashEverywhereAsync(broken, devices: 0, seed: 1);
        Assert.True(figures.ViolationCount(Violation.ItemsLost) > 0, "losing a confirmed snapshot went unnoticed");
    }

    private static async Task<Figures> CrashEverywhereAsync(CrashFileSystem fs, int devices, int seed)
    {
        var figures = new Figures();
        var confirmedAt = await RunAsync(fs);
        var points = fs.MutationCount;
        figures.Seed($"phase snapshots: {Saves} saves with retention, {points} operations, crash points 0..{points}, {devices} adversarial devices per point, seed {seed}");
        for (var point = 0; point <= points; point++)
        {
            var confirmed = confirmedAt.Where(c => c.Value <= point).Select(c => (long)c.Key).DefaultIfEmpty(0).Max();
            var states = new List<(CrashState State, CrashModel Model, string Label)>
            {
                (fs.CrashAfter(point, CrashModel.ProcessCrash), CrashModel.ProcessCrash, $"phase, crash after operation {point}, process crash"),
                (fs.CrashAfter(point, CrashModel.PowerLoss), CrashModel.PowerLoss, $"phase, crash after operation {point}, power loss"),
            };
            for (var device = 0; device < devices; device++)
            {
                states.Add((fs.CrashAfter(point, CrashModel.Adversarial, new Random(HashCode.Combine(seed, point, device))), CrashModel.Adversarial, $"phase, crash after operation {point}, adversarial device {device} (seed {seed})"));
            }

            foreach (var (state, model, label) in states)
            {
                await VerifyAsync(CrashFileSystem.FromState(state), confirmed, figures, label);
                figures.Tested($"crash states: {ExhaustiveCrashTests.ModelName(model)}");
                figures.Tested("crash states of phase snapshots");
            }
        }

        return figures;
    }

    [Fact]
    public async Task Every_write_fsync_and_rename_of_saves_and_retention_can_fail()
    {
        var stopwatch = Stopwatch.StartNew();
        var figures = new Figures();
        var clean = new CrashFileSystem();
        await RunAsync(clean);
        var (writes, fsyncs, renames) = clean.OperationCounts;
        figures.Seed($"phase snapshots: a clean run does {writes} writes, {fsyncs} fsyncs, {renames} renames; each fails in turn with ENOSPC and EIO, once and for good (deterministic)");
        foreach (var (operation, count) in new[] { (FaultOperation.Write, writes), (FaultOperation.Fsync, fsyncs), (FaultOperation.Rename, renames) })
        {
            for (var nth = 1; nth <= count; nth++)
            {
                foreach (var kind in new[] { FaultKind.NoSpace, FaultKind.IoError })
                {
                    foreach (var permanent in new[] { false, true })
                    {
                        var plan = new FaultPlan(operation, nth, kind, permanent);
                        var fs = new CrashFileSystem(record: true) { Fault = plan };
                        var confirmed = 0L;
                        try
                        {
                            confirmed = (await RunAsync(fs)).Keys.DefaultIfEmpty(0).Max();
                        }
                        catch (IOException e)
                        {
                            confirmed = e.Data["confirmed"] is long c ? c : 0;
                            if (!e.Message.Contains(kind == FaultKind.NoSpace ? FaultPlan.NoSpaceMessage : FaultPlan.IoErrorMessage, StringComparison.Ordinal) ||
                                !(e.Message.Contains(Phase, StringComparison.Ordinal) || e is PhaseLockedException))
                            {
                                figures.Violated(Violation.UnclearErrors, $"{plan}: {e.Message}");
                            }
                        }

                        if (fs.FsyncsOverStaleData > 0)
                        {
                            figures.Violated(Violation.FsyncRetriedOnStaleData, $"{plan}: {fs.FsyncsOverStaleData} fsync(s) over dropped data");
                        }

                        fs.Fault = null;
                        await VerifyAsync(CrashFileSystem.FromState(fs.CrashNow(CrashModel.ProcessCrash)), confirmed, figures, $"{plan}, as left");
                        await VerifyAsync(CrashFileSystem.FromState(fs.CrashNow(CrashModel.PowerLoss)), confirmed, figures, $"{plan}, then a power loss");
                        figures.Tested("crash states: after a fault", 2);
                        figures.Tested("phase snapshot faults injected");
                    }
                }
            }
        }

        Finish("Fault injection: phase snapshots", figures, stopwatch.Elapsed);
    }

    /// <summary>The state of save number <paramref name="sequence"/>: about 1.5 KB, so a torn sector shows.</summary>
    private static PhaseWorkState StateOf(long sequence) => new()
    {
        Done = Enumerable.Range(1, (int)sequence).Select(i => $"book_{i:000}").ToList(),
        Notes = string.Concat(Enumerable.Repeat($"snapshot {sequence}; ", 70)),
    };

    private static PhaseCheckpointOptions Options(TimeProvider clock) => new()
    {
        Root = Root,
        Phase = Phase,
        MinSaveInterval = TimeSpan.Zero,
        MaxSnapshots = 2,
        Ttl = TimeSpan.FromHours(1),
        TimeProvider = clock,
    };

    private static Task<PhaseCheckpoint<PhaseWorkState>> OpenAsync(CrashFileSystem fs, TimeProvider clock) =>
        PhaseCheckpoint<PhaseWorkState>.OpenAsync(fs, Options(clock), PhaseCrashJsonContext.Default.PhaseWorkState, CancellationToken.None);

    /// <summary>Runs the workload; returns, per sequence, the mutation count when its save returned.</summary>
    private static async Task<Dictionary<int, int>> RunAsync(CrashFileSystem fs)
    {
        var confirmedAt = new Dictionary<int, int>();
        var clock = new ManualClock();
        try
        {
            await using var phase = await OpenAsync(fs, clock);
            for (var sequence = 1; sequence <= Saves; sequence++)
            {
                var state = StateOf(sequence);
                if (sequence == Saves)
                {
                    await phase.CompleteAsync(sequence, state);
                }
                else
                {
                    await phase.SaveAsync(sequence, state);
                }

                confirmedAt[sequence] = fs.MutationCount;
                clock.Advance(TimeSpan.FromMinutes(25));
            }
        }
        catch (IOException e)
        {
            e.Data["confirmed"] = (long)confirmedAt.Keys.DefaultIfEmpty(0).Max();
            throw;
        }

        return confirmedAt;
    }

    private static async Task VerifyAsync(CrashFileSystem fs, long confirmed, Figures figures, string label)
    {
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromMinutes(25 * Saves));
        try
        {
            await using var phase = await OpenAsync(fs, clock);
            var leftovers = fs.AllFiles().Where(f => AtomicFile.IsTempFileName(Path.GetFileName(f))).ToList();
            if (leftovers.Count > 0)
            {
                figures.Violated(Violation.LeftoverTempFiles, $"{label}: {string.Join(", ", leftovers)}");
            }

            var latest = await phase.LoadLatestAsync();
            if (latest is null)
            {
                if (confirmed > 0)
                {
                    figures.Violated(Violation.ItemsLost, $"{label}: no valid snapshot left although save {confirmed} had returned");
                }
            }
            else
            {
                if (latest.Sequence < confirmed)
                {
                    figures.Violated(Violation.ItemsLost, $"{label}: the latest is save {latest.Sequence} although save {confirmed} had returned");
                }

                if (Json(latest.State) != Json(StateOf(latest.Sequence)) || latest.Iteration != latest.Sequence || latest.IsComplete != (latest.Sequence == Saves))
                {
                    figures.Violated(Violation.BadOutputsAccepted, $"{label}: the latest snapshot (sequence {latest.Sequence}) is not what was saved under that sequence");
                }
            }

            // The phase goes on: the next save is the latest.
            var next = (latest?.Sequence ?? 0) + 100;
            await phase.SaveAsync(next, StateOf(next), force: true);
            var after = await phase.LoadLatestAsync();
            if (after is null || after.Iteration != next || Json(after.State) != Json(StateOf(next)))
            {
                figures.Violated(Violation.NoProgress, $"{label}: a save after recovery is not the latest");
            }
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or InvalidOperationException)
        {
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: {e.GetType().Name}: {e.Message}");
        }
    }

    private static string Json(PhaseWorkState state) => JsonSerializer.Serialize(state, PhaseCrashJsonContext.Default.PhaseWorkState);

    private void Finish(string title, Figures figures, TimeSpan elapsed)
    {
        report.Record(title, figures, elapsed);
        output.WriteLine(figures.ToMarkdown(title));
        Assert.True(figures.TotalViolations == 0, $"{figures.TotalViolations} violation(s):\n" + string.Join('\n', figures.Examples));
    }

    /// <summary>A clock that moves only when told: the TTL of retention then expires at fixed saves.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private static readonly DateTimeOffset Start = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        private TimeSpan _elapsed;

        public void Advance(TimeSpan by) => _elapsed += by;

        public override DateTimeOffset GetUtcNow() => Start + _elapsed;

        public override long GetTimestamp() => _elapsed.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
