using Checkpointing.Generators.Checkpointed.Emit;
using Checkpointing.Generators.Checkpointed.Model;
using Checkpointing.Generators.Shared;
using Checkpointing.Generators.Tests.Infrastructure;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>The emitter alone, from hand-built models: shapes the parser rarely produces together.</summary>
public sealed class CheckpointedEmitterTests
{
    private static readonly CheckpointedStage Model = new(
        Namespace: "Books.Pipeline",
        ContainingTypes: new[] { new CheckpointedContainingType("partial class Stages"), new CheckpointedContainingType("partial struct Inner<T>") }.ToEquatableArray(),
        TypeDeclaration: "partial record class IsbnStage",
        HintName: "Books.Pipeline.Stages.Inner_1.IsbnStage.Checkpointed.g.cs",
        StageName: "isbn \"check\"",
        OutputDirectory: "isbn-out",
        MemberAccessibility: GeneratedAccessibility.Internal,
        ItemType: "global::Books.Pipeline.Book",
        OutputType: "global::Books.Pipeline.IsbnResult?",
        OutputTypeOfName: "global::Books.Pipeline.IsbnResult",
        OutputIsReferenceType: true,
        KeyKind: CheckpointedKeyKind.Member,
        KeyMember: "Isbn",
        KeyMayBeNull: true,
        ProcessMethod: "Check",
        ProcessIsStatic: true,
        ReturnKind: CheckpointedReturnKind.Sync,
        TakesContext: false,
        TakesCancellationToken: true,
        JsonContextType: "global::Books.Pipeline.BookJson",
        ValidationRules: new[]
        {
            new PatternRule("Isbn", "Bad \"ISBN\"", MemberIsNullable: true, Pattern: @"^\d{13}$"),
        }.ToEquatableArray<ValidationRule>(),
        ValidateMethod: "IsKnown",
        ValidateIsStatic: false,
        ValidateReturnsBool: true);

    [Fact]
    public void Hand_built_model_with_escaping_nesting_and_an_instance_validator()
    {
        var (hintName, source) = CheckpointedEmitter.Emit(Model);
        Assert.Equal("Books.Pipeline.Stages.Inner_1.IsbnStage.Checkpointed.g.cs", hintName);
        Snapshot.VerifyText($"//HintName: {hintName}\n{source}", Path.GetFileNameWithoutExtension(hintName));
    }

    [Fact]
    public void Emitting_is_deterministic_and_equal_models_compare_equal()
    {
        var copy = Model with { ValidationRules = Model.ValidationRules.ToArray().ToEquatableArray() };
        Assert.Equal(Model, copy);
        Assert.Equal(Model.GetHashCode(), copy.GetHashCode());
        Assert.Equal(CheckpointedEmitter.Emit(Model), CheckpointedEmitter.Emit(copy));
        Assert.NotEqual(Model, Model with { ProcessMethod = "Other" });
    }
}
