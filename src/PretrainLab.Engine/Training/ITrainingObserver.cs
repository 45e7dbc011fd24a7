namespace PretrainLab.Engine.Training;

/// <summary>Receives a run's measurements and checkpoint moments as they happen.</summary>
public interface ITrainingObserver
{
    /// <summary>After every optimizer step.</summary>
    void OnStep(StepMetrics metrics);

    /// <summary>After every evaluation.</summary>
    void OnEval(EvalMetrics metrics);

    /// <summary>When the model and optimizer should be saved with <paramref name="state"/> (periodically and at the end).</summary>
    void OnCheckpoint(TrainerState state);
}
