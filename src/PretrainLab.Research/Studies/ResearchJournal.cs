using System.Globalization;
using System.Text.RegularExpressions;

namespace PretrainLab.Research.Studies;

/// <summary>
/// The journal entries research writes beside the lab's own events, and how they are read back. Entries are plain
/// sentences for people; the few facts the loop needs again (which experiment a hypothesis is about, what a finding
/// rests on, what a turn cost) are written in a fixed form and parsed from it.
/// </summary>
public static partial class ResearchJournal
{
    /// <summary>A research session began (its time counts towards an hours budget).</summary>
    public const string Session = "session";

    /// <summary>An experiment was proposed: its label, author, hypothesis and changes.</summary>
    public const string Hypothesis = "hypothesis";

    /// <summary>An experiment's runs all ended: its result against the baseline.</summary>
    public const string Outcome = "outcome";

    /// <summary>A conclusion with the comparison it rests on.</summary>
    public const string Finding = "finding";

    /// <summary>A keep-or-discard decision of the hill climber.</summary>
    public const string Decision = "decision";

    /// <summary>Tokens and cost of one turn of the LLM researcher.</summary>
    public const string Usage = "usage";

    /// <summary>What the LLM researcher said at the end of a turn.</summary>
    public const string Note = "note";

    /// <summary>The most characters of researcher text kept in one entry, so the journal and prompts stay bounded.</summary>
    public const int MaxTextLength = 600;

    /// <summary>The text of a hypothesis entry.</summary>
    public static string FormatHypothesis(string label, string author, string hypothesis, IReadOnlyDictionary<string, string> changes, IReadOnlyList<int> seeds) =>
        $"{label} by {author}: {Clip(hypothesis)} [changes: {(changes.Count == 0 ? "none" : string.Join(", ", changes.Select(c => $"{c.Key}={c.Value}")))}; seeds {string.Join(",", seeds)}]";

    /// <summary>The experiment label and author of a hypothesis entry, or null when the text is not one.</summary>
    public static (string Label, string Author, string Hypothesis)? ParseHypothesis(string text)
    {
        var match = HypothesisPattern().Match(text);
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value) : null;
    }

    /// <summary>The text of a finding entry: the statement and the comparison it rests on.</summary>
    public static string FormatFinding(string statement, string variant, string versus) => $"{Clip(statement)} (evidence: {variant} vs {versus})";

    /// <summary>The statement and the compared variants of a finding entry, or null when the text is not one.</summary>
    public static (string Statement, string Variant, string Versus)? ParseFinding(string text)
    {
        var match = FindingPattern().Match(text);
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value) : null;
    }

    /// <summary>The text of a usage entry.</summary>
    public static string FormatUsage(string model, long input, long output, double cost) =>
        string.Create(CultureInfo.InvariantCulture, $"{model}: {input} input + {output} output tokens, ${cost:F4}");

    /// <summary>The tokens and cost of a usage entry, or null when the text is not one.</summary>
    public static (long Input, long Output, double Cost)? ParseUsage(string text)
    {
        var match = UsagePattern().Match(text);
        return match.Success
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>The text of an outcome entry begins with the label and the number of ended runs, so each is written once.</summary>
    public static string OutcomeKey(string label, int ended) => $"{label} ({ended} runs)";

    /// <summary>Researcher text cut to <see cref="MaxTextLength"/> characters, on one line.</summary>
    public static string Clip(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= MaxTextLength ? line : line[..(MaxTextLength - 1)] + "…";
    }

    [GeneratedRegex(@"^(\S+) by (\S+): (.*) \[changes: ", RegexOptions.Singleline)]
    private static partial Regex HypothesisPattern();

    [GeneratedRegex(@"^(.*) \(evidence: (\S+) vs (\S+)\)$", RegexOptions.Singleline)]
    private static partial Regex FindingPattern();

    [GeneratedRegex(@": (\d+) input \+ (\d+) output tokens, \$([0-9.]+)$")]
    private static partial Regex UsagePattern();
}
