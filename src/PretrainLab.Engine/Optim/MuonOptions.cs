namespace PretrainLab.Engine.Optim;

/// <summary>Muon hyperparameters (Jordan et al., 2024; modded-nanogpt).</summary>
/// <param name="Momentum">β of the momentum buffer (0.95).</param>
/// <param name="NewtonSchulzSteps">Quintic Newton-Schulz iterations (5).</param>
/// <param name="WeightDecay">Decoupled weight decay λ: <c>W ← W·(1 − lr·λ)</c> before the update (0).</param>
public sealed record MuonOptions(double Momentum = 0.95, int NewtonSchulzSteps = 5, double WeightDecay = 0);
