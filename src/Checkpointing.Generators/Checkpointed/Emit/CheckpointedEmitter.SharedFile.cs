using System.Globalization;
using System.Linq;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Shared;
using static Checkpointing.Generators.Shared.GeneratedCode;
using static Checkpointing.Generators.Shared.TypeDeclarations;

namespace Checkpointing.Generators.Checkpointed.Emit;

/// <summary>The members of a <c>[SharedFileOutput]</c> stage: its outputs are rows of one shared file, run by <c>SharedFileRunner</c>.</summary>
internal static partial class CheckpointedEmitter
{
    private static void WriteSharedFileMembers(IndentedWriter writer, CheckpointedStage stage, SharedFileModel sharedFile)
    {
        var access = Keyword(stage.MemberAccessibility);
        var format = $"global::Checkpointing.SharedFiles.ISharedFileFormat<{stage.OutputType}>";
        writer.Line($$"""
            /// <summary>The stage name: its checkpoint is <c>checkpoints/{{Xml(stage.StageName)}}.batches.json</c> under the run folder.</summary>
            {{Attribute}}
            public const string StageName = {{Literal(stage.StageName)}};

            /// <summary>The shared file that holds every output as a row, relative to the run folder.</summary>
            {{Attribute}}
            public const string SharedFileName = {{Literal(sharedFile.FileName)}};

            /// <summary>Creates the format of the shared file, <see cref="{{Xml(sharedFile.FormatType)}}"/>.</summary>
            {{Attribute}}
            {{access}} static {{format}} CreateSharedFileFormat()
            {
                return new {{sharedFile.FormatType}}();
            }

            /// <summary>
            /// Options for <see cref="RunAsync"/> with this stage's checkpoint name and shared file; set the batch policy,
            /// start and the rest with <c>with { ... }</c>.
            /// </summary>
            /// <param name="root">The storage root.</param>
            /// <param name="runId">The run id.</param>
            {{Attribute}}
            public static global::Checkpointing.SharedFiles.SharedFileOptions CreateSharedFileOptions(string root, string runId)
            {
                return new global::Checkpointing.SharedFiles.SharedFileOptions { Root = root, RunId = runId, Name = StageName, FileName = SharedFileName };
            }

            /// <summary>
            /// Runs the stage over <paramref name="items"/>: skips the items an earlier run completed, processes the rest,
            /// and saves their outputs as rows of the shared file in batches; an item is complete once its batch is saved.
            /// </summary>
            /// <param name="items">Every item, in order (item 1 first).</param>
            /// <param name="options">The run, the batch policy and the start; see <see cref="CreateSharedFileOptions"/>.</param>
            /// <param name="cancellationToken">Stops the run after saving the rows done; then throws <see cref="global::System.OperationCanceledException"/>.</param>
            {{Attribute}}
            {{access}} global::System.Threading.Tasks.Task<global::Checkpointing.SharedFiles.SharedFileRunResult> RunAsync(
                global::System.Collections.Generic.IEnumerable<{{stage.ItemType}}> items,
                global::Checkpointing.SharedFiles.SharedFileOptions options,
                global::System.Threading.CancellationToken cancellationToken = default)
            {
                return global::Checkpointing.SharedFiles.SharedFileRunner.RunAsync(
                    items,
                    {{GetKey(stage)}},
                    {{Process(stage)}},
                    CreateSharedFileFormat(),
                    options,
                    cancellationToken);
            }

            /// <summary>Reads this stage's checkpoint for a run, or returns null when the stage has not started.</summary>
            /// <param name="root">The storage root.</param>
            /// <param name="runId">The run id.</param>
            {{Attribute}}
            public static global::Checkpointing.SharedFiles.SharedFileCheckpoint? ReadStatus(string root, string runId)
            {
                var path = global::Checkpointing.SharedFiles.SharedFileCheckpoint.PathFor(root, runId, StageName);
                return global::System.IO.File.Exists(path) ? global::Checkpointing.SharedFiles.SharedFileCheckpoint.Read(path) : null;
            }
            """);
    }
}
