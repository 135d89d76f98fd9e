namespace Checkpointing.SharedFiles;

/// <summary>A row of a shared file and the key of the item it belongs to.</summary>
/// <param name="Key">The item's key (unique in the file).</param>
/// <param name="Row">The row.</param>
/// <typeparam name="TRow">The row type.</typeparam>
public readonly record struct SharedFileRow<TRow>(string Key, TRow Row);
