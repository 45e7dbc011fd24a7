namespace PretrainLab.Engine.Model;

/// <summary>The MLP's nonlinearity.</summary>
public enum ActivationKind
{
    /// <summary>GELU, tanh form (GPT-2).</summary>
    Gelu,

    /// <summary>ReLU squared, <c>max(0, x)²</c> (So et al., Primer; modded-nanogpt).</summary>
    Relu2,

    /// <summary>SwiGLU (Shazeer, 2020): <c>silu(x·W_gate)·(x·W_up)</c>; <c>c_fc</c> holds gate rows then up rows.</summary>
    SwiGlu,
}
