using System.Text.Json;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>One tiktoken encoding loaded once per test class, with its cases from Fixtures/tiktoken_reference.json.</summary>
public abstract class EncodingFixture
{
    protected EncodingFixture(string name, Func<string, TiktokenEncoding> load)
    {
        Name = name;
        Encoding = load(TestFiles.Fixture(name + ".tiktoken"));
        using var json = JsonDocument.Parse(File.ReadAllBytes(TestFiles.Fixture("tiktoken_reference.json")));
        var reference = json.RootElement.GetProperty(name);
        Pattern = reference.GetProperty("pattern").GetString()!;
        Cases = ReadCases(reference.GetProperty("cases"));
        SpecialCases = ReadCases(reference.GetProperty("special_cases"));
    }

    public string Name { get; }

    public TiktokenEncoding Encoding { get; }

    /// <summary>The split pattern the reference script used.</summary>
    public string Pattern { get; }

    /// <summary>Texts with their encode_ordinary ids.</summary>
    public IReadOnlyList<ReferenceCase> Cases { get; }

    /// <summary>Texts with their ids when every special token is allowed.</summary>
    public IReadOnlyList<ReferenceCase> SpecialCases { get; }

    private static ReferenceCase[] ReadCases(JsonElement cases) =>
        cases.EnumerateArray()
            .Select(c => new ReferenceCase(
                c.GetProperty("text").GetString()!,
                c.TryGetProperty("pieces", out var pieces) ? pieces.EnumerateArray().Select(p => p.GetString()!).ToArray() : [],
                c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToArray();
}
