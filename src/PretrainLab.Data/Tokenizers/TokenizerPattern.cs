using System.Text.RegularExpressions;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// The regular expression that splits text into pieces before byte-pair encoding; byte-pair merges
/// never cross a piece boundary.
/// </summary>
/// <remarks>
/// The presets <see cref="Gpt2"/> and <see cref="Cl100k"/> are matched by a hand-written splitter
/// with exactly the semantics tiktoken gives these regexes: classes such as \p{L}, \p{N} and \s
/// apply to whole code points, so astral-plane letters, digits and emoji chunk as in tiktoken, and
/// cl100k's case-insensitive contractions use Unicode simple case folding ('ſ matches 's).
/// Patterns from <see cref="FromRegex"/> run on .NET's <see cref="System.Text.RegularExpressions.Regex"/>,
/// which matches UTF-16 code units: there \p{L} and \p{N} do not match astral-plane characters.
/// A match boundary that would split a surrogate pair is moved to after the pair.
/// </remarks>
public sealed class TokenizerPattern
{
    /// <summary>GPT-2's split pattern (tiktoken's r50k_base, p50k_base).</summary>
    public const string Gpt2Expression = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>GPT-4's split pattern (tiktoken's cl100k_base).</summary>
    public const string Cl100kExpression = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    internal enum Kind
    {
        Gpt2,
        Cl100k,
        Regex,
    }

    private TokenizerPattern(string expression, Kind kind, Regex? regex)
    {
        Expression = expression;
        PatternKind = kind;
        Regex = regex;
    }

    /// <summary>GPT-2's pattern, <see cref="Gpt2Expression"/>.</summary>
    public static TokenizerPattern Gpt2 { get; } = new(Gpt2Expression, Kind.Gpt2, null);

    /// <summary>cl100k_base's (GPT-4's) pattern, <see cref="Cl100kExpression"/>.</summary>
    public static TokenizerPattern Cl100k { get; } = new(Cl100kExpression, Kind.Cl100k, null);

    /// <summary>The regular expression, in the syntax tiktoken and Python's <c>regex</c> module share.</summary>
    public string Expression { get; }

    internal Kind PatternKind { get; }

    /// <summary>The compiled expression for custom patterns; null for the presets.</summary>
    internal Regex? Regex { get; }

    /// <summary>
    /// The pattern for <paramref name="expression"/>: the preset object when the text equals
    /// <see cref="Gpt2Expression"/> or <see cref="Cl100kExpression"/>, otherwise a compiled .NET regex
    /// (see the remarks on <see cref="TokenizerPattern"/> for how .NET's semantics differ).
    /// </summary>
    /// <exception cref="ArgumentException">The expression is not a valid .NET regular expression.</exception>
    public static TokenizerPattern FromRegex(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return expression switch
        {
            Gpt2Expression => Gpt2,
            Cl100kExpression => Cl100k,
            _ => new TokenizerPattern(expression, Kind.Regex, new Regex(expression, RegexOptions.Compiled | RegexOptions.CultureInvariant)),
        };
    }

    /// <summary>
    /// The pattern a configuration or command line names: <c>gpt2</c> (<see cref="Gpt2"/>), <c>cl100k</c>
    /// (<see cref="Cl100k"/>), or otherwise a regular expression (<see cref="FromRegex"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The text is neither preset name nor a valid regular expression.</exception>
    public static TokenizerPattern Parse(string nameOrExpression)
    {
        ArgumentNullException.ThrowIfNull(nameOrExpression);
        return nameOrExpression switch
        {
            "gpt2" => Gpt2,
            "cl100k" => Cl100k,
            _ => FromRegex(nameOrExpression),
        };
    }

    /// <summary>Returns <see cref="Expression"/>.</summary>
    public override string ToString() => Expression;
}
