namespace PretrainLab.Engine.Training;

/// <summary>One optimizer step's measurements.</summary>
/// <param name="Step">The step number, 1-based (steps completed).</param>
/// <param name="Loss">Mean training loss over the step's tokens, in nats.</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="GradNorm">Global gradient norm before clipping.</param>
/// <param name="Tokens">Training tokens consumed so far.</param>
/// <param name="TokensPerSecond">Throughput of this step.</param>
/// <param name="TotalSteps">Steps the budget allows (an estimate for time budgets).</param>
/// <param name="TrainSeconds">Seconds spent training so far.</param>
public sealed record StepMetrics(long Step, double Loss, double LearningRate, double GradNorm, long Tokens,
    double TokensPerSecond, long TotalSteps, double TrainSeconds);
