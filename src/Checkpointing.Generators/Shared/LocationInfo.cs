using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.Shared;

/// <summary>A value-equal stand-in for <see cref="Location"/>, which must not be held by pipeline models.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location?.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());
}
