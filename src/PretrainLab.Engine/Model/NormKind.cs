namespace PretrainLab.Engine.Model;

/// <summary>Which per-row normalisation the blocks and the final norm use.</summary>
public enum NormKind
{
    /// <summary>LayerNorm: centre, scale to unit variance, gain and (with biases) shift. GPT-2's choice.</summary>
    LayerNorm,

    /// <summary>RMSNorm (Zhang and Sennrich, 2019): scale to unit root mean square, with an optional gain.</summary>
    RmsNorm,
}
