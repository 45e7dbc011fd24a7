using System.Buffers;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// A byte-level BPE tokenizer that produces exactly tiktoken's token ids: the text is split into
/// pieces by a <see cref="TokenizerPattern"/>, each piece's UTF-8 bytes are byte-pair encoded by
/// rank (a token's rank is its id), and special tokens such as <c>&lt;|endoftext|&gt;</c> map to
/// their own ids when a caller allows them.
/// </summary>
/// <remarks>
/// Instances are immutable and safe to use from many threads at once.
/// Text is encoded as UTF-8 with every lone (unpaired) surrogate replaced by U+FFFD, so invalid
/// UTF-16 encodes as if it held U+FFFD there. (tiktoken cannot receive such text at all: Python
/// fails to convert it to UTF-8 before tiktoken sees it.)
/// </remarks>
public sealed class TiktokenEncoding
{
    /// <summary>The usual end-of-text special token.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>File name of the rank file in a tokenizer directory (<see cref="SaveDirectory"/>).</summary>
    public const string RankFileName = "tokenizer.tiktoken";

    /// <summary>File name of the JSON settings (pattern, special tokens, vocabulary size) in a tokenizer directory.</summary>
    public const string SettingsFileName = "tokenizer.json";

    private readonly TokenRankTable _ranks;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly byte[] _tokenBytes;
    private readonly int[] _tokenOffsets;
    private readonly int[] _decodeLengths;
    private readonly int[] _tokenByteLengths;

    /// <summary>Builds an encoding; <paramref name="tokens"/> must hold distinct byte strings and distinct ranks.</summary>
    /// <exception cref="ArgumentException">A special token is empty, reuses an id, or has an id out of range.</exception>
    internal TiktokenEncoding(IReadOnlyList<(byte[] Bytes, int Rank)> tokens, TokenizerPattern pattern, IReadOnlyDictionary<string, int>? specialTokens)
    {
        Pattern = pattern;
        _ranks = new TokenRankTable(tokens);
        _specialTokens = new Dictionary<string, int>(specialTokens ?? new Dictionary<string, int>(), StringComparer.Ordinal);
        SpecialTokens = new ReadOnlyDictionary<string, int>(_specialTokens);

        int maxId = -1;
        long totalBytes = 0;
        foreach (var (bytes, rank) in tokens)
        {
            maxId = Math.Max(maxId, rank);
            totalBytes += bytes.Length;
        }
        var usedIds = new HashSet<int>(tokens.Select(t => t.Rank));
        foreach (var (name, id) in _specialTokens)
        {
            if (name.Length == 0)
                throw new ArgumentException("A special token must not be empty.", nameof(specialTokens));
            if (id < 0 || id >= TiktokenRankFile.MaxRank)
                throw new ArgumentException($"Special token {name} has id {id}, outside [0, {TiktokenRankFile.MaxRank}).", nameof(specialTokens));
            if (!usedIds.Add(id))
                throw new ArgumentException($"Special token {name} has id {id}, which another token already has.", nameof(specialTokens));
            maxId = Math.Max(maxId, id);
            totalBytes += Encoding.UTF8.GetByteCount(name);
        }

        VocabSize = maxId + 1;
        _tokenBytes = new byte[totalBytes];
        _tokenOffsets = new int[VocabSize];
        _decodeLengths = new int[VocabSize];
        _tokenByteLengths = new int[VocabSize];
        Array.Fill(_decodeLengths, -1);
        int offset = 0;
        foreach (var (bytes, rank) in tokens)
        {
            bytes.CopyTo(_tokenBytes, offset);
            _tokenOffsets[rank] = offset;
            _decodeLengths[rank] = bytes.Length;
            _tokenByteLengths[rank] = bytes.Length;
            offset += bytes.Length;
        }
        foreach (var (name, id) in _specialTokens)
        {
            int length = Encoding.UTF8.GetBytes(name, _tokenBytes.AsSpan(offset));
            _tokenOffsets[id] = offset;
            _decodeLengths[id] = length;
            offset += length;
        }
    }

    /// <summary>The split pattern applied before byte-pair encoding.</summary>
    public TokenizerPattern Pattern { get; }

    /// <summary>The special tokens and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>
    /// One more than the largest token id, ordinary or special (tiktoken's <c>n_vocab</c>); ids
    /// below it that no token has (cl100k_base has a few) are rejected by <see cref="Decode"/>.
    /// </summary>
    public int VocabSize { get; }

