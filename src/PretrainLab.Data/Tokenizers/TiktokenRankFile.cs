using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// tiktoken's rank file: one token per line, the base64 of its bytes, one space, its rank as a
/// decimal number. Empty lines are skipped, as tiktoken does; "\r\n" line ends are accepted.
/// </summary>
internal static class TiktokenRankFile
{
    /// <summary>Ranks at or above this are rejected: tables indexed by id would not fit in memory.</summary>
    public const int MaxRank = 1 << 24;

    /// <summary>Reads the tokens and ranks of the rank file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// A malformed line (with the file and line number in the message), no tokens, a duplicate
    /// token or rank, or a byte value missing as a single-byte token (byte-level BPE needs all 256).
    /// </exception>
    public static List<(byte[] Bytes, int Rank)> Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        var tokens = new List<(byte[] Bytes, int Rank)>(data.Length / 12);
        var rankLines = new Dictionary<int, int>();
        var tokenLines = new Dictionary<byte[], int>(ByteSequenceComparer.Instance);
        var tokenLookup = tokenLines.GetAlternateLookup<ReadOnlySpan<byte>>();
        var decoded = new byte[256];
        int lineNumber = 0;
        for (int pos = 0; pos < data.Length;)
        {
            lineNumber++;
            int newline = data.AsSpan(pos).IndexOf((byte)'\n');
            var line = data.AsSpan(pos, newline < 0 ? data.Length - pos : newline);
            pos += line.Length + 1;
            if (line.EndsWith((byte)'\r'))
                line = line[..^1];
            if (line.IsEmpty)
                continue;

            int space = line.IndexOf((byte)' ');
            if (space < 0)
                throw Malformed(path, lineNumber, "expected '<base64 token> <rank>' but the rank is missing");
            var base64 = line[..space];
            var rankText = line[(space + 1)..];
            if (rankText.IsEmpty)
                throw Malformed(path, lineNumber, "the rank is missing");
            if (!int.TryParse(rankText, NumberStyles.None, CultureInfo.InvariantCulture, out int rank))
                throw Malformed(path, lineNumber, $"the rank '{Excerpt(rankText)}' is not a non-negative integer");
            if (rank >= MaxRank)
                throw Malformed(path, lineNumber, $"the rank {rank} is not below {MaxRank}");

            int maxLength = Base64.GetMaxDecodedFromUtf8Length(base64.Length);
            if (decoded.Length < maxLength)
                decoded = new byte[maxLength];
            if (base64.IsEmpty || Base64.DecodeFromUtf8(base64, decoded, out _, out int written) != OperationStatus.Done || written == 0)
                throw Malformed(path, lineNumber, $"'{Excerpt(base64)}' is not the base64 of a non-empty token");
            var bytes = decoded.AsSpan(0, written);

            if (!rankLines.TryAdd(rank, lineNumber))
                throw Malformed(path, lineNumber, $"rank {rank} is already used on line {rankLines[rank]}");
            if (tokenLookup.TryGetValue(bytes, out int firstLine))
                throw Malformed(path, lineNumber, $"the token is already listed on line {firstLine}");
            byte[] token = bytes.ToArray();
            tokenLines.Add(token, lineNumber);
            tokens.Add((token, rank));
        }
        if (tokens.Count == 0)
            throw Malformed(path, Math.Max(lineNumber, 1), "the file contains no tokens");
        for (int b = 0; b < 256; b++)
        {
            if (!tokenLookup.ContainsKey([(byte)b]))
                throw new InvalidDataException($"{path}: byte 0x{b:X2} is not a single-byte token; byte-level BPE needs all 256.");
        }
        return tokens;
    }

    /// <summary>Writes <paramref name="tokens"/> in rank order to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<(byte[] Bytes, int Rank)> tokens)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        foreach (var (bytes, rank) in tokens.OrderBy(t => t.Rank))
        {
            writer.Write(Convert.ToBase64String(bytes));
            writer.Write(' ');
            writer.WriteLine(rank.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Excerpt(ReadOnlySpan<byte> text) =>
        text.Length <= 40 ? Encoding.UTF8.GetString(text) : Encoding.UTF8.GetString(text[..40]) + "...";

    private static InvalidDataException Malformed(string path, int line, string problem) =>
        new($"{path}, line {line}: {problem}.");
}
