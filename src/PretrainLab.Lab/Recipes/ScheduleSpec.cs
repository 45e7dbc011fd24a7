namespace PretrainLab.Lab.Recipes;

/// <summary>The learning-rate schedule of a run (recipe section <c>schedule</c>).</summary>
/// <param name="Kind">The decay shape after warmup (<c>kind</c>).</param>
/// <param name="WarmupSteps">Steps of linear warmup from 0 to the peak rate (<c>warmup_steps</c>), at least 0.</param>
/// <param name="MinLrRatio">The final rate as a fraction of the peak rate (<c>min_lr_ratio</c>), in [0, 1].</param>
public sealed record ScheduleSpec(ScheduleKind Kind, int WarmupSteps, double MinLrRatio)
{
    /// <summary>For <c>wsd</c>: the fraction of the run spent cooling down at the end (<c>decay_fraction</c>), in (0, 1].</summary>
    public double DecayFraction { get; init; } = 0.2;

    /// <summary>Cosine decay to a tenth of the peak rate after 100 warmup steps.</summary>
    public static ScheduleSpec Default { get; } = new(ScheduleKind.Cosine, WarmupSteps: 100, MinLrRatio: 0.1);
}
