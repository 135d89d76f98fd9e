using System.Globalization;
using System.Linq;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Shared;
using static Checkpointing.Generators.Shared.GeneratedCode;
using static Checkpointing.Generators.Shared.TypeDeclarations;

namespace Checkpointing.Generators.Checkpointed.Emit;

/// <summary>Writes the members of one stage: a pure function of the model.</summary>
internal static partial class CheckpointedEmitter
{
    public static (string HintName, string Source) Emit(CheckpointedStage stage) =>
        (stage.HintName, WriteFile(stage.Namespace, stage.ContainingTypes.Select(t => t.Declaration), stage.TypeDeclaration, writer =>
        {
            if (stage.SharedFile is { } sharedFile)
            {
                WriteSharedFileMembers(writer, stage, sharedFile);
            }
            else
            {
                WriteMembers(writer, stage);
            }
        }));

    private static void WriteMembers(IndentedWriter writer, CheckpointedStage stage)
    {
        var access = Keyword(stage.MemberAccessibility);
        var definition = $"global::Checkpointing.StageDefinition<{stage.ItemType}, {stage.OutputType}>";
        var stageLiteral = Literal(stage.StageName);
        var outputDirectory = stage.OutputDirectory is null ? "null" : Literal(stage.OutputDirectory);
        var outputFolder = stage.OutputDirectory is null ? "StageName" : Literal(stage.OutputDirectory);
        var hasValidator = stage.ValidationRules.Count > 0 || stage.ValidateMethod is not null || stage.OutputIsReferenceType;
        var validatorIsStatic = stage.ValidateMethod is null || stage.ValidateIsStatic;

        writer.Line($$"""
            /// <summary>The stage name: its checkpoint is <c>checkpoints/{{Xml(stage.StageName)}}.json</c> under the run folder.</summary>
            {{Attribute}}
            public const string StageName = {{stageLiteral}};

            /// <summary>Creates the definition that <see cref="RunAsync"/> passes to <see cref="global::Checkpointing.StageRunner"/>.</summary>
            {{Attribute}}
            {{access}} {{definition}} CreateDefinition()
            {
                return {{Definition(stage, definition, outputDirectory, hasValidator, validatorIsStatic)}};
            }

            /// <summary>
            /// Runs the stage over <paramref name="items"/>: skips the items an earlier run completed, processes
            /// the rest, saves each output before marking it complete and accumulates the cost across runs.
            /// </summary>
            /// <param name="items">The items; each item's key names its output file.</param>
            /// <param name="options">The root folder, run id and run settings.</param>
            /// <param name="cancellationToken">Stops the run; completed items stay completed.</param>
            {{Attribute}}
            {{access}} global::System.Threading.Tasks.Task<global::Checkpointing.StageRunResult> RunAsync(
                global::System.Collections.Generic.IEnumerable<{{stage.ItemType}}> items,
                global::Checkpointing.StageRunOptions options,
                global::System.Threading.CancellationToken cancellationToken = default)
            {
                return global::Checkpointing.StageRunner.RunAsync(CreateDefinition(), items, options, cancellationToken);
            }

            /// <summary>Reads this stage's checkpoint for a run, or returns null when the stage has not started.</summary>
            /// <param name="root">The storage root.</param>
            /// <param name="runId">The run id.</param>
            {{Attribute}}
            public static global::Checkpointing.Store.StageCheckpointDocument? ReadStatus(string root, string runId)
            {
                return global::Checkpointing.Store.FileCheckpointStore.ReadState(root, runId, StageName);
            }

            /// <summary>Reads this stage's saved output of <paramref name="key"/> in the run of <paramref name="options"/>, e.g. in the next stage.</summary>
            /// <param name="options">The run to read from (its root and run id).</param>
            /// <param name="key">The item's key, as in the checkpoint and the output file name.</param>
            /// <exception cref="global::Checkpointing.StageOutputNotFoundException">This stage has no output for the key.</exception>
            /// <exception cref="global::System.FormatException">The output file is unreadable; the message names it.</exception>
            {{Attribute}}
            {{access}} static {{stage.OutputType}} ReadOutput(global::Checkpointing.StageRunOptions options, string key)
            {
                return global::Checkpointing.StageOutputs.Read(options, StageName, {{outputFolder}}, key, GetOutputTypeInfoGenerated());
            }

            /// <summary>Reads this stage's saved output of <paramref name="key"/>, or returns false when it has none.</summary>
            /// <param name="options">The run to read from (its root and run id).</param>
            /// <param name="key">The item's key, as in the checkpoint and the output file name.</param>
            /// <param name="output">The output, when there is one.</param>
            {{Attribute}}
            {{access}} static bool TryReadOutput(global::Checkpointing.StageRunOptions options, string key, [global::System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out {{stage.OutputType}} output)
            {
                return global::Checkpointing.StageOutputs.TryRead(options, {{outputFolder}}, key, GetOutputTypeInfoGenerated(), out output);
            }

            /// <summary>Reads every saved output of this stage in the run of <paramref name="options"/>, in key order.</summary>
            /// <param name="options">The run to read from (its root and run id).</param>
            {{Attribute}}
            {{access}} static global::System.Collections.Generic.IEnumerable<global::Checkpointing.StageOutput<{{stage.OutputType}}>> ReadOutputs(global::Checkpointing.StageRunOptions options)
            {
                return global::Checkpointing.StageOutputs.ReadAll(options, {{outputFolder}}, GetOutputTypeInfoGenerated());
            }

            {{Attribute}}
            private static global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{{stage.OutputType}}> GetOutputTypeInfoGenerated()
            {
                return {{TypeInfo(stage)}};
            }
            """);

        if (hasValidator)
        {
            writer.Line();
            WriteValidator(writer, stage, validatorIsStatic);
        }

        var patterns = stage.ValidationRules.OfType<PatternRule>().ToList();
        for (var i = 0; i < patterns.Count; i++)
        {
            writer.Line();
            writer.Line($$"""
                {{Attribute}}
                private static readonly global::System.Text.RegularExpressions.Regex ValidateOutputPattern{{i}} =
                    new({{Literal(patterns[i].Pattern)}}, global::System.Text.RegularExpressions.RegexOptions.CultureInvariant);
                """);
        }
    }

