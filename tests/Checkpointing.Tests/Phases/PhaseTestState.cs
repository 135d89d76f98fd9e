using System.Text.Json.Serialization;

namespace Checkpointing.Tests.Phases;

/// <summary>An accumulator: which items are folded in (by identity) and what they added up to.</summary>
public sealed class FoldState
{
    public List<string> Done { get; set; } = [];

    public Dictionary<string, int> Counts { get; set; } = [];

    public decimal CostUsd { get; set; }

    public bool Complete { get; set; }

    public string? Result { get; set; }
}

/// <summary>A state whose JSON has another shape: a snapshot of it does not read as <see cref="FoldState"/>.</summary>
public sealed class OtherState
{
    public int Done { get; set; }
}

[JsonSerializable(typeof(FoldState))]
[JsonSerializable(typeof(OtherState))]
public sealed partial class PhaseTestJsonContext : JsonSerializerContext;