    /// <summary>
    /// For each id below <see cref="VocabSize"/>, the number of text bytes the token stands for:
    /// the length of an ordinary token's bytes, 0 for special tokens and unused ids. Summing it
    /// over encoded tokens gives the UTF-8 byte count that bits-per-byte divides by.
    /// </summary>
    public ReadOnlySpan<int> TokenByteLengths => _tokenByteLengths;

    internal TokenRankTable Ranks => _ranks;

    /// <summary>
    /// Loads a tiktoken rank file (one token per line: base64 of its bytes, a space, its rank)
    /// with the given split pattern and special tokens. For r50k_base and cl100k_base with their
    /// standard special tokens use <see cref="LoadR50kBase"/> and <see cref="LoadCl100kBase"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The rank file is malformed; the message names the file and line.</exception>
    /// <exception cref="ArgumentException">A special token is empty or its id is negative, too large or already used.</exception>
    public static TiktokenEncoding Load(string rankFilePath, TokenizerPattern pattern, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(rankFilePath);
        ArgumentNullException.ThrowIfNull(pattern);
        return new TiktokenEncoding(TiktokenRankFile.Read(rankFilePath), pattern, specialTokens);
    }

    /// <summary>GPT-2's encoding (tiktoken's r50k_base): the GPT-2 pattern and <c>&lt;|endoftext|&gt;</c> = 50256.</summary>
    public static TiktokenEncoding LoadR50kBase(string rankFilePath) =>
        Load(rankFilePath, TokenizerPattern.Gpt2, new Dictionary<string, int> { [EndOfText] = 50256 });

    /// <summary>
    /// GPT-4's encoding (tiktoken's cl100k_base): the cl100k pattern and its special tokens
    /// <c>&lt;|endoftext|&gt;</c> = 100257, <c>&lt;|fim_prefix|&gt;</c> = 100258, <c>&lt;|fim_middle|&gt;</c> = 100259,
    /// <c>&lt;|fim_suffix|&gt;</c> = 100260, <c>&lt;|endofprompt|&gt;</c> = 100276.
    /// </summary>
    public static TiktokenEncoding LoadCl100kBase(string rankFilePath) =>
        Load(rankFilePath, TokenizerPattern.Cl100k, new Dictionary<string, int>
        {
            [EndOfText] = 100257,
            ["<|fim_prefix|>"] = 100258,
            ["<|fim_middle|>"] = 100259,
            ["<|fim_suffix|>"] = 100260,
            ["<|endofprompt|>"] = 100276,
        });

