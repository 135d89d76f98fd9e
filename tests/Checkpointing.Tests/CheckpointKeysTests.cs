namespace Checkpointing.Tests;

public sealed class CheckpointKeysTests
{
    [Fact]
    public void Numbers_are_zero_padded_so_files_sort()
    {
        Assert.Equal("000007", CheckpointKeys.From(7));
        Assert.Equal("000447", CheckpointKeys.From(447L));
        Assert.Equal("1234567", CheckpointKeys.From(1234567));
        Assert.Equal("-000003", CheckpointKeys.From(-3));
        Assert.Equal("-9223372036854775808", CheckpointKeys.From(long.MinValue));
        Assert.Equal("0123456789abcdef0123456789abcdef", CheckpointKeys.From(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef")));
    }

    [Theory]
    [InlineData("../../x", "path separator")]
    [InlineData("..", "directory")]
    [InlineData("a..b", "'..'")]
    [InlineData("a\\b", "path separator")]
    [InlineData("line\nbreak", "control character")]
    [InlineData("CON", "device name")]
    [InlineData("nul.txt", "device name")]
    [InlineData("", "empty")]
    [InlineData(".hidden", "starts with a dot")]
    [InlineData("trailing.", "ends with")]
    [InlineData("a:b", "':'")]
    public void Rejects_keys_that_are_not_safe_file_names(string key, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => CheckpointKeys.Validate(key));
        Assert.Contains(reason, error.Message);
        Assert.StartsWith("Item key \"", error.Message);
    }

    [Fact]
    public void Error_quotes_control_characters_visibly()
    {
        var error = Assert.Throws<ArgumentException>(() => CheckpointKeys.Validate("a\u0001b"));
        Assert.Contains("a\\u0001b", error.Message);
    }

    [Theory]
    [InlineData("9780306406157")]
    [InlineData("page-001")]
    [InlineData("chapter 3.v2")]
    public void Accepts_ordinary_keys(string key) => Assert.Equal(key, CheckpointKeys.Validate(key));
}
