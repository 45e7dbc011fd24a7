using System.Text.Json.Serialization;
using PretrainLab.Lab.Analysis;

namespace PretrainLab.Research.Reports;

/// <summary>A finding as the report gives it: the statement and the effect it rests on, computed from the runs as they are now.</summary>
/// <param name="At">When it was written.</param>
/// <param name="Statement">What was concluded.</param>
/// <param name="Effect">The effect of the compared variant against the other, with its interval; null when a side is gone.</param>
public sealed record ReportedFinding(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("statement")] string Statement,
    [property: JsonPropertyName("effect")] Effect? Effect);
