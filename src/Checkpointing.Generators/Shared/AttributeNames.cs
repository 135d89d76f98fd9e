using System;

namespace Checkpointing.Generators.Shared;

/// <summary>An attribute's simple name with and without the <c>Attribute</c> suffix, e.g. <c>Checkpointed</c>/<c>CheckpointedAttribute</c>.</summary>
internal sealed class AttributeNames
{
    public AttributeNames(string metadataName)
    {
        MetadataName = metadataName;
        LongName = metadataName.Substring(metadataName.LastIndexOf('.') + 1);
        ShortName = LongName.EndsWith("Attribute", StringComparison.Ordinal) ? LongName.Substring(0, LongName.Length - 9) : LongName;
    }

    /// <summary>The attribute class's full metadata name, e.g. <c>Checkpointing.CheckpointedAttribute</c>.</summary>
    public string MetadataName { get; }

    public string LongName { get; }

    public string ShortName { get; }

    public bool Matches(string writtenName) => writtenName == ShortName || writtenName == LongName;
}
