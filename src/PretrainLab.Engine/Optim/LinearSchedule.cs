namespace PretrainLab.Engine.Optim;

/// <summary>
/// Linear warmup <c>lr·(s+1)/(w+1)</c> for s &lt; w, then linear decay from <c>lr</c> to
/// <c>lr·finalFraction</c> reached at the last step.
/// </summary>
public sealed class LinearSchedule(double maxLr, long warmupSteps, double finalFraction) : LearningRateSchedule
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
        return maxLr - ratio * (maxLr - minLr);
    }
}
