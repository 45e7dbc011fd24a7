using PretrainLab.Lab.Studies;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// The agenda's knobs as a search space: every variant is a point with a value for each knob (the baseline's value
/// where the variant leaves a knob alone), and samplers draw points in the unit cube.
/// </summary>
public sealed class KnobSpace
{
    private readonly Dictionary<string, string> _baseline;

    /// <summary>The space of <paramref name="study"/>'s agenda around its baseline.</summary>
    public KnobSpace(ResearchStudy study)
    {
        Knobs = study.Agenda.Knobs;
        var flat = RecipeDifference.Flatten(study.Baseline);
        _baseline = Knobs.ToDictionary(k => k.Path, k => k.Normalize(flat[k.Path]).Text ?? flat[k.Path]);
    }

    /// <summary>The knobs, in agenda order.</summary>
    public IReadOnlyList<Knob> Knobs { get; }

    /// <summary>The value of every knob in <paramref name="variant"/>.</summary>
    public Dictionary<string, string> ValuesOf(VariantResult variant) => ValuesOf(variant.Knobs);

    /// <summary>The value of every knob once <paramref name="changes"/> (a variant's or a proposal's) are applied to the baseline.</summary>
    public Dictionary<string, string> ValuesOf(IReadOnlyDictionary<string, string> changes)
    {
        var values = new Dictionary<string, string>(_baseline);
        foreach (var knob in Knobs)
        {
            if (changes.TryGetValue(knob.Path, out var text))
                values[knob.Path] = knob.Normalize(text).Text ?? text;
        }
        return values;
    }

    /// <summary>A uniform draw: each knob uniform in its unit interval (or over its values).</summary>
    public Dictionary<string, string> Sample(Random random) =>
        Knobs.ToDictionary(k => k.Path, k => k.IsNumeric ? k.FromUnit(random.NextDouble()) : k.Choices[random.Next(k.Choices.Count)]);

    /// <summary>The knobs whose values differ from the baseline's, as a proposal's changes.</summary>
    public Dictionary<string, string> Changes(IReadOnlyDictionary<string, string> values) =>
        values.Where(v => _baseline[v.Key] != v.Value).ToDictionary(v => v.Key, v => v.Value);
}
