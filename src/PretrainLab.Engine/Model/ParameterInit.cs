namespace PretrainLab.Engine.Model;

/// <summary>How a parameter is initialised: N(0, std²), or filled with a constant.</summary>
public readonly record struct ParameterInit(bool Normal, float Value)
{
    /// <summary>Normal with mean 0 and the given standard deviation.</summary>
    public static ParameterInit Gaussian(float std) => new(true, std);

    /// <summary>All elements equal to <paramref name="value"/>.</summary>
    public static ParameterInit Constant(float value) => new(false, value);

    /// <summary>All zeros.</summary>
    public static ParameterInit Zeros => new(false, 0f);

    /// <summary>All ones.</summary>
    public static ParameterInit Ones => new(false, 1f);
}
