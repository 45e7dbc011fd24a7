using System.Globalization;

namespace PretrainLab.Lab.Recipes;

/// <summary>A scalar written for one recipe key, in a file or an override, with where it came from.</summary>
/// <param name="Text">The scalar's text as written, quotes removed.</param>
/// <param name="IsNull">Whether the scalar is YAML null (<c>null</c>, <c>~</c> or nothing, unquoted).</param>
/// <param name="Source">The recipe file name, or <c>override</c>.</param>
/// <param name="Line">The 1-based line in <paramref name="Source"/>, when known.</param>
/// <param name="BaseDirectory">The directory a relative file path in this value is resolved against.</param>
internal sealed record RecipeValue(string Text, bool IsNull, string Source, int? Line, string BaseDirectory)
{
    /// <summary>The value as an error message quotes it.</summary>
    public string Described => IsNull ? "null" : $"'{Text}'";

    /// <summary>
    /// Reads an integer in [<paramref name="min"/>, <paramref name="max"/>]. Digit separators (<c>1_000_000</c>)
    /// and integral numbers in exponent form (<c>2e6</c>) are accepted because budgets are naturally written so.
    /// </summary>
    public bool TryInteger(long min, long max, out long result)
    {
        result = 0;
        if (IsNull) return false;
        var text = Text.Replace("_", "");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
            return result >= min && result <= max;
        // Exactly representable integers only: beyond 2^53 a double would silently round.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || number != Math.Floor(number) || Math.Abs(number) > 9007199254740992.0)
            return false;
        result = (long)number;
        return result >= min && result <= max;
    }

    /// <summary>Reads a finite number; digit separators are accepted as for integers.</summary>
    public bool TryNumber(out double result)
    {
        result = 0;
        return !IsNull
            && double.TryParse(Text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out result)
            && double.IsFinite(result);
    }

    /// <summary>Reads YAML's <c>true</c> or <c>false</c> (any letter case).</summary>
    public bool TryBoolean(out bool result)
    {
        result = false;
        return !IsNull && bool.TryParse(Text, out result);
    }

    /// <summary>
    /// The text as an absolute file path, resolved against <see cref="BaseDirectory"/>; empty text stays empty
    /// so that validation reports the path as missing rather than as the directory.
    /// </summary>
    public string FullPath => Text.Length == 0 ? Text : Path.GetFullPath(Text, BaseDirectory);
}
