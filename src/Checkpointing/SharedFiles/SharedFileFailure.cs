namespace Checkpointing.SharedFiles;

/// <summary>A failed item, pending until a later run saves it.</summary>
/// <param name="Error">The error of its last attempt.</param>
/// <param name="At">When it last failed.</param>
/// <param name="Attempts">How many attempts failed.</param>
public sealed record SharedFileFailure(string Error, DateTimeOffset At, int Attempts);
