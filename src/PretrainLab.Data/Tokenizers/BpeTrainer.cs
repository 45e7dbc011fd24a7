using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Trains a byte-level BPE tokenizer: ids 0-255 are the single bytes, then one id per learned
/// merge, then the special tokens in the order given. Each merge joins the adjacent token pair
/// that occurs most often across the training text's pieces (overlapping occurrences such as the
/// two in "aaa" both count); ties go to the pair with the lowest first id, then the lowest second
/// id. Every occurrence is then replaced, left to right without overlap, within each piece.
/// </summary>
/// <remarks>
/// The text is split into pieces by the pattern (pieces never merge across a boundary) and
/// identical pieces are counted once with their multiplicity, in parallel over parts of the input.
/// Merging keeps global pair counts and an index from each pair to the pieces holding it, updates
/// both only around the merged occurrences, and picks the best pair from a max-heap whose stale
/// entries are re-checked against the current count when they surface.
/// Occurrences of the special tokens in the training text are cut out: the text on either side
/// is split on its own, as the encoder does when the special tokens are allowed.
/// The trained <see cref="TiktokenEncoding"/> encodes as tiktoken does, merging by rank with rank = id.
/// </remarks>
public sealed class BpeTrainer
{
    // Inputs longer than this are cut into parts of about this size for parallel piece counting.
    private const int PartChars = 1 << 16;

