namespace Checkpointing.Csv;

/// <summary>
/// On a <c>[Checkpointed]</c> stage class: each saved output is also appended to the cumulative checkpoint CSV of
/// <see cref="Imprint"/> in the run folder (<c>cumulative_checkpoint_YYYYMMDD_HHMM_&lt;imprint&gt;.csv</c>), before the
/// item is marked complete; a redone item replaces its row. The output type must be an <c>[LsiRecord]</c> or CsvHelper
/// <c>[CsvRecord]</c> class with a row key: a <c>[CheckpointKey]</c> member, or the member mapped to the
/// <c>ISBN or SKU</c> LSI column. The generator makes the stage an <see cref="IStageSaveHookSource{TOutput}"/> and adds
/// <c>OpenCumulativeCsvAsync(options)</c>, <c>FindCumulativeCsv(root, runId)</c> and <c>GetCumulativeCsvKey(output)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CumulativeCsvAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="imprint">The imprint in the CSV's file name: letters, digits, '-' and '_'.</param>
    public CumulativeCsvAttribute(string imprint) => Imprint = imprint;

    /// <summary>The imprint in the CSV's file name.</summary>
    public string Imprint { get; }
}
