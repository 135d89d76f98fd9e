using System.Globalization;
using Checkpointing.TestSupport;

namespace Checkpointing.CrashTests.Support;

/// <summary>The crash tests' way to start the worker's <c>stage</c> command (the launcher is the shared <see cref="WorkerProcess"/>).</summary>
internal static class Worker
{
    /// <summary>Starts <c>stage</c> on <paramref name="root"/>; <paramref name="failpoint"/> arms <c>CHECKPOINTING_FAILPOINT</c>.</summary>
    public static WorkerProcess StartStage(string root, int items, int parallel, int delayMs, string? failpoint = null, params string[] moreArguments) =>
        WorkerProcess.Start(
            [
                "stage", "--root", root, "--run-id", RealWorkload.RunId, "--items", items.ToString(CultureInfo.InvariantCulture),
                "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--delay-ms", delayMs.ToString(CultureInfo.InvariantCulture),
                .. moreArguments,
            ],
            failpoint);
}
