namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>A text and the token ids the Python reference (Fixtures/make_tiktoken_reference.py) gives it.</summary>
public sealed record ReferenceCase(string Text, int[] Ids)
{
    public override string ToString() => Text.Length <= 40 ? Text : Text[..40] + "...";
}
