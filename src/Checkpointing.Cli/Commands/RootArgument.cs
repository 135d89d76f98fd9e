namespace Checkpointing.Cli.Commands;

/// <summary>Checks the root and run arguments the commands share.</summary>
internal static class RootArgument
{
    /// <summary>
    /// The full path of an existing root. A run's folder (one holding <c>checkpoints/</c>) is accepted too and
    /// names its run, so <c>checkpoint status data/scan-0042</c> works like <c>status data --run scan-0042</c>.
    /// </summary>
    public static (string Root, string? RunId) Resolve(string root, string? runId)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new UsageException($"Root folder '{full}' does not exist.");
        }

        if (runId is null && Directory.Exists(Path.Combine(full, Inspection.StageLocation.CheckpointsFolder)) && Path.GetDirectoryName(full) is { } parent)
        {
            return (parent, Path.GetFileName(full));
        }

        if (runId is not null)
        {
            if (CheckpointKeys.GetProblem(runId) is { } problem)
            {
                throw new UsageException($"Run id '{runId}' is not a folder name: {problem}.");
            }

            if (!Directory.Exists(Path.Combine(full, runId)))
            {
                throw new UsageException($"Run '{runId}' not found: '{Path.Combine(full, runId)}' does not exist.");
            }
        }

        return (full, runId);
    }
}
