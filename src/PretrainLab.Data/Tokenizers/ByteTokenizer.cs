using System.Text;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Byte-level tokenizer: the tokens of a text are its UTF-8 bytes, so token id = byte value and the
/// vocabulary has exactly 256 entries. Every byte sequence is representable; no text is ever unknown.
/// </summary>
public static class ByteTokenizer
{
    /// <summary>Number of distinct tokens: one per byte value.</summary>
    public const int VocabSize = 256;

    /// <summary>Returns the UTF-8 bytes of <paramref name="text"/> as token ids.</summary>
    /// <remarks>Lone surrogates are not valid UTF-16 and encode as U+FFFD, as <see cref="Encoding.UTF8"/> does.</remarks>
    public static int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Returns each byte of <paramref name="bytes"/> as a token id, unchanged.</summary>
    public static int[] EncodeBytes(ReadOnlySpan<byte> bytes)
    {
        var tokens = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            tokens[i] = bytes[i];
        return tokens;
    }

    /// <summary>Returns the bytes that <paramref name="tokens"/> stand for.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is outside [0, <see cref="VocabSize"/>);
    /// the message gives its position and value.</exception>
    public static byte[] DecodeBytes(ReadOnlySpan<int> tokens)
    {
        var bytes = new byte[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            int token = tokens[i];
            if ((uint)token >= VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"Token {token} at position {i} is outside the byte vocabulary [0, {VocabSize}).");
            bytes[i] = (byte)token;
        }
        return bytes;
    }

    /// <summary>
    /// Decodes <paramref name="tokens"/> as UTF-8 text. Exact inverse of <see cref="Encode"/> for any
    /// string without lone surrogates; invalid UTF-8 sequences (e.g. a sample cut mid-character)
    /// become U+FFFD.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is outside [0, <see cref="VocabSize"/>).</exception>
    public static string Decode(ReadOnlySpan<int> tokens) => Encoding.UTF8.GetString(DecodeBytes(tokens));
}
