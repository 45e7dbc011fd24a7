using System.Globalization;
using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>
/// A recipe key the researcher may change, with its bounds: a range for numbers, a list for categories. Samplers work
/// in the unit interval: <see cref="ToUnit"/> maps a value there (linearly, or in the logarithm) and
/// <see cref="FromUnit"/> back.
/// </summary>
/// <param name="Path">The recipe key, e.g. <c>optim.lr</c>.</param>
/// <param name="Kind">How its values are spread.</param>
/// <param name="Min">The smallest value of a numeric knob.</param>
/// <param name="Max">The largest value of a numeric knob.</param>
/// <param name="Values">The values of a categorical knob, as recipe text.</param>
public sealed record Knob(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("kind")] KnobKind Kind,
    [property: JsonPropertyName("min")] double? Min = null,
    [property: JsonPropertyName("max")] double? Max = null,
    [property: JsonPropertyName("values")] IReadOnlyList<string>? Values = null)
{
    /// <summary>Whether the knob takes numbers from a range rather than values from a list.</summary>
    [JsonIgnore]
    public bool IsNumeric => Kind != KnobKind.Categorical;

    /// <summary>Whether its values are integers.</summary>
    [JsonIgnore]
    public bool IsInteger => Kind is KnobKind.Int or KnobKind.LogInt;

    /// <summary>Whether it is spread in the logarithm.</summary>
    [JsonIgnore]
    public bool IsLog => Kind is KnobKind.LogFloat or KnobKind.LogInt;

    /// <summary>The categorical values, or an empty list for a numeric knob.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Choices => Values ?? [];

    /// <summary>
    /// The canonical text of <paramref name="value"/> for this knob, or an error saying why it is out of bounds or of
    /// the wrong type. Numbers are written invariantly (<c>0.003</c>); a categorical value matches numerically when
    /// both sides are numbers, so 64 and 64.0 are the same width.
    /// </summary>
    public (string? Text, string? Error) Normalize(string value)
    {
        if (!IsNumeric)
        {
            foreach (var choice in Choices)
            {
                if (choice == value || (TryNumber(choice, out var a) && TryNumber(value, out var b) && a == b))
                    return (choice, null);
            }
            return (null, $"'{value}' is not one of {string.Join(", ", Choices)}");
        }
        if (!TryNumber(value, out var x))
            return (null, $"expected a number, got '{value}'");
        if (IsInteger && x != Math.Floor(x))
            return (null, $"expected an integer, got {value}");
        // A hair of tolerance: a bound written as 1e-4 may come back from a model as 0.00010000000000000002.
        var slack = 1e-9 * Math.Max(Math.Abs(Min!.Value), Math.Abs(Max!.Value));
        if (x < Min - slack || x > Max + slack)
            return (null, $"{Format(x)} is outside [{Format(Min.Value)}, {Format(Max.Value)}]");
        return (Format(Math.Clamp(x, Min.Value, Max.Value)), null);
    }

    /// <summary>
    /// Where the canonical <paramref name="value"/> lies in [0, 1] (a categorical value: its index over the count). An
    /// integer knob's unit interval spans [min − 0.5, max + 0.5], as Optuna's, so each integer owns an equal cell and
    /// maps to its centre.
    /// </summary>
    public double ToUnit(string value)
    {
        if (!IsNumeric)
            return Choices.Count <= 1 ? 0 : (double)Index(value) / (Choices.Count - 1);
        var x = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var (lo, hi) = UnitRange();
        var t = IsLog ? Math.Log(x) : x;
        return hi == lo ? 0 : Math.Clamp((t - lo) / (hi - lo), 0, 1);
    }

    /// <summary>
    /// The value at <paramref name="unit"/> in [0, 1]: rounded to an integer for an integer knob, to three significant
    /// digits otherwise (finer steps are below what a run can tell apart, and round values read better in reports).
    /// A uniform unit draws every integer of an integer knob equally often: rounding [min, max] itself would give the
    /// two end values half the share of the others (one layer of 1 to 4 drawn a sixth of the time, not a quarter).
    /// Not for categorical knobs.
    /// </summary>
    public string FromUnit(double unit)
    {
        var u = Math.Clamp(unit, 0, 1);
        var (lo, hi) = UnitRange();
        var t = lo + u * (hi - lo);
        var x = IsLog ? Math.Exp(t) : t;
        x = IsInteger ? Math.Round(x, MidpointRounding.AwayFromZero) : Significant(x, 3);
        return Format(Math.Clamp(x, Min!.Value, Max!.Value));
    }

    /// <summary>The ends of the unit interval in the knob's scale: its bounds (logarithms for a log knob), half a step wider for integers.</summary>
    private (double Lo, double Hi) UnitRange()
    {
        var half = IsInteger ? 0.5 : 0;
        var (lo, hi) = (Min!.Value - half, Max!.Value + half);
        return IsLog ? (Math.Log(lo), Math.Log(hi)) : (lo, hi);
    }

    /// <summary>The position of a canonical categorical value in <see cref="Choices"/>, or -1.</summary>
    public int Index(string value)
    {
        for (var i = 0; i < Choices.Count; i++)
        {
            if (Choices[i] == value)
                return i;
        }
        return -1;
    }

    /// <summary>How the agenda would write the knob's bounds: <c>log_float [0.0001, 0.01]</c> or <c>categorical [gelu, relu2]</c>.</summary>
    public string Describe() => IsNumeric
        ? $"{KindName(Kind)} [{Format(Min!.Value)}, {Format(Max!.Value)}]"
        : $"categorical [{string.Join(", ", Choices)}]";

    /// <summary>The agenda's name of a kind: <c>float</c>, <c>log_float</c>, <c>int</c>, <c>log_int</c> or <c>categorical</c>.</summary>
    public static string KindName(KnobKind kind) => kind switch
    {
        KnobKind.Float => "float",
        KnobKind.LogFloat => "log_float",
        KnobKind.Int => "int",
        KnobKind.LogInt => "log_int",
        _ => "categorical",
    };

    /// <summary>A number as recipe text: the shortest invariant form that reads back exactly.</summary>
    public static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static double Significant(double x, int digits)
    {
        if (x == 0)
            return 0;
        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(x))));
        // Dividing by an exact power of ten gives the shortest decimal (0.0028, not 0.0028000000000000004).
        return scale >= 1 ? Math.Round(x * scale) / scale : Math.Round(x * scale) * (1 / scale);
    }

    private static bool TryNumber(string text, out double x) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out x) && double.IsFinite(x);
}
