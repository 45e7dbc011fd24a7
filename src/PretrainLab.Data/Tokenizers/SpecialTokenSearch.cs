namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Finds occurrences of a few special-token strings in a text, left to right. Each string's next
/// occurrence is remembered, so a string that is rare (or absent) is scanned for once, not once
/// per occurrence of the others.
/// </summary>
internal ref struct SpecialTokenSearch
{
    private readonly ReadOnlySpan<char> _text;
    private readonly IReadOnlyList<string> _specials;

    // Per special: -1 not searched yet, int.MaxValue no occurrence left, else the next occurrence.
    private readonly int[] _nextAt;

    public SpecialTokenSearch(ReadOnlySpan<char> text, IReadOnlyList<string> specials)
    {
        _text = text;
        _specials = specials;
        _nextAt = new int[specials.Count];
        Array.Fill(_nextAt, -1);
    }

    /// <summary>
    /// The first occurrence starting at or after <paramref name="from"/>: its start and the index of
    /// the special string; the longest string wins among those starting at the same place.
    /// </summary>
    public readonly bool FindNext(int from, out int start, out int special)
    {
        start = int.MaxValue;
        special = -1;
        for (int k = 0; k < _specials.Count; k++)
        {
            if (_nextAt[k] < from)
            {
                int found = _text[from..].IndexOf(_specials[k], StringComparison.Ordinal);
                _nextAt[k] = found < 0 ? int.MaxValue : from + found;
            }
            if (_nextAt[k] < start || (_nextAt[k] == start && special >= 0 && _specials[k].Length > _specials[special].Length))
            {
                start = _nextAt[k];
                special = k;
            }
        }
        return start != int.MaxValue;
    }
}
