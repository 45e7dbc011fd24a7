using PretrainLab.Research.Researchers;

namespace PretrainLab.Research.Tests;

public sealed class KeyedRandomTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void TheStreamsOfConsecutiveExperimentsAreIndependent(int seed)
    {
        // The draw random search makes for a study's width (the eighth) and the first draw TPE makes (a kernel), over
        // 4,000 consecutive experiments: every value and every pair of neighbours' values about equally often. With
        // new Random(seed * 1_000_003 + k) the eighth Next(4) alternated between two values.
        const int experiments = 4000;
        var eighth = new int[experiments];
        var first = new int[experiments];
        for (var k = 0; k < experiments; k++)
        {
            var random = new KeyedRandom(seed, k);
            first[k] = random.Next(5);
            for (var i = 1; i < 7; i++)
                random.NextDouble();
            eighth[k] = random.Next(4);
        }
        AssertUniform(eighth, 4);
        AssertUniform(first, 5);
        AssertUniform(eighth.Skip(1).Select((v, k) => eighth[k] * 4 + v).ToArray(), 16);
        AssertUniform(first.Skip(1).Select((v, k) => first[k] * 5 + v).ToArray(), 25);
    }

    [Fact]
    public void EveryMethodDrawsFromTheKeyedStream()
    {
        static string Draws(int seed, long index)
        {
            var random = new KeyedRandom(seed, index);
            var bytes = new byte[5];
            random.NextBytes(bytes);
            int[] order = [0, 1, 2, 3, 4, 5];
            random.Shuffle(order);
            return string.Join(",", random.Next(), random.Next(10), random.Next(-3, 3), random.NextInt64(), random.NextInt64(1L << 40),
                random.NextInt64(-5, 5), random.NextDouble(), random.NextSingle(), Convert.ToHexString(bytes), string.Join("", order));
        }

        Assert.Equal(Draws(3, 11), Draws(3, 11));
        Assert.NotEqual(Draws(3, 11), Draws(3, 12));
        Assert.NotEqual(Draws(3, 11), Draws(4, 11));
    }

    [Fact]
    public void BoundsAreKeptAndEmptyRangesGiveTheirStart()
    {
        var random = new KeyedRandom(1, 0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(random.Next(3), 0, 2);
            Assert.InRange(random.Next(-2, 2), -2, 1);
            Assert.InRange(random.NextInt64(long.MinValue, long.MaxValue), long.MinValue, long.MaxValue - 1);
            Assert.InRange(random.NextDouble(), 0, 1 - double.Epsilon);
            Assert.InRange(random.NextSingle(), 0f, 1f - float.Epsilon);
        }
        Assert.Equal(0, random.Next(0));
        Assert.Equal(0, random.Next(1));
        Assert.Equal(5, random.Next(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(2, 1));
    }

    /// <summary>Each of the <paramref name="categories"/> values within 5 standard deviations of its expected count.</summary>
    private static void AssertUniform(int[] values, int categories)
    {
        var expected = values.Length / (double)categories;
        var slack = 5 * Math.Sqrt(expected * (1 - 1.0 / categories));
        for (var c = 0; c < categories; c++)
            Assert.InRange(values.Count(v => v == c), expected - slack, expected + slack);
    }
}
