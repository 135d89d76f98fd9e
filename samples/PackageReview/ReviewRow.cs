namespace PackageReview;

/// <summary>One reviewed package: the 23 cells of its row in the workbook, column A first.</summary>
public sealed record ReviewRow(IReadOnlyList<string> Cells)
{
    /// <summary>The package name (column B), the row's key.</summary>
    public string Package => Cells[1];

    /// <summary>Value equality over the cells, so that rows of two workbooks compare.</summary>
    public bool Equals(ReviewRow? other) => other is not null && Cells.SequenceEqual(other.Cells);

    /// <inheritdoc/>
    public override int GetHashCode() => Cells.Aggregate(0, (h, c) => HashCode.Combine(h, c));
}
