namespace Checkpointing.SharedFiles;

/// <summary>How a run of a shared file starts; see <see cref="SharedFileStart"/>.</summary>
public enum SharedFileStartKind
{
    /// <summary>Skip completed items; process pending and failed ones.</summary>
    Resume,

    /// <summary>Set the file aside and process every item into a new one.</summary>
    Fresh,

    /// <summary>Process the items from a 1-based position on, completed or not.</summary>
    FromItem,

    /// <summary>Process the items of a 1-based batch and later ones again, plus pending ones.</summary>
    FromBatch,
}
