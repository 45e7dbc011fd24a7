using PretrainLab.Research.Agendas;

namespace PretrainLab.Research.Tests;

public sealed class KnobTests
{
    [Fact]
    public void LogKnobsSpreadInTheLogarithmAndRoundToThreeDigits()
    {
        var lr = new Knob("optim.lr", KnobKind.LogFloat, 1e-4, 1e-2);
        Assert.Equal("0.001", lr.FromUnit(0.5));
        Assert.Equal(0.5, lr.ToUnit("0.001"), 12);
        Assert.Equal("0.0001", lr.FromUnit(0));
        Assert.Equal("0.01", lr.FromUnit(1));
        Assert.Equal("0.000316", lr.FromUnit(0.25));
    }

    [Fact]
    public void IntegerKnobsRoundAndCategoriesMatchNumerically()
    {
        var layers = new Knob("model.n_layer", KnobKind.Int, 1, 4);
        Assert.Equal("3", layers.FromUnit(0.6));
        Assert.Equal(("2", null), layers.Normalize("2.0"));
        Assert.Contains("expected an integer", layers.Normalize("2.5").Error);
        Assert.Contains("outside [1, 4]", layers.Normalize("5").Error);
        Assert.Contains("expected a number", layers.Normalize("many").Error);

        var width = new Knob("model.n_embd", KnobKind.Categorical, Values: ["32", "64"]);
        Assert.Equal(("64", null), width.Normalize("64.0"));
        Assert.Contains("not one of 32, 64", width.Normalize("48").Error);
        Assert.Equal(1.0, width.ToUnit("64"));
    }

    [Theory]
    [InlineData(KnobKind.Int, 1, 4)]
    [InlineData(KnobKind.Int, 0, 100)]
    [InlineData(KnobKind.LogInt, 1, 8)]
    public void AUniformUnitDrawsEveryIntegerEquallyOften(KnobKind kind, int min, int max)
    {
        // Even steps over [0, 1] stand for a uniform draw; a log knob's integers are spread in the logarithm, so only
        // its ends are checked against the linear share.
        var knob = new Knob("k", kind, min, max);
        const int steps = 100_000;
        var counts = new int[max - min + 1];
        for (var i = 0; i < steps; i++)
            counts[int.Parse(knob.FromUnit((i + 0.5) / steps), System.Globalization.CultureInfo.InvariantCulture) - min]++;
        if (kind == KnobKind.Int)
        {
            foreach (var count in counts)
                Assert.InRange(count, steps / counts.Length - 2, steps / counts.Length + 2);
        }
        else
        {
            // log_int [1, 8]: the cells [0.5, 1.5) and [7.5, 8.5] of log(0.5)..log(8.5).
            Assert.Equal(Math.Log(3) / Math.Log(17), counts[0] / (double)steps, 3);
            Assert.Equal(Math.Log(8.5 / 7.5) / Math.Log(17), counts[^1] / (double)steps, 3);
        }
        for (var v = min; v <= max; v++)
        {
            var text = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(text, knob.FromUnit(knob.ToUnit(text)));
        }
        Assert.Equal(0.125, new Knob("k", KnobKind.Int, 1, 4).ToUnit("1"), 12);
        Assert.Equal(0.875, new Knob("k", KnobKind.Int, 1, 4).ToUnit("4"), 12);
    }

    [Fact]
    public void BoundsToleratePrintingNoiseButNotMore()
    {
        var lr = new Knob("optim.lr", KnobKind.LogFloat, 1e-4, 1e-2);
        Assert.Equal(("0.01", null), lr.Normalize("0.010000000000000002"));
        Assert.NotNull(lr.Normalize("0.0101").Error);
    }
}
