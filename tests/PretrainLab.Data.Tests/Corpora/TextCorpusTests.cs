using PretrainLab.Data.Corpora;

namespace PretrainLab.Data.Tests.Corpora;

public sealed class TextCorpusTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_1000Bytes_SplitsNineHundredToOneHundred()
    {
        byte[] bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        string path = WriteFile("thousand.txt", bytes);

        var corpus = TextCorpus.Load(path);

        Assert.Equal(Path.GetFullPath(path), corpus.Path);
        Assert.Equal(1000, corpus.TotalBytes);
        Assert.Equal(900, corpus.Train.Length);
        Assert.Equal(100, corpus.Validation.Length);
        Assert.Equal(bytes[..900], corpus.Train.ToArray());
        Assert.Equal(bytes[900..], corpus.Validation.ToArray());
    }

    [Theory]
    // nanoGPT: train = data[:int(n * (1 - f))]
    [InlineData(10, 0.25, 7)]
    [InlineData(10, 0.5, 5)]
    [InlineData(1115394, 0.1, 1003854)]
    [InlineData(999, 0.1, 899)]
    [InlineData(4, 0.5, 2)]
    public void Load_SplitsAtFloorOfTrainShare(int size, double validationFraction, int expectedTrain)
    {
        string path = WriteFile("sized.txt", new byte[size]);

        var corpus = TextCorpus.Load(path, validationFraction);

        Assert.Equal(expectedTrain, corpus.Train.Length);
        Assert.Equal(size - expectedTrain, corpus.Validation.Length);
        Assert.Equal(size, corpus.TotalBytes);
    }

    [Fact]
    public void Load_IsDeterministic()
    {
        var random = new Random(42);
        var bytes = new byte[5000];
        random.NextBytes(bytes);
        string path = WriteFile("random.bin", bytes);

        var first = TextCorpus.Load(path, 0.2);
        var second = TextCorpus.Load(path, 0.2);

        Assert.Equal(first.Train.ToArray(), second.Train.ToArray());
        Assert.Equal(first.Validation.ToArray(), second.Validation.ToArray());
        Assert.Equal(4000, first.Train.Length);
    }

    [Fact]
    public void Load_AcceptsBytesThatAreNotUtf8()
    {
        byte[] bytes = [0xFF, 0xFE, 0x80, 0xC3, 0x28, 0x00, 0xF0, 0x9F, 0x9A, 0x80];
        string path = WriteFile("binary.txt", bytes);

        var corpus = TextCorpus.Load(path, 0.3);

        Assert.Equal(bytes, corpus.Train.ToArray().Concat(corpus.Validation.ToArray()).ToArray());
    }

    [Fact]
    public void Load_SampleTinyShakespeare_MatchesNanoGptSplit()
    {
        string path = SampleCorpusPath();
        long n = new FileInfo(path).Length;

        var corpus = TextCorpus.Load(path);

        Assert.Equal((int)(n * 0.9), corpus.Train.Length);
        Assert.StartsWith("First Citizen:", System.Text.Encoding.UTF8.GetString(corpus.Train.Span[..20]));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        string path = _dir.File("nowhere.txt");
        var ex = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void Load_MissingDirectory_ThrowsFileNotFound()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "input.txt");
        var ex = Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Load_EmptyFile_ThrowsNamingPath()
    {
        string path = WriteFile("empty.txt", []);
        var ex = Assert.Throws<InvalidDataException>(() => TextCorpus.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [InlineData(1, 0.1, 0, 1)]
    [InlineData(2, 0.5, 1, 1)]
    [InlineData(3, 0.1, 2, 1)]
    [InlineData(10, 0.9, 0, 10)] // 10 * (1 - 0.9) is 0.9999999999999998 in doubles, as in Python
    [InlineData(10, 0.1, 9, 1)]
    public void Load_SplitBelowTwoTokens_ThrowsWithSizes(int size, double validationFraction, int train, int validation)
    {
        string path = WriteFile("small.txt", new byte[size]);

        var ex = Assert.Throws<InvalidDataException>(() => TextCorpus.Load(path, validationFraction));

        Assert.Contains(path, ex.Message);
        Assert.Contains($"{size} bytes", ex.Message);
        Assert.Contains($"{train} train and {validation} validation", ex.Message);
    }

    [Fact]
    public void Load_SplitOfExactlyTwoValidationTokens_IsAccepted()
    {
        string path = WriteFile("boundary.txt", new byte[20]);

        var corpus = TextCorpus.Load(path);

        Assert.Equal(18, corpus.Train.Length);
        Assert.Equal(2, corpus.Validation.Length);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Load_ValidationFractionOutsideOpenUnitInterval_Throws(double validationFraction)
    {
        string path = WriteFile("ok.txt", new byte[100]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TextCorpus.Load(path, validationFraction));
        Assert.Equal("validationFraction", ex.ParamName);
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string SampleCorpusPath()
    {
        // Walk up from the test binaries to the repository's samples folder.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "data", "tinyshakespeare.txt");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("samples/data/tinyshakespeare.txt not found above " + AppContext.BaseDirectory);
    }
}
