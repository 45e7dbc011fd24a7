using System.Text;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>The pieces a pattern splits a text into, as strings, through the encoder's own chunk enumerator.</summary>
internal static class SplitPieces
{
    public static List<string> Of(TokenizerPattern pattern, string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var pieces = new List<string>();
        var chunks = new ChunkEnumerator(pattern, text, utf8);
        while (chunks.MoveNext())
            pieces.Add(Encoding.UTF8.GetString(chunks.Current));
        return pieces;
    }
}
