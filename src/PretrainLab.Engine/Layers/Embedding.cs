using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// GPT-2's input: <c>x[b,t] = wte[token[b,t]] + wpe[t]</c> (learned token and position tables,
/// <c>transformer.wte.weight</c> [V, C] and <c>transformer.wpe.weight</c> [T, C]); with rotary
/// positions there is no <c>wpe</c> and <c>x[b,t] = wte[token[b,t]]</c>.
/// </summary>
public sealed unsafe class Embedding
{
    private readonly int _width;

    /// <summary>Declares the token and position tables.</summary>
    public Embedding(ParameterSet parameters, GptConfig config)
    {
        _width = config.NEmbd;
        var init = ParameterInit.Gaussian(config.InitStd);
        TokenTable = parameters.Declare("transformer.wte.weight", [config.VocabSize, config.NEmbd], ParameterKind.Embedding, init);
        PositionTable = config.Position == PositionKind.Learned
            ? parameters.Declare("transformer.wpe.weight", [config.BlockSize, config.NEmbd], ParameterKind.Embedding, init)
            : null;
    }

    /// <summary>The token table <c>wte</c>, [V, C]; also the tied output head.</summary>
    public Parameter TokenTable { get; }

    /// <summary>The position table <c>wpe</c>, [T, C], or null with rotary positions.</summary>
    public Parameter? PositionTable { get; }

    /// <summary>Writes the embeddings of <paramref name="batch"/> sequences of <paramref name="context"/> tokens.</summary>
    public void Forward(ReadOnlySpan<int> tokens, Tensor output, int batch, int context)
    {
        var vocab = TokenTable.Shape[0];
        for (var r = 0; r < batch * context; r++)
        {
            var token = tokens[r];
            if ((uint)token >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"token {token} at position {r} is outside the vocabulary of {vocab}");
            var row = TokenTable.Data.Data + (long)token * _width;
            var dst = output.Data + (long)r * _width;
            if (PositionTable is null)
                new ReadOnlySpan<float>(row, _width).CopyTo(new Span<float>(dst, _width));
            else
                VectorMath.Add(row, PositionTable.Data.Data + (long)(r % context) * _width, dst, _width);
        }
    }

    /// <summary>Adds <paramref name="dOutput"/>'s rows into the gradients of the rows they came from, in row order.</summary>
    public void Backward(ReadOnlySpan<int> tokens, Tensor dOutput, int batch, int context)
    {
        for (var r = 0; r < batch * context; r++)
        {
            var dy = dOutput.Data + (long)r * _width;
            var wte = TokenTable.Grad.Data + (long)tokens[r] * _width;
            VectorMath.Add(wte, dy, wte, _width);
            if (PositionTable is not null)
            {
                var wpe = PositionTable.Grad.Data + (long)(r % context) * _width;
                VectorMath.Add(wpe, dy, wpe, _width);
            }
        }
    }
}
