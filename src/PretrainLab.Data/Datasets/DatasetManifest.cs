using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PretrainLab.Data.Cleaning;
using PretrainLab.Data.Splits;

namespace PretrainLab.Data.Datasets;

/// <summary>
/// <c>manifest.json</c> of a dataset folder: what the dataset was built from (sources, configuration),
/// what each cleaning stage removed, the tokenizer, the token byte table, and every split's shards with
/// their token counts and SHA-256 hashes, so a reader can check that nothing changed since.
/// </summary>
public sealed record DatasetManifest
{
    /// <summary>The file name in a dataset folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "plab-dataset";

    /// <summary>The manifest version this code reads and writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The file holding each token's UTF-8 byte length.</summary>
    public const string TokenBytesFileName = "token_bytes.bin";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        // Paths and "<|endoftext|>" stay readable; the file is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
    };

    /// <summary>Always <see cref="FormatName"/>.</summary>
    [JsonPropertyName("format")]
    public required string Format { get; init; }

    /// <summary>The manifest version, <see cref="CurrentVersion"/>.</summary>
    [JsonPropertyName("version")]
    public required int Version { get; init; }

    /// <summary>The dataset's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>When it was built, UTC, ISO 8601.</summary>
    [JsonPropertyName("created_utc")]
    public required string CreatedUtc { get; init; }

    /// <summary>The seed of splitting, near-duplicate hashing and mixing.</summary>
    [JsonPropertyName("seed")]
    public required long Seed { get; init; }

    /// <summary>The configuration it was built from, copied into the folder.</summary>
    [JsonPropertyName("config")]
    public ManifestFile? Config { get; init; }

    /// <summary>The sources.</summary>
    [JsonPropertyName("sources")]
    public required IReadOnlyList<ManifestSource> Sources { get; init; }

    /// <summary>The cleaning stages in the order they ran.</summary>
    [JsonPropertyName("stages")]
    public required IReadOnlyList<StageReport> Stages { get; init; }

    /// <summary>The tokenizer.</summary>
    [JsonPropertyName("tokenizer")]
    public required ManifestTokenizer Tokenizer { get; init; }

    /// <summary>
    /// <see cref="TokenBytesFileName"/>: for each token id below the vocabulary size, a little-endian
    /// int32 count of the UTF-8 bytes it stands for (0 for special tokens), for bits per byte.
    /// </summary>
    [JsonPropertyName("token_bytes")]
    public required ManifestFile TokenBytes { get; init; }

    /// <summary>The splits by name (<c>train</c>, <c>val</c>, <c>test</c>); train and val are required.</summary>
    [JsonPropertyName("splits")]
    public required IReadOnlyDictionary<string, ManifestSplit> Splits { get; init; }

    /// <summary>How manifests name <paramref name="split"/>: <c>train</c>, <c>val</c>, <c>test</c>.</summary>
    public static string SplitName(DatasetSplit split) => split.ToString().ToLowerInvariant();

    /// <summary>Writes the manifest to <paramref name="directory"/>/<see cref="FileName"/> atomically (temporary file, then move).</summary>
    public void Save(string directory)
    {
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson() + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The manifest as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads and checks <paramref name="directory"/>/<see cref="FileName"/> (its own consistency; not the files it lists).</summary>
    /// <exception cref="FileNotFoundException">The folder or its manifest does not exist.</exception>
    /// <exception cref="InvalidDataException">The manifest is malformed or inconsistent; the message names the file and the field.</exception>
    public static DatasetManifest Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = Path.Combine(Path.GetFullPath(directory), FileName);
        if (!Directory.Exists(directory))
            throw new FileNotFoundException($"dataset folder not found: {Path.GetFullPath(directory)}", directory);
        if (!File.Exists(path))
            throw new FileNotFoundException($"not a dataset folder: {path} does not exist (build one with 'plab data prepare')", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and checks manifest JSON; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or inconsistent.</exception>
    public static DatasetManifest Parse(string json, string path)
    {
        DatasetManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<DatasetManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at {e.Path}";
            throw new InvalidDataException($"{path}: not a valid dataset manifest{where}: {e.Message}", e);
        }
        if (manifest is null)
            throw new InvalidDataException($"{path}: not a valid dataset manifest: the file holds null");
        manifest.Check(path);
        return manifest;
    }

    private void Check(string path)
    {
        void Require(bool ok, string field, string problem)
        {
            if (!ok)
                throw new InvalidDataException($"{path}: {field}: {problem}");
        }

        Require(Format == FormatName, "format", $"expected \"{FormatName}\", got \"{Format}\"");
        Require(Version == CurrentVersion, "version", $"version {Version} is not supported (this build reads {CurrentVersion})");
        var t = Tokenizer;
        Require(t.VocabSize > 0, "tokenizer.vocab_size", $"must be > 0, got {t.VocabSize}");
        Require(t.EotToken >= 0 && t.EotToken < t.VocabSize, "tokenizer.eot_token", $"{t.EotToken} is outside [0, {t.VocabSize})");
        CheckFile(TokenBytes, "token_bytes", Require);
        Require(TokenBytes.Path == TokenBytesFileName, "token_bytes.path", $"expected \"{TokenBytesFileName}\", got \"{TokenBytes.Path}\"");
        Require(TokenBytes.Bytes == 4L * t.VocabSize, "token_bytes.bytes", $"{TokenBytes.Bytes} bytes, but {t.VocabSize} int32 entries need {4L * t.VocabSize}");
        for (int i = 0; i < t.Files.Count; i++)
            CheckFile(t.Files[i], $"tokenizer.files[{i}]", Require);
        if (Config is not null)
            CheckFile(Config, "config", Require);

        var known = Enum.GetValues<DatasetSplit>().Select(SplitName).ToHashSet();
        foreach (string required in new[] { DatasetSplit.Train, DatasetSplit.Val }.Select(SplitName))
            Require(Splits.ContainsKey(required), "splits", $"the \"{required}\" split is missing");
        int expectedVersion = Shards.TokenShard.VersionFor(t.VocabSize);
        foreach (var (name, split) in Splits)
        {
            string field = $"splits.{name}";
            Require(known.Contains(name), field, $"unknown split (expected {string.Join(", ", known)})");
            Require(split.Documents >= 0 && split.Tokens >= 0 && split.TextBytes >= 0, field, "counts must be >= 0");
            for (int i = 0; i < split.Shards.Count; i++)
            {
                var shard = split.Shards[i];
                string shardField = $"{field}.shards[{i}]";
                Require(IsPlainFileName(shard.File), $"{shardField}.file", $"\"{shard.File}\" must be a file name inside the dataset folder");
                Require(shard.Tokens >= 0 && shard.Tokens <= int.MaxValue, $"{shardField}.tokens", $"{shard.Tokens} is not a shard's token count");
                Require(shard.Version == expectedVersion, $"{shardField}.version",
                    $"a vocabulary of {t.VocabSize} is stored in version-{expectedVersion} shards, got {shard.Version}");
                long size = Shards.TokenShard.HeaderBytes + (long)Shards.TokenShard.BytesPerTokenOf(shard.Version) * shard.Tokens;
                Require(shard.Bytes == size, $"{shardField}.bytes", $"{shard.Bytes}, but {shard.Tokens} tokens make a {size}-byte shard");
                Require(IsSha256(shard.Sha256), $"{shardField}.sha256", "expected 64 lowercase hex digits");
            }
            Require(split.Shards.Sum(s => s.Tokens) == split.Tokens, $"{field}.tokens",
                $"{split.Tokens}, but its shards hold {split.Shards.Sum(s => s.Tokens)}");
        }
    }

    private static void CheckFile(ManifestFile file, string field, Action<bool, string, string> require)
    {
        require(file.Path.Split('/').All(IsPlainFileName), $"{field}.path", $"\"{file.Path}\" must be a relative path inside the dataset folder");
        require(file.Bytes >= 0, $"{field}.bytes", $"must be >= 0, got {file.Bytes}");
        require(IsSha256(file.Sha256), $"{field}.sha256", "expected 64 lowercase hex digits");
    }

    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.IndexOfAny(['/', '\\', ':']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    private static bool IsSha256(string hex) => hex.Length == 64 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
