using PretrainLab.Lab.Bench;

namespace PretrainLab.Lab.Tests.Bench;

public sealed class BenchPresetTests
{
    [Theory]
    [InlineData("tiny", 4, 4, 128, 64, 12, 256, 100)]
    [InlineData("baby", 6, 6, 384, 256, 8, 256, 5)]
    [InlineData("gpt2s", 12, 12, 768, 256, 4, 50304, 3)]
    public void PresetsHaveTheDocumentedShapes(string name, int layers, int heads, int embd, int context, int batch, int vocab, int steps)
    {
        var p = BenchPreset.Find(name)!;
        Assert.Equal(name, p.Name);
        Assert.Equal((layers, heads, embd, context, vocab), (p.Config.NLayer, p.Config.NHead, p.Config.NEmbd, p.Config.BlockSize, p.Config.VocabSize));
        Assert.Equal(batch, p.BatchSize);
        Assert.Equal(steps, p.DefaultSteps);
    }

    [Fact]
    public void AllListsThePresetsSmallestFirstAndUnknownNamesAreNull()
    {
        Assert.Equal(["tiny", "baby", "gpt2s"], BenchPreset.All.Select(p => p.Name));
        Assert.Same(BenchPreset.Baby, BenchPreset.Find("BABY"));
        Assert.Null(BenchPreset.Find("huge"));
    }
}
