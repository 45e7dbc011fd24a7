using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// The feed-forward block: <c>c_proj(act(c_fc(x)))</c>; GPT-2 uses GELU and a 4x hidden width. With
/// SwiGLU, <c>c_fc</c> is [2H, C] (gate rows, then value rows) and the activation gates one half by
/// the other.
/// </summary>
public sealed class Mlp
{
    private readonly Activation? _activation;
    private readonly SwiGlu? _gated;
    private readonly int _hidden;
    private Tensor _fc;
    private Tensor _act;
    private Tensor _dHidden;
    private Tensor _dAct;

    /// <summary>Declares <c>{name}.c_fc</c> and <c>{name}.c_proj</c> for the config's activation and hidden width.</summary>
    public Mlp(ParameterSet parameters, Workspace workspace, string name, GptConfig config,
        ParameterInit weightInit, ParameterInit projectionInit)
    {
        _hidden = config.MlpHidden;
        switch (config.Activation)
        {
            case ActivationKind.Gelu:
                _activation = new Gelu(workspace);
                break;
            case ActivationKind.Relu2:
                _activation = new Relu2(workspace);
                break;
            case ActivationKind.SwiGlu:
                _gated = new SwiGlu(workspace);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(config), $"activation {config.Activation}");
        }
        Up = new Linear(parameters, workspace, $"{name}.c_fc", config.NEmbd, FcWidth, config.Bias, weightInit);
        Down = new Linear(parameters, workspace, $"{name}.c_proj", _hidden, config.NEmbd, config.Bias, projectionInit);
    }

    /// <summary>The expansion, [hidden (2·hidden for SwiGLU), C].</summary>
    public Linear Up { get; }

    /// <summary>The projection back to the model width, [C, hidden].</summary>
    public Linear Down { get; }

    /// <summary>Width of <c>c_fc</c>'s output.</summary>
    public int FcWidth => _gated is null ? _hidden : 2 * _hidden;

    /// <summary>
    /// Allocates saved activations for up to <paramref name="rows"/> rows; the shared gradient buffers
    /// (rows × <see cref="FcWidth"/> and rows × hidden) are reused by every block.
    /// </summary>
    public void Plan(TensorArena arena, Tensor sharedDHidden, Tensor sharedDActivation, int rows)
    {
        _fc = arena.Allocate((long)rows * FcWidth);
        _act = arena.Allocate((long)rows * _hidden);
        _dHidden = sharedDHidden;
        _dAct = sharedDActivation;
    }

    /// <summary>Computes the block for <paramref name="rows"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int rows)
    {
        Up.Forward(input, _fc, rows);
        if (_gated is null)
            _activation!.Forward(_fc, _act, rows * _hidden);
        else
            _gated.Forward(_fc, _act, rows, _hidden);
        Down.Forward(_act, output, rows);
    }

    /// <summary>Writes <c>dL/dinput</c> into <paramref name="dInput"/> and adds parameter gradients.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows)
    {
        if (_gated is null)
        {
            Down.Backward(_act, dOutput, _dHidden, rows);
            _activation!.Backward(_fc, _dHidden, _dHidden, rows * _hidden);
            Up.Backward(input, _dHidden, dInput, rows);
            return;
        }

        Down.Backward(_act, dOutput, _dAct, rows);
        _gated.Backward(_fc, _dAct, _dHidden, rows, _hidden);
        Up.Backward(input, _dHidden, dInput, rows);
    }
}
