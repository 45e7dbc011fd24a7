using PretrainLab.Lab.Analysis;

namespace PretrainLab.Lab.Tests.Analysis;

public sealed class StatisticsTests
{
    [Fact]
    public void MedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes()
    {
        Assert.Equal(3, Statistics.Median([5, 1, 3]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 3, 2]));
        Assert.Equal(7, Statistics.Median([7]));
        // An infinity (ResearchBench's "never") stays infinite when it is a middle value.
        Assert.Equal(double.PositiveInfinity, Statistics.Median([0.2, double.PositiveInfinity, double.PositiveInfinity]));
        Assert.Equal(double.PositiveInfinity, Statistics.Median([0.2, 0.4, double.PositiveInfinity, double.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
    }

    [Fact]
    public void StandardDeviationUsesNMinusOneAndNeedsTwoValues()
    {
        Assert.Equal(1, Statistics.StandardDeviation([1, 2, 3])!.Value, 12);
        Assert.Null(Statistics.StandardDeviation([4]));
    }
}
