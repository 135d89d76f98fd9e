namespace Checkpointing.Generators.Checkpointed.Model;

/// <summary>A stage whose outputs are rows of one shared file (<c>[SharedFileOutput]</c>), saved in batches.</summary>
/// <param name="FormatType">The format type, fully qualified; it has a parameterless constructor.</param>
/// <param name="FileName">The shared file, relative to the run folder.</param>
internal sealed record SharedFileModel(string FormatType, string FileName);
