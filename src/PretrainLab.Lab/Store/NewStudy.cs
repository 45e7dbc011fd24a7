namespace PretrainLab.Lab.Store;

/// <summary>A study to create.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Objective">The validation metric decisions use: <c>val_loss</c> or <c>val_bpb</c> (lower is better).</param>
/// <param name="Definition">The study's settings as JSON.</param>
/// <param name="RunsDirectory">Absolute folder under which the study's run folders are created.</param>
public sealed record NewStudy(string Name, string Objective, string Definition, string RunsDirectory);
