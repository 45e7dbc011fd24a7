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

    [Fact]
    public void BoundsToleratePrintingNoiseButNotMore()
    {
        var lr = new Knob("optim.lr", KnobKind.LogFloat, 1e-4, 1e-2);
        Assert.Equal(("0.01", null), lr.Normalize("0.010000000000000002"));
        Assert.NotNull(lr.Normalize("0.0101").Error);
    }
}
