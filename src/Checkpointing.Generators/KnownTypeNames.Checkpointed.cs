namespace Checkpointing.Generators;

/// <summary>Metadata names the generators look up; the generator never references the runtime assembly.</summary>
internal static partial class KnownTypeNames
{
    public const string Checkpointed = "Checkpointing.CheckpointedAttribute";
    public const string ProcessItem = "Checkpointing.ProcessItemAttribute";
    public const string CheckpointKey = "Checkpointing.CheckpointKeyAttribute";
    public const string ValidateOutput = "Checkpointing.ValidateOutputAttribute";
    public const string ItemContext = "Checkpointing.ItemContext";
    public const string Task = "System.Threading.Tasks.Task`1";
    public const string ValueTask = "System.Threading.Tasks.ValueTask`1";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";
    public const string JsonSerializable = "System.Text.Json.Serialization.JsonSerializableAttribute";
    public const string SharedFileOutput = "Checkpointing.SharedFiles.SharedFileOutputAttribute";
    public const string SharedFileFormat = "Checkpointing.SharedFiles.ISharedFileFormat`1";
    public const string DataAnnotationsNamespace = "System.ComponentModel.DataAnnotations";
}
