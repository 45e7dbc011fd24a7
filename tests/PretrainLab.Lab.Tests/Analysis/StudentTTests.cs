using PretrainLab.Lab.Analysis;

namespace PretrainLab.Lab.Tests.Analysis;

public sealed class StudentTTests
{
    [Theory]
    // Two-sided 95 % and one-sided 95 % critical values from standard tables.
    [InlineData(0.975, 1, 12.706204736)]
    [InlineData(0.975, 2, 4.302652730)]
    [InlineData(0.975, 4, 2.776445105)]
    [InlineData(0.975, 9, 2.262157163)]
    [InlineData(0.975, 30, 2.042272456)]
    [InlineData(0.95, 5, 2.015048373)]
    [InlineData(0.995, 3, 5.840909310)]
    public void QuantilesMatchTables(double p, double df, double expected)
    {
        Assert.Equal(expected, StudentT.Quantile(p, df), 5);
        Assert.Equal(-expected, StudentT.Quantile(1 - p, df), 5);
        Assert.Equal(p, StudentT.Cdf(expected, df), 8);
    }

    [Fact]
    public void LargeDegreesOfFreedomApproachTheNormal()
    {
        Assert.Equal(1.959964, StudentT.Quantile(0.975, 1e7), 4);
        Assert.Equal(0.5, StudentT.Cdf(0, 3), 12);
    }
}