    /// <summary>
    /// The <c>StageDefinition</c> of <c>CreateDefinition</c>; lines after the first are indented for a method body.
    /// A stage class that implements <c>IStageSaveHookSource&lt;TOutput&gt;</c> (by hand, or through another generator
    /// such as Checkpointing.Lsi's <c>[CumulativeCsv]</c>) has its hook opened by the runner; this generator cannot
    /// see another generator's output, so the test is made when the stage runs.
    /// </summary>
    private static string Definition(CheckpointedStage stage, string definition, string outputDirectory, bool hasValidator, bool validatorIsStatic)
    {
        var validate = hasValidator
            ? (validatorIsStatic ? "static output => ValidateOutputGenerated(output)" : "output => ValidateOutputGenerated(output)")
            : "null";
        return $"new {definition}\n" +
               "    {\n" +
               "        StageName = StageName,\n" +
               $"        OutputDirectory = {outputDirectory},\n" +
               $"        GetKey = {GetKey(stage)},\n" +
               $"        ProcessAsync = {Process(stage)},\n" +
               $"        OutputTypeInfo = {TypeInfo(stage)},\n" +
               $"        Validate = {validate},\n" +
               $"        OpenSaveHookAsync = (object)this is global::Checkpointing.IStageSaveHookSource<{stage.OutputType}> saveHooks ? saveHooks.OpenSaveHookAsync : null,\n" +
               "    }";
    }

    private static string GetKey(CheckpointedStage stage)
    {
        var argument = stage.KeyKind == CheckpointedKeyKind.Self ? "item" : "item." + stage.KeyMember + (stage.KeyMayBeNull ? " ?? \"\"" : "");
        return $"static item => global::Checkpointing.CheckpointKeys.From({argument})";
    }

    private static string Process(CheckpointedStage stage)
    {
        var arguments = "item" + (stage.TakesContext ? ", context" : "") + (stage.TakesCancellationToken ? ", cancellationToken" : "");
        var call = (stage.ProcessIsStatic ? "" : "this.") + stage.ProcessMethod + "(" + arguments + ")";
        var body = stage.ReturnKind == CheckpointedReturnKind.ValueTask
            ? call
            : $"new global::System.Threading.Tasks.ValueTask<{stage.OutputType}>({call})";
        return $"{(stage.ProcessIsStatic ? "static " : "")}(item, context, cancellationToken) => {body}";
    }

    private static string TypeInfo(CheckpointedStage stage)
    {
        var typeInfo = $"global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{stage.OutputType}>";
        if (stage.JsonContextType is { } context)
        {
            var message = Literal($"{context.Replace("global::", "")} has no JSON metadata for {stage.OutputTypeOfName.Replace("global::", "")}; add [JsonSerializable(typeof({stage.OutputTypeOfName.Replace("global::", "")}))] to it.");
            return $"{context}.Default.GetTypeInfo(typeof({stage.OutputTypeOfName})) as {typeInfo}\n            ?? throw new global::System.InvalidOperationException({message})";
        }

        return $"({typeInfo})global::System.Text.Json.JsonSerializerOptions.Default.GetTypeInfo(typeof({stage.OutputTypeOfName}))";
    }
}
