using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PretrainLab.Lab.Tests.Runs;

namespace PretrainLab.Lab.Tests.Datasets;

/// <summary>
/// A temporary folder with two small corpora and a data configuration over them: 60 kB of
/// tinyshakespeare cut at blank lines, and 120 TinyStories stories as gzipped JSON Lines plus an
/// exact copy and a lightly edited copy (Jaccard about 0.9) of the first story.
/// </summary>
public sealed class DatasetFixture : IDisposable
{
    public const string Config = """
        name: fixture
        seed: 5
        sources:
          - name: shakespeare
            paths: shakespeare.txt
            separator: blank_lines
            weight: 1
          - name: stories
            paths: [stories.jsonl.gz]
            weight: 1
        cleaning:
          quality_filter:
            words: {min: 8}
          near_dedup: {threshold: 0.7}
        splits: {val: 0.1, test: 0.05}
        tokenizer: {kind: train, vocab_size: 320}
        shards: {tokens: 4000}
        """;

    public DatasetFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plab-datasets-").FullName;
        var shakespeare = File.ReadAllText(RunFixture.SamplePath("tinyshakespeare.txt"))[..60_000];
        File.WriteAllText(Path.Combine(Directory, "shakespeare.txt"), shakespeare);

        var stories = File.ReadAllText(RunFixture.SamplePath("tinystories_head.txt"))
            .Split('\n').Aggregate(new List<string> { "" }, (list, line) =>
            {
                // A story ends at a single line break; paragraphs are separated by a blank line.
                if (line.Length > 0 && list[^1].Length > 0 && !list[^1].EndsWith("\n\n", StringComparison.Ordinal))
                    list.Add("");
                list[^1] += line + "\n";
                return list;
            })
            .Select(s => s.Trim()).Where(s => s.Length > 0).Take(120).ToList();
        Stories = stories;
        stories.Add(stories[0]);
        stories.Add(stories[0].Replace("sharp", "very sharp", StringComparison.Ordinal) + " The end.");
        using (var file = File.Create(Path.Combine(Directory, "stories.jsonl.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            foreach (var story in stories)
                gzip.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = story }) + "\n"));
        }
        ConfigPath = Path.Combine(Directory, "data.yaml");
        File.WriteAllText(ConfigPath, Config);
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    /// <summary>The stories written, the two copies of the first at the end.</summary>
    public List<string> Stories { get; }

    public string Path_(string name) => Path.Combine(Directory, name);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
