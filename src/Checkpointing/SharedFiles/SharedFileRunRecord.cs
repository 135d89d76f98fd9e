namespace Checkpointing.SharedFiles;

/// <summary>One run over a shared file, as the checkpoint records it.</summary>
/// <param name="Run">The 1-based run number.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="EndedAt">When it ended; <see langword="null"/> while running or when its process died.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Start">How it started: <c>resume</c>, <c>fresh</c>, <c>item:N</c> or <c>batch:N</c>.</param>
/// <param name="Processed">The items it saved.</param>
/// <param name="Failed">The items that failed in it.</param>
/// <param name="Batches">The batches it saved.</param>
/// <param name="Error">Its error, when it failed.</param>
public sealed record SharedFileRunRecord(int Run, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, SharedFileRunStatus Status, string Start, int Processed, int Failed, int Batches, string? Error);
