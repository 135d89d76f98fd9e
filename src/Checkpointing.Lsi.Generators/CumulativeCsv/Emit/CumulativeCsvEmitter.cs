using Checkpointing.Generators.CumulativeCsv.Model;
using Checkpointing.Generators.Shared;
using static Checkpointing.Generators.Shared.GeneratedCode;
using static Checkpointing.Generators.Shared.TypeDeclarations;

namespace Checkpointing.Generators.CumulativeCsv.Emit;

/// <summary>
/// Writes the members of a <c>[CumulativeCsv]</c> stage: a pure function of the model. The stage class becomes an
/// <c>IStageSaveHookSource&lt;TOutput&gt;</c>, so the runner appends each saved output to the CSV before marking its item.
/// It calls two members the <c>[Checkpointed]</c> generator writes in the same class: <c>StageName</c> and
/// <c>GetOutputTypeInfoGenerated()</c> (the two generators ship and version together).
/// </summary>
internal static class CumulativeCsvEmitter
{
    public static (string HintName, string Source) Emit(CumulativeCsvStage stage) =>
        (stage.HintName, WriteFile(stage.Namespace, stage.ContainingTypes,
            $"{stage.TypeDeclaration} : global::Checkpointing.IStageSaveHookSource<{stage.OutputType}>",
            writer => WriteMembers(writer, stage)));

    private static void WriteMembers(IndentedWriter writer, CumulativeCsvStage stage)
    {
        var access = Keyword(stage.MemberAccessibility);
        var output = stage.OutputType;
        var checkpoint = $"global::Checkpointing.Csv.CumulativeCsvCheckpoint<{output}>";
        var outputFolder = stage.OutputDirectory is null ? "StageName" : Literal(stage.OutputDirectory);
        writer.Line($$"""
            /// <summary>The imprint of the cumulative CSV that each saved output is appended to.</summary>
            {{Attribute}}
            public const string CumulativeCsvImprint = {{Literal(stage.Imprint)}};

            /// <summary>The key of an output's row in the cumulative CSV: a redone item replaces the row of the same key.</summary>
            /// <param name="output">The output.</param>
            {{Attribute}}
            {{access}} static string GetCumulativeCsvKey({{output}} output)
            {
                return {{RowKey(stage)}};
            }

            /// <summary>
            /// Opens the run's latest cumulative CSV (<c>cumulative_checkpoint_YYYYMMDD_HHMM_{{Xml(stage.Imprint)}}.csv</c> in
            /// <c>&lt;Root&gt;/&lt;RunId&gt;</c>), or creates it, for example to finalize the batch CSV after <c>RunAsync</c>,
            /// which opens and closes its own (a new file when <see cref="global::Checkpointing.StageRunOptions.Resume"/> is off).
            /// </summary>
            /// <param name="options">The run whose CSV to open.</param>
            /// <param name="cancellationToken">Cancels opening.</param>
            /// <exception cref="global::Checkpointing.Csv.CumulativeCsvLockedException">Another writer has the CSV open, such as a running stage.</exception>
            {{Attribute}}
            {{access}} static global::System.Threading.Tasks.Task<{{checkpoint}}> OpenCumulativeCsvAsync(
                global::Checkpointing.StageRunOptions options,
                global::System.Threading.CancellationToken cancellationToken = default)
            {
                return OpenCumulativeCsvCoreAsync(options, resumeLatest: true, StageName, {{outputFolder}}, GetOutputTypeInfoGenerated(), cancellationToken);
            }

            /// <summary>The path of the run's latest cumulative CSV, or null when the stage has not created one.</summary>
            /// <param name="root">The storage root.</param>
            /// <param name="runId">The run id.</param>
            {{Attribute}}
            public static string? FindCumulativeCsv(string root, string runId)
            {
                return global::Checkpointing.Csv.CumulativeCsv.FindLatest(global::System.IO.Path.Combine(root, runId), CumulativeCsvImprint);
            }

            /// <summary>
            /// The stage's save hook: each saved output is appended to the cumulative CSV of imprint <c>{{Xml(stage.Imprint)}}</c>
            /// in the run folder before its item is marked complete (a new file when the run does not resume); a redone item
            /// replaces its row.
            /// </summary>
            {{Attribute}}
            async global::System.Threading.Tasks.ValueTask<global::Checkpointing.IStageSaveHook<{{output}}>> global::Checkpointing.IStageSaveHookSource<{{output}}>.OpenSaveHookAsync(
                global::Checkpointing.StageSaveHookContext<{{output}}> context,
                global::System.Threading.CancellationToken cancellationToken)
            {
                return await OpenCumulativeCsvCoreAsync(context.Options, context.Options.Resume, context.StageName, context.OutputDirectory, context.OutputTypeInfo, cancellationToken).ConfigureAwait(false);
            }

            {{Attribute}}
            private static global::System.Threading.Tasks.Task<{{checkpoint}}> OpenCumulativeCsvCoreAsync(
                global::Checkpointing.StageRunOptions options,
                bool resumeLatest,
                string stageName,
                string outputDirectory,
                global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{{output}}> outputTypeInfo,
                global::System.Threading.CancellationToken cancellationToken)
            {
                global::System.ArgumentNullException.ThrowIfNull(options);
                return {{checkpoint}}.OpenOrCreateAsync(
                    global::System.IO.Path.Combine(options.Root, options.RunId),
                    CumulativeCsvImprint,
                    static output => GetCumulativeCsvKey(output),
                    new global::Checkpointing.Csv.CumulativeCsvOptions
                    {
                        Logger = options.Logger,
                        PipelineId = options.RunId,
                        ResumeLatest = resumeLatest,
                        Duplicates = global::Checkpointing.Csv.DuplicateRowPolicy.Replace,
                        // Finalizing checks every item the stage counts complete against the rows (file store only).
                        Stage = options.Store is null or global::Checkpointing.Store.FileCheckpointStore
                            ? new global::Checkpointing.Csv.CumulativeCsvStage(options.Root, options.RunId, stageName, outputDirectory, outputTypeInfo)
                            : null,
                    },
                    cancellationToken);
            }
            """);
    }

    private static string RowKey(CumulativeCsvStage stage)
    {
        var member = "output." + stage.KeyMember;
        return stage.KeyKind switch
        {
            CsvRowKeyKind.Isbn => $"global::Checkpointing.Lsi.LsiFormats.NormalizeIsbn({member})",
            CsvRowKeyKind.NullableString => member + " ?? \"\"",
            CsvRowKeyKind.CheckpointKey => $"global::Checkpointing.CheckpointKeys.From({member})",
            _ => member,
        };
    }
}
