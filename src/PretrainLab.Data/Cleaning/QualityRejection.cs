namespace PretrainLab.Data.Cleaning;

/// <summary>Why a document failed the quality filters.</summary>
/// <param name="Rule">The first rule it failed, by its configuration name (<see cref="QualityFilter.RuleNames"/>).</param>
/// <param name="Detail">The measured value against the limit, e.g. <c>12 words &lt; 50</c>.</param>
public sealed record QualityRejection(string Rule, string Detail);
