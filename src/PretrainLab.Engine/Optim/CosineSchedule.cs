namespace PretrainLab.Engine.Optim;

/// <summary>
/// nanoGPT's schedule: linear warmup <c>lr·(s+1)/(w+1)</c> for s &lt; w, then cosine decay from
/// <c>lr</c> to <c>lr·finalFraction</c> reached at the last step:
/// <c>min + ½(1 + cos(π·(s − w)/(S − w)))·(lr − min)</c>.
/// </summary>
public sealed class CosineSchedule(double maxLr, long warmupSteps, double finalFraction) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step, long totalSteps)
    {
        if (step < warmupSteps)
            return maxLr * (step + 1) / (warmupSteps + 1);
        var minLr = maxLr * finalFraction;
        if (step >= totalSteps)
            return minLr;
        var ratio = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return minLr + 0.5 * (1.0 + Math.Cos(Math.PI * ratio)) * (maxLr - minLr);
    }
}
