namespace PretrainLab.Engine.Optim;

/// <summary>AdamW hyperparameters (Loshchilov and Hutter): decay is decoupled and applied to 2-D weights only.</summary>
public sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.95, double Epsilon = 1e-8, double WeightDecay = 0.1);