    /// <summary>
    /// Loads a tokenizer directory written by <see cref="SaveDirectory"/>: <see cref="RankFileName"/>
    /// and <see cref="SettingsFileName"/> (<c>{"pattern": ..., "special_tokens": {name: id}, "vocab_size": n}</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed, or the vocabulary size does not match.</exception>
    public static TiktokenEncoding LoadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string settingsPath = Path.Combine(directory, SettingsFileName);
        string pattern;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        int vocabSize;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(settingsPath));
            var root = json.RootElement;
            pattern = root.GetProperty("pattern").GetString() ?? throw new InvalidDataException($"{settingsPath}: \"pattern\" is null.");
            foreach (var special in root.GetProperty("special_tokens").EnumerateObject())
                specials.Add(special.Name, special.Value.GetInt32());
            vocabSize = root.GetProperty("vocab_size").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{settingsPath}: expected {{\"pattern\": string, \"special_tokens\": {{name: id}}, \"vocab_size\": int}}: {e.Message}", e);
        }

        TiktokenEncoding encoding;
        try
        {
            encoding = Load(Path.Combine(directory, RankFileName), TokenizerPattern.FromRegex(pattern), specials);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{settingsPath}: {e.Message}", e);
        }
        if (encoding.VocabSize != vocabSize)
            throw new InvalidDataException($"{settingsPath}: vocab_size is {vocabSize} but the tokens give {encoding.VocabSize}.");
        return encoding;
    }

    /// <summary>
    /// Writes this encoding to <paramref name="directory"/> (created if missing) as
    /// <see cref="RankFileName"/> (the ordinary tokens, rank = id) and <see cref="SettingsFileName"/>.
    /// </summary>
    public void SaveDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var ordinary = new List<(byte[] Bytes, int Rank)>();
        for (int id = 0; id < VocabSize; id++)
        {
            if (_tokenByteLengths[id] > 0)
                ordinary.Add((_tokenBytes.AsSpan(_tokenOffsets[id], _tokenByteLengths[id]).ToArray(), id));
        }
        TiktokenRankFile.Write(Path.Combine(directory, RankFileName), ordinary);

        using var stream = File.Create(Path.Combine(directory, SettingsFileName));
        // Relaxed escaping keeps the pattern and "<|...|>" names readable; the file is never embedded in HTML.
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("pattern", Pattern.Expression);
        json.WriteStartObject("special_tokens");
        foreach (var (name, id) in _specialTokens.OrderBy(s => s.Value))
            json.WriteNumber(name, id);
        json.WriteEndObject();
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteEndObject();
    }

    /// <summary>
    /// The token ids of <paramref name="text"/>. Occurrences of the special tokens named in
    /// <paramref name="allowedSpecial"/> become those tokens' ids; all other text, including the
    /// text of special tokens not allowed, is encoded as ordinary text. With no special tokens
    /// allowed (the default) this is tiktoken's <c>encode_ordinary</c>; otherwise it is tiktoken's
    /// <c>encode(text, allowed_special=...)</c> with <c>disallowed_special=()</c>. Where allowed
    /// special tokens overlap, the earliest occurrence wins, then the longest.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="allowedSpecial"/> names a token that is not one of <see cref="SpecialTokens"/>.</exception>
    public int[] Encode(string text, IEnumerable<string>? allowedSpecial = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(text.AsSpan(), allowedSpecial);
    }

    /// <inheritdoc cref="Encode(string, IEnumerable{string}?)"/>
    public int[] Encode(ReadOnlySpan<char> text, IEnumerable<string>? allowedSpecial = null)
    {
        var (specials, ids) = ResolveSpecials(allowedSpecial);
        var output = new TokenBuffer(text.Length / 3 + 16);
        try
        {
            if (specials.Length == 0)
                EncodeOrdinary(text, ref output);
            else
                EncodeWithSpecials(text, specials, ids, ref output);
            return output.Items.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>
    /// The token ids of <paramref name="text"/> with all of it, special-token text included,
    /// encoded as ordinary text: tiktoken's <c>encode_ordinary</c>.
    /// </summary>
    public int[] EncodeOrdinary(ReadOnlySpan<char> text) => Encode(text);

    /// <summary>The bytes the tokens stand for, concatenated; special tokens give their UTF-8 text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a token of this encoding.</exception>
    public byte[] Decode(ReadOnlySpan<int> tokens)
    {
        long total = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            int id = tokens[i];
            if ((uint)id >= (uint)_decodeLengths.Length || _decodeLengths[id] < 0)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {id} at position {i} is not in the vocabulary.");
            total += _decodeLengths[id];
        }
        var bytes = new byte[total];
        int offset = 0;
        foreach (int id in tokens)
        {
            _tokenBytes.AsSpan(_tokenOffsets[id], _decodeLengths[id]).CopyTo(bytes.AsSpan(offset));
            offset += _decodeLengths[id];
        }
        return bytes;
    }

    /// <summary>
    /// <see cref="Decode"/> read as UTF-8, with invalid sequences (a character split across the
    /// ends of the token list, say) replaced by U+FFFD, like tiktoken's <c>decode</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a token of this encoding.</exception>
    public string DecodeToString(ReadOnlySpan<int> tokens) => Encoding.UTF8.GetString(Decode(tokens));

    private (string[] Texts, int[] Ids) ResolveSpecials(IEnumerable<string>? names)
    {
        if (names is null)
            return ([], []);
        string[] texts = names.Distinct(StringComparer.Ordinal).ToArray();
        int[] ids = new int[texts.Length];
        for (int k = 0; k < texts.Length; k++)
        {
            if (!_specialTokens.TryGetValue(texts[k], out ids[k]))
                throw new ArgumentException($"'{texts[k]}' is not a special token of this encoding.", nameof(names));
        }
        return (texts, ids);
    }

    private void EncodeWithSpecials(ReadOnlySpan<char> text, string[] specials, int[] ids, ref TokenBuffer output)
    {
        var search = new SpecialTokenSearch(text, specials);
        int pos = 0;
        while (search.FindNext(pos, out int start, out int special))
        {
            EncodeOrdinary(text[pos..start], ref output);
            output.Add(ids[special]);
            pos = start + specials[special].Length;
        }
        EncodeOrdinary(text[pos..], ref output);
    }

    [SkipLocalsInit] // the UTF-8 buffer is read only where GetBytes wrote it
    private void EncodeOrdinary(ReadOnlySpan<char> text, ref TokenBuffer output)
    {
        if (text.IsEmpty)
            return;
        const int StackBytes = 1024;
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        // Encoding.UTF8 replaces lone surrogates with U+FFFD's bytes (EF BF BD).
        int length = Encoding.UTF8.GetBytes(text, buffer);
        var chunks = new ChunkEnumerator(Pattern, text, buffer[..length]);
        while (chunks.MoveNext())
            BytePairEncoder.Encode(chunks.Current, _ranks, ref output);
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }
}