    /// <summary>Sets up training.</summary>
    /// <param name="vocabSize">
    /// The vocabulary size to reach: 256 byte tokens, vocabSize - 256 - (number of special tokens)
    /// merges, then the special tokens. Training stops early if no adjacent pair is left to merge.
    /// </param>
    /// <param name="pattern">The split pattern.</param>
    /// <param name="specialTokens">Special tokens, given ids after the merges in this order.</param>
    /// <exception cref="ArgumentException">The vocabulary is too small for the special tokens, or a special token is empty or repeated.</exception>
    public BpeTrainer(int vocabSize, TokenizerPattern pattern, IReadOnlyList<string>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        specialTokens ??= [];
        if (specialTokens.Any(string.IsNullOrEmpty) || specialTokens.Distinct(StringComparer.Ordinal).Count() != specialTokens.Count)
            throw new ArgumentException("Special tokens must be non-empty and distinct.", nameof(specialTokens));
        if (vocabSize < 256 + specialTokens.Count || vocabSize > TiktokenRankFile.MaxRank)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"Needs 256 byte tokens plus {specialTokens.Count} special tokens, and at most {TiktokenRankFile.MaxRank}.");
        VocabSize = vocabSize;
        Pattern = pattern;
        SpecialTokens = [.. specialTokens];
    }

    /// <summary>The vocabulary size training aims for.</summary>
    public int VocabSize { get; }

    /// <summary>The split pattern.</summary>
    public TokenizerPattern Pattern { get; }

    /// <summary>The special tokens, in id order.</summary>
    public IReadOnlyList<string> SpecialTokens { get; }

    /// <summary>Trains on <paramref name="text"/>.</summary>
    public TiktokenEncoding Train(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Train([text]);
    }

    /// <summary>Trains on <paramref name="texts"/>, each split into pieces on its own (as documents).</summary>
    public TiktokenEncoding Train(IEnumerable<string> texts)
    {
        var (vocabulary, _) = Learn(texts);
        var tokens = new List<(byte[] Bytes, int Rank)>(vocabulary.Count);
        for (int id = 0; id < vocabulary.Count; id++)
            tokens.Add((vocabulary[id], id));
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string special in SpecialTokens)
            specials.Add(special, vocabulary.Count + specials.Count);
        return new TiktokenEncoding(tokens, Pattern, specials);
    }

    /// <summary>
    /// The learned vocabulary (bytes of each ordinary token, by id) and the merges in order:
    /// (left id, right id, merged id). A merge whose bytes equal an existing token's reuses that id.
    /// </summary>
    internal (List<byte[]> Vocabulary, List<(int Left, int Right, int Token)> Merges) Learn(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vocabulary = new List<byte[]>();
        var vocabularyIds = new Dictionary<byte[], int>(ByteSequenceComparer.Instance);
        for (int b = 0; b < 256; b++)
        {
            vocabulary.Add([(byte)b]);
            vocabularyIds.Add(vocabulary[b], b);
        }
        var merges = new List<(int Left, int Right, int Token)>();
        int targetOrdinary = VocabSize - SpecialTokens.Count;

        var pieces = new PieceSet(CountPieces(texts));
        while (vocabulary.Count < targetOrdinary && pieces.TryTakeBestPair(out long pair))
        {
            int left = (int)(pair >> 32), right = (int)pair;
            byte[] bytes = [.. vocabulary[left], .. vocabulary[right]];
            // Two different pairs spelling the same bytes has not been seen in practice; the check
            // keeps token bytes unique regardless, which the rank file requires.
            if (!vocabularyIds.TryGetValue(bytes, out int token))
            {
                token = vocabulary.Count;
                vocabulary.Add(bytes);
                vocabularyIds.Add(bytes, token);
            }
            merges.Add((left, right, token));
            pieces.Merge(pair, token);
        }
        return (vocabulary, merges);
    }

    /// <summary>How often each distinct piece occurs, counted in parallel over parts of the input.</summary>
    private Dictionary<byte[], long> CountPieces(IEnumerable<string> texts)
    {
        var parts = new List<ReadOnlyMemory<char>>();
        foreach (string text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            var search = new SpecialTokenSearch(text, SpecialTokens);
            int pos = 0;
            while (search.FindNext(pos, out int start, out int special))
            {
                AddParts(text.AsMemory(pos, start - pos), parts);
                pos = start + SpecialTokens[special].Length;
            }
            AddParts(text.AsMemory(pos), parts);
        }

        var total = new Dictionary<byte[], long>(ByteSequenceComparer.Instance);
        Parallel.ForEach(
            parts,
            () => new Dictionary<byte[], long>(ByteSequenceComparer.Instance),
            (part, _, counts) =>
            {
                CountPiecesOf(part.Span, counts);
                return counts;
            },
            counts =>
            {
                lock (total)
                {
                    foreach (var (piece, count) in counts)
                        CollectionsMarshal.GetValueRefOrAddDefault(total, piece, out _) += count;
                }
            });
        return total;
    }

    /// <summary>
    /// Adds <paramref name="text"/> as parts of about <see cref="PartChars"/> characters. A preset
    /// pattern always puts a piece boundary between an ASCII letter and a following " x" (x an ASCII
    /// letter), and the pieces on either side do not depend on the text across it, so cutting
    /// there splits exactly as the whole text would. Custom patterns give no such guarantee.
    /// </summary>
    private void AddParts(ReadOnlyMemory<char> text, List<ReadOnlyMemory<char>> parts)
    {
        if (Pattern.PatternKind != TokenizerPattern.Kind.Regex)
        {
            var span = text.Span;
            int start = 0;
            for (int cut = PartChars; cut + 1 < span.Length; cut++)
            {
                if (span[cut] == ' ' && char.IsAsciiLetter(span[cut - 1]) && char.IsAsciiLetter(span[cut + 1]))
                {
                    parts.Add(text[start..cut]);
                    start = cut;
                    cut += PartChars;
                }
            }
            text = text[start..];
        }
        if (!text.IsEmpty)
            parts.Add(text);
    }

    private void CountPiecesOf(ReadOnlySpan<char> text, Dictionary<byte[], long> counts)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        int length = Encoding.UTF8.GetBytes(text, utf8);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<byte>>();
        var pieces = new ChunkEnumerator(Pattern, text, utf8.AsSpan(0, length));
        while (pieces.MoveNext())
            CollectionsMarshal.GetValueRefOrAddDefault(lookup, pieces.Current, out _)++;
        ArrayPool<byte>.Shared.Return(utf8);
    }

    /// <summary>
    /// The distinct pieces as token sequences with their counts, the count of every adjacent
    /// token pair (weighted by piece count), an index from pair to the pieces that hold it, and
    /// a max-heap of (count, pair) with lazy invalidation.
    /// </summary>
    private sealed class PieceSet
    {
        private readonly int[][] _tokens;
        private readonly int[] _lengths;
        private readonly long[] _weights;
        private readonly Dictionary<long, long> _pairCounts = [];
        private readonly Dictionary<long, List<int>> _pairPieces = [];

        // Scratch for one merge: the change of each pair count around the merged occurrences.
        private readonly Dictionary<long, long> _deltas = [];

        // Priority (-count, pair): the smallest is the most frequent pair, then the lowest ids.
        private readonly PriorityQueue<long, (long NegativeCount, long Pair)> _heap = new();

        public PieceSet(Dictionary<byte[], long> counts)
        {
            // Single-byte pieces hold no pair and never change.
            var multiByte = counts.Where(c => c.Key.Length > 1).ToArray();
            _tokens = new int[multiByte.Length][];
            _lengths = new int[multiByte.Length];
            _weights = new long[multiByte.Length];
            for (int p = 0; p < multiByte.Length; p++)
            {
                var (bytes, weight) = multiByte[p];
                _tokens[p] = Array.ConvertAll(bytes, b => (int)b);
                _lengths[p] = bytes.Length;
                _weights[p] = weight;
                for (int i = 0; i + 1 < bytes.Length; i++)
                {
                    long pair = Pair(bytes[i], bytes[i + 1]);
                    CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, pair, out _) += weight;
                    IndexPiece(pair, p);
                }
            }
            foreach (var (pair, count) in _pairCounts)
                _heap.Enqueue(pair, (-count, pair));
        }

        public bool TryTakeBestPair(out long pair)
        {
            while (_heap.TryDequeue(out pair, out var priority))
            {
                if (!_pairCounts.TryGetValue(pair, out long count))
                    continue;
                if (count == -priority.NegativeCount)
                    return true;
                // Counts of existing pairs only fall, so a stale entry is re-queued at its current count.
                _heap.Enqueue(pair, (-count, pair));
            }
            return false;
        }

        /// <summary>
        /// Replaces every occurrence of <paramref name="pair"/> by <paramref name="token"/> in the
        /// pieces that hold it, adjusting the counts of the pairs around each occurrence.
        /// </summary>
        public void Merge(long pair, int token)
        {
            var deltas = _deltas;
            int left = (int)(pair >> 32), right = (int)pair;
            foreach (int p in _pairPieces[pair])
            {
                int[] seq = _tokens[p];
                int length = _lengths[p];
                long weight = _weights[p];
                int kept = 0;
                // Compacts in place: writes (at kept) never pass reads (at i), so seq[i + 2] is still
                // the original next token, while seq[kept - 1] is the already merged previous one.
                for (int i = 0; i < length;)
                {
                    if (i + 1 < length && seq[i] == left && seq[i + 1] == right)
                    {
                        if (kept > 0)
                        {
                            int before = seq[kept - 1];
                            Add(deltas, Pair(before, left), -weight);
                            Add(deltas, Pair(before, token), weight);
                            IndexPiece(Pair(before, token), p);
                        }
                        if (i + 2 < length)
                        {
                            int after = seq[i + 2];
                            Add(deltas, Pair(right, after), -weight);
                            Add(deltas, Pair(token, after), weight);
                            IndexPiece(Pair(token, after), p);
                        }
                        seq[kept++] = token;
                        i += 2;
                    }
                    else
                    {
                        seq[kept++] = seq[i++];
                    }
                }
                _lengths[p] = kept;
            }
            // No occurrence survives a left-to-right merge, so the pair is gone entirely.
            _pairCounts.Remove(pair);
            _pairPieces.Remove(pair);
            foreach (var (changed, delta) in deltas)
            {
                if (changed == pair || delta == 0)
                    continue;
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, changed, out _);
                count += delta;
                if (count <= 0)
                {
                    _pairCounts.Remove(changed);
                    _pairPieces.Remove(changed);
                }
                else if (delta > 0)
                {
                    _heap.Enqueue(changed, (-count, changed));
                }
            }
            deltas.Clear();
        }

        private void IndexPiece(long pair, int piece)
        {
            ref var pieces = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairPieces, pair, out _);
            pieces ??= [];
            // Pieces are indexed while scanned, so a repeat from the same scan is the last entry. An
            // older entry (possible once a merge reuses an existing token's id) costs only a rescan.
            if (pieces.Count == 0 || pieces[^1] != piece)
                pieces.Add(piece);
        }

        private static void Add(Dictionary<long, long> deltas, long pair, long delta) =>
            CollectionsMarshal.GetValueRefOrAddDefault(deltas, pair, out _) += delta;

        private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;
    }
}
