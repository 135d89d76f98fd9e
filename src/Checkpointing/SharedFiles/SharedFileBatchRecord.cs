namespace Checkpointing.SharedFiles;

/// <summary>One saved batch, as the checkpoint records it.</summary>
/// <param name="Batch">The 1-based batch number.</param>
/// <param name="Items">The rows the batch saved.</param>
/// <param name="Rows">The rows the file held after the batch.</param>
/// <param name="SavedAt">When the batch was saved.</param>
/// <param name="Sha256">The SHA-256 of the file after the batch (64 lower-case hex digits).</param>
/// <param name="CostUsd">The cost of the batch's items.</param>
/// <param name="Reason">Why the batch was saved.</param>
public sealed record SharedFileBatchRecord(int Batch, int Items, int Rows, DateTimeOffset SavedAt, string Sha256, decimal CostUsd, SharedFileBatchReason Reason);
