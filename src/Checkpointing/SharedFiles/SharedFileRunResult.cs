namespace Checkpointing.SharedFiles;

/// <summary>What one <see cref="SharedFileRunner"/> run did.</summary>
/// <param name="FilePath">The shared file.</param>
/// <param name="Status">How the run ended.</param>
/// <param name="Processed">Items whose rows this run saved.</param>
/// <param name="Skipped">Items already completed (or before the start item) that this run did not process.</param>
/// <param name="Failed">Items that failed in this run (pending; retried next run).</param>
/// <param name="BatchesSaved">Batches this run saved.</param>
/// <param name="Completed">Items completed in the checkpoint after the run.</param>
/// <param name="CostUsd">The cost of the items this run saved.</param>
/// <param name="TotalCostUsd">The cost of every saved item since the last fresh start.</param>
/// <param name="Recovery">What opening found (an adopted interrupted save, a forced mismatch), if anything.</param>
public sealed record SharedFileRunResult(string FilePath, SharedFileRunStatus Status, int Processed, int Skipped, int Failed, int BatchesSaved, int Completed, decimal CostUsd, decimal TotalCostUsd, string? Recovery);
