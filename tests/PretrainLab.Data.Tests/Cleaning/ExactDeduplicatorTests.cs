using PretrainLab.Data.Cleaning;

namespace PretrainLab.Data.Tests.Cleaning;

public sealed class ExactDeduplicatorTests
{
    [Fact]
    public void Normalize_LowercasesAndCollapsesWhitespace() =>
        Assert.Equal("hello, world! ok", ExactDeduplicator.Normalize("  Hello,\t\tWORLD!\r\n\n ok \n"));

    [Fact]
    public void DocumentsEqualAfterNormalising_AreDuplicatesOfTheFirst()
    {
        string[] texts = ["The cat sat.", "Another text.", "the  CAT\nsat.", "The cat sat!", " The cat sat. "];
        var dedup = new ExactDeduplicator();
        var results = texts.Select((t, i) => (dedup.TryAdd(ExactDeduplicator.Fingerprint(t), i, out int first), first)).ToList();
        Assert.Equal([(true, 0), (true, 1), (false, 0), (true, 3), (false, 0)], results);
        Assert.Equal(3, dedup.Count);
    }

    [Fact]
    public void Fingerprint_DiffersForDifferentTexts()
    {
        var prints = Enumerable.Range(0, 10_000).Select(i => ExactDeduplicator.Fingerprint($"document {i}")).ToHashSet();
        Assert.Equal(10_000, prints.Count);
    }
}
