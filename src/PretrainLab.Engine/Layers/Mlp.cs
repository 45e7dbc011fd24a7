using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>The feed-forward block: <c>c_proj(act(c_fc(x)))</c>; GPT-2 uses GELU and a 4x hidden width.</summary>
public sealed class Mlp
{
    private readonly Activation _activation;
    private readonly int _hidden;
    private Tensor _fc;
    private Tensor _act;
    private Tensor _dHidden;

    /// <summary>Declares <c>{name}.c_fc</c> and <c>{name}.c_proj</c>.</summary>
    public Mlp(ParameterSet parameters, Workspace workspace, string name, int width, int hidden, Activation activation,
        bool bias, ParameterInit weightInit, ParameterInit projectionInit)
    {
        _hidden = hidden;
        _activation = activation;
        Up = new Linear(parameters, workspace, $"{name}.c_fc", width, hidden, bias, weightInit);
        Down = new Linear(parameters, workspace, $"{name}.c_proj", hidden, width, bias, projectionInit);
    }

    /// <summary>The expansion, [hidden, C].</summary>
    public Linear Up { get; }

    /// <summary>The projection back to the model width, [C, hidden].</summary>
    public Linear Down { get; }

    /// <summary>Allocates saved activations for up to <paramref name="rows"/> rows; <paramref name="sharedDHidden"/> is reused by every block.</summary>
    public void Plan(TensorArena arena, Tensor sharedDHidden, int rows)
    {
        _fc = arena.Allocate((long)rows * _hidden);
        _act = arena.Allocate((long)rows * _hidden);
        _dHidden = sharedDHidden;
        Up.Plan(rows);
        Down.Plan(rows);
    }

    /// <summary>Computes the block for <paramref name="rows"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int rows)
    {
        Up.Forward(input, _fc, rows);
        _activation.Forward(_fc, _act, rows * _hidden);
        Down.Forward(_act, output, rows);
    }

    /// <summary>Writes <c>dL/dinput</c> into <paramref name="dInput"/> and adds parameter gradients.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows)
    {
        Down.Backward(_act, dOutput, _dHidden, rows);
        _activation.Backward(_fc, _dHidden, _dHidden, rows * _hidden);
        Up.Backward(input, _dHidden, dInput, rows);
    }
}
