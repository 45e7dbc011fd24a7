namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>
/// A text with the pieces its split pattern gives and the token ids, as the Python reference
/// (Fixtures/make_tiktoken_reference.py) computes them; pieces are empty for special-token cases.
/// </summary>
public sealed record ReferenceCase(string Text, string[] Pieces, int[] Ids)
{
    public override string ToString() => Text.Length <= 40 ? Text : Text[..40] + "...";
}
