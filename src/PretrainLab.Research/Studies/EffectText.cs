using System.Globalization;
using PretrainLab.Lab.Analysis;

namespace PretrainLab.Research.Studies;

/// <summary>Effects and results in the short form journals, prompts and progress lines use.</summary>
public static class EffectText
{
    /// <summary><c>-0.0312 [-0.0410, -0.0214] better</c>: the difference, its interval when known, and the verdict.</summary>
    public static string Describe(Effect effect) => effect.Difference is { } d
        ? string.Create(CultureInfo.InvariantCulture,
            $"{d:+0.0000;-0.0000}{(effect.Low is { } lo && effect.High is { } hi ? $" [{lo:+0.0000;-0.0000}, {hi:+0.0000;-0.0000}]" : "")} {effect.Verdict}")
        : effect.Verdict;

    /// <summary><c>e7 val_bpb 2.1234 over 2 seeds (-0.0312 vs baseline, within noise)</c>.</summary>
    public static string Describe(VariantResult variant, string metric)
    {
        if (variant.Mean is not { } mean)
            return $"{variant.Label}: no finished run";
        var seeds = variant.Sample.Count == 1 ? "1 seed" : $"{variant.Sample.Count} seeds";
        var versus = variant.VersusBaseline is { } e ? $"; {Describe(e)} vs baseline" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{variant.Label} {metric} {mean:F4} over {seeds}{versus}");
    }
}
