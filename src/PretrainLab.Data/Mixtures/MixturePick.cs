namespace PretrainLab.Data.Mixtures;

/// <summary>One document drawn into a mixture.</summary>
/// <param name="Source">Index of its component.</param>
/// <param name="Document">Index of the document within the component.</param>
public readonly record struct MixturePick(int Source, int Document);
