using System.Globalization;
using System.Linq;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Shared;
using static Checkpointing.Generators.Shared.GeneratedCode;

namespace Checkpointing.Generators.Checkpointed.Emit;

/// <summary>The members of a stage with <c>CumulativeCsvImprint</c>: each saved output is appended to the imprint's cumulative CSV.</summary>
internal static partial class CheckpointedEmitter
{
    private static void WriteCumulativeCsv(IndentedWriter writer, CheckpointedStage stage, CumulativeCsvModel csv, string definition, string outputDirectory, bool hasValidator, bool validatorIsStatic)
    {
        var access = Keyword(stage.MemberAccessibility);
        var checkpoint = $"global::Checkpointing.Csv.CumulativeCsvCheckpoint<{stage.OutputType}>";
        writer.Line($$"""
            /// <summary>The imprint of the cumulative CSV that each saved output is appended to.</summary>
            {{Attribute}}
            public const string CumulativeCsvImprint = {{Literal(csv.Imprint)}};

            /// <summary>The key of an output's row in the cumulative CSV: a redone item replaces the row of the same key.</summary>
            /// <param name="output">The output.</param>
            {{Attribute}}
            {{access}} static string GetCumulativeCsvKey({{stage.OutputType}} output)
            {
                return {{RowKey(csv)}};
            }

            /// <summary>
            /// Opens the run's latest cumulative CSV (<c>cumulative_checkpoint_YYYYMMDD_HHMM_{{Xml(csv.Imprint)}}.csv</c> in
            /// <c>&lt;Root&gt;/&lt;RunId&gt;</c>), or creates it, for example to finalize the batch CSV after <see cref="RunAsync"/>,
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
                return OpenCumulativeCsvCoreAsync(options, resumeLatest: true, cancellationToken);
            }

            {{Attribute}}
            private static global::System.Threading.Tasks.Task<{{checkpoint}}> OpenCumulativeCsvCoreAsync(
                global::Checkpointing.StageRunOptions options,
                bool resumeLatest,
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
                            ? new global::Checkpointing.Csv.CumulativeCsvStage(options.Root, options.RunId, StageName, {{(stage.OutputDirectory is null ? "StageName" : outputDirectory)}}, {{TypeInfo(stage)}})
                            : null,
                    },
                    cancellationToken);
            }

            /// <summary>The path of the run's latest cumulative CSV, or null when the stage has not created one.</summary>
            /// <param name="root">The storage root.</param>
            /// <param name="runId">The run id.</param>
            {{Attribute}}
            public static string? FindCumulativeCsv(string root, string runId)
            {
                return global::Checkpointing.Csv.CumulativeCsv.FindLatest(global::System.IO.Path.Combine(root, runId), CumulativeCsvImprint);
            }

            /// <summary>The definition of <see cref="CreateDefinition()"/>, appending each saved output to <paramref name="cumulativeCsv"/>.</summary>
            {{Attribute}}
            private {{definition}} CreateDefinition({{checkpoint}} cumulativeCsv)
            {
                return {{Definition(stage, definition, outputDirectory, hasValidator, validatorIsStatic, onOutputSaved: "cumulativeCsv.OnOutputSavedAsync")}};
            }
            """);
    }

    private static string RowKey(CumulativeCsvModel csv)
    {
        var member = "output." + csv.KeyMember;
        return csv.KeyKind switch
        {
            CsvRowKeyKind.Isbn => $"global::Checkpointing.Lsi.LsiFormats.NormalizeIsbn({member})",
            CsvRowKeyKind.NullableString => member + " ?? \"\"",
            CsvRowKeyKind.CheckpointKey => $"global::Checkpointing.CheckpointKeys.From({member})",
            _ => member,
        };
    }
}
