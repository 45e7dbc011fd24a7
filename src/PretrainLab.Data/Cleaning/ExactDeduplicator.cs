using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PretrainLab.Data.Cleaning;

/// <summary>
/// Finds exact duplicates: documents whose texts are equal once normalised (lowercased, every run
/// of whitespace made one space, leading and trailing whitespace dropped). Each normalised text is
/// kept as 128 bits of its SHA-256, so memory grows by a few dozen bytes per distinct document.
/// </summary>
public sealed class ExactDeduplicator
{
    private readonly Dictionary<UInt128, int> _first = [];

    /// <summary>Number of distinct normalised texts seen.</summary>
    public int Count => _first.Count;

    /// <summary>
    /// Records document <paramref name="index"/> with fingerprint <paramref name="fingerprint"/>
    /// (see <see cref="Fingerprint"/>). Returns true when it is the first with that fingerprint;
    /// otherwise false, with <paramref name="firstIndex"/> the index it duplicates.
    /// </summary>
    public bool TryAdd(UInt128 fingerprint, int index, out int firstIndex)
    {
        if (_first.TryAdd(fingerprint, index))
        {
            firstIndex = index;
            return true;
        }
        firstIndex = _first[fingerprint];
        return false;
    }

    /// <summary>The first 128 bits of the SHA-256 of <paramref name="text"/>'s normalised UTF-8 form. Thread-safe.</summary>
    public static UInt128 Fingerprint(ReadOnlySpan<char> text)
    {
        char[] normal = ArrayPool<char>.Shared.Rent(text.Length);
        int length = Normalize(text, normal);
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(length));
        int byteCount = Encoding.UTF8.GetBytes(normal.AsSpan(0, length), utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8.AsSpan(0, byteCount), digest);
        ArrayPool<char>.Shared.Return(normal);
        ArrayPool<byte>.Shared.Return(utf8);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>The normalised form of <paramref name="text"/>, as compared for exact duplicates.</summary>
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var normal = new char[text.Length];
        return new string(normal, 0, Normalize(text, normal));
    }

    private static int Normalize(ReadOnlySpan<char> text, Span<char> output)
    {
        int length = 0;
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }
            if (pendingSpace)
            {
                output[length++] = ' ';
                pendingSpace = false;
            }
            output[length++] = char.ToLowerInvariant(c);
        }
        return length;
    }
}
