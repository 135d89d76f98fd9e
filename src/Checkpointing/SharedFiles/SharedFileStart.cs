using System.Globalization;

namespace Checkpointing.SharedFiles;

/// <summary>
/// Where a run of a shared file starts: <see cref="Resume"/> (default), <see cref="Fresh"/>, <see cref="FromItem"/> or
/// <see cref="FromBatch"/>. Item and batch numbers are 1-based, in the API and on command lines alike.
/// </summary>
public sealed record SharedFileStart
{
    private SharedFileStart(SharedFileStartKind kind, int number)
    {
        Kind = kind;
        Number = number;
    }

    /// <summary>Skip completed items; process pending and failed ones.</summary>
    public static SharedFileStart Resume { get; } = new(SharedFileStartKind.Resume, 0);

    /// <summary>Set the shared file aside (<c>&lt;file&gt;.&lt;yyyyMMdd-HHmmss&gt;.old</c>), reset the checkpoint and process every item.</summary>
    public static SharedFileStart Fresh { get; } = new(SharedFileStartKind.Fresh, 0);

    /// <summary>
    /// Process items <paramref name="item"/>, <paramref name="item"/>+1, ... (1-based positions in the item sequence),
    /// redoing completed ones; the items before it are left as they are.
    /// </summary>
    /// <param name="item">The 1-based position of the first item.</param>
    public static SharedFileStart FromItem(int item)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(item, 1);
        return new SharedFileStart(SharedFileStartKind.FromItem, item);
    }

    /// <summary>Process the items saved in batch <paramref name="batch"/> (1-based) and later batches again, plus pending ones.</summary>
    /// <param name="batch">The 1-based number of the first batch to redo.</param>
    public static SharedFileStart FromBatch(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        return new SharedFileStart(SharedFileStartKind.FromBatch, batch);
    }

    /// <summary>The kind of start.</summary>
    public SharedFileStartKind Kind { get; }

    /// <summary>The 1-based item or batch number of <see cref="SharedFileStartKind.FromItem"/> and <see cref="SharedFileStartKind.FromBatch"/>; 0 otherwise.</summary>
    public int Number { get; }

    /// <summary>Reads <c>resume</c>, <c>fresh</c>, <c>item:N</c> or <c>batch:N</c> (N 1-based), as <see cref="ToString"/> writes them.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">The text is none of those forms.</exception>
    public static SharedFileStart Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        switch (parts[0].ToLowerInvariant())
        {
            case "resume" when parts.Length == 1:
                return Resume;
            case "fresh" when parts.Length == 1:
                return Fresh;
            case "item" or "batch" when parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1:
                return parts[0].Equals("item", StringComparison.OrdinalIgnoreCase) ? FromItem(n) : FromBatch(n);
            default:
                throw new FormatException($"'{text}' is not a start: use 'resume', 'fresh', 'item:N' or 'batch:N' with N a 1-based number.");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        SharedFileStartKind.FromItem => "item:" + Number.ToString(CultureInfo.InvariantCulture),
        SharedFileStartKind.FromBatch => "batch:" + Number.ToString(CultureInfo.InvariantCulture),
        SharedFileStartKind.Fresh => "fresh",
        _ => "resume",
    };
}
