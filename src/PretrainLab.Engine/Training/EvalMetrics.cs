namespace PretrainLab.Engine.Training;

/// <summary>A validation measurement.</summary>
/// <param name="Step">Steps completed when measured.</param>
/// <param name="Loss">Mean loss per predicted token, in nats.</param>
/// <param name="BitsPerByte">Total nats / (ln 2 · UTF-8 bytes of the predicted tokens), or null when token byte lengths are unknown.</param>
/// <param name="Tokens">Tokens predicted.</param>
public sealed record EvalMetrics(long Step, double Loss, double? BitsPerByte, long Tokens);
