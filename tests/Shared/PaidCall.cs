namespace Checkpointing.TestSupport;

/// <summary>
/// The step of the tests' paid stages, modelled on an LLM call: the call is paid for before its result is known,
/// so a failed attempt costs as much as a good one, and the runner must keep that cost exactly once (issue 11).
/// A linked source file, compiled into each test project whose stages pay.
/// </summary>
internal static class PaidCall
{
    /// <summary>Adds <paramref name="costUsd"/> to the item's cost, then throws <paramref name="failure"/> when there is one.</summary>
    public static void Charge(ItemContext context, decimal costUsd, Exception? failure = null)
    {
        context.AddCost(costUsd);
        if (failure is not null)
        {
            throw failure;
        }
    }
}
