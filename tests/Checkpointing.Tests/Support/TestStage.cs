using System.Text.Json.Serialization;

namespace Checkpointing.Tests.Support;

public sealed record PageText(int Page, string Text);

[JsonSerializable(typeof(PageText))]
public sealed partial class TestJsonContext : JsonSerializerContext
{
}

/// <summary>A hand-written stage definition (what the generator writes) with a call counter.</summary>
public sealed class TestStage
{
    private int _calls;

    public int Calls => _calls;

    public Func<int, bool>? FailWhen { get; set; }

    public Func<int, decimal> Cost { get; set; } = page => 0.01m;

    public StageDefinition<int, PageText> Definition => new()
    {
        StageName = "ocr",
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = TestJsonContext.Default.PageText,
        Validate = output => string.IsNullOrEmpty(output.Text) ? ["Text is required"] : [],
        ProcessAsync = (page, context, ct) =>
        {
            Interlocked.Increment(ref _calls);
            if (FailWhen?.Invoke(page) == true)
            {
                throw new InvalidOperationException($"OCR service timed out on page {page}");
            }

            context.AddCost(Cost(page));
            return ValueTask.FromResult(new PageText(page, $"text of page {page}"));
        },
    };
}
