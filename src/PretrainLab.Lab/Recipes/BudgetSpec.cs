namespace PretrainLab.Lab.Recipes;

/// <summary>
/// When a run stops (recipe section <c>budget</c>): exactly one member is set, and it is greater than 0.
/// </summary>
/// <param name="Steps">Optimizer steps (<c>steps</c>).</param>
/// <param name="Tokens">Training tokens (<c>tokens</c>).</param>
/// <param name="Flops">Training FLOPs (<c>flops</c>), e.g. 1.5e15.</param>
/// <param name="Seconds">Wall-clock seconds (<c>seconds</c>); the only budget that depends on the machine.</param>
public sealed record BudgetSpec(long? Steps = null, long? Tokens = null, double? Flops = null, double? Seconds = null)
{
    /// <summary>2000 optimizer steps.</summary>
    public static BudgetSpec Default { get; } = new(Steps: 2000);
}
