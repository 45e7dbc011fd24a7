namespace PretrainLab.Lab.Store;

/// <summary>
/// One step of a run's metric series. A training step fills the training columns, an evaluation the
/// validation ones; both at the same step share a row.
/// </summary>
/// <param name="Step">Steps completed.</param>
/// <param name="Tokens">Training tokens consumed.</param>
/// <param name="TrainLoss">The step's training loss; null when not finite.</param>
/// <param name="ValLoss">Validation loss, when evaluated at this step.</param>
/// <param name="ValBpb">Validation bits per byte, when evaluated and known.</param>
/// <param name="TokensPerSecond">The step's throughput.</param>
public sealed record MetricPoint(
    long Step, long? Tokens = null, double? TrainLoss = null, double? ValLoss = null, double? ValBpb = null,
    double? TokensPerSecond = null);
