using System.Globalization;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Training;

namespace PretrainLab.Engine.Checkpoints;

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (parameters under nanoGPT's names, [out, in] linear
/// layout, the tied head stored once as <c>transformer.wte.weight</c>; the caller's metadata such as
/// the recipe, and the trainer state, in <c>__metadata__</c>) and <c>optimizer.safetensors</c>
/// (the optimizer's named state: AdamW's <c>{name}.exp_avg</c> and <c>{name}.exp_avg_sq</c>, Muon's
/// <c>{name}.momentum_buffer</c>).
/// </summary>
/// <remarks>The optimizer file is written first and the model file last, each atomically, and both
/// record the step: a crash between the two leaves steps that disagree, which loading reports.</remarks>
public static class Checkpoint
{
    /// <summary>The model file's name inside a checkpoint folder.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>The optimizer file's name inside a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>Value of the <c>format</c> metadata key.</summary>
    public const string Format = "pretrainlab/1";

    /// <summary>Writes parameters, optimizer moments and <paramref name="state"/> into <paramref name="directory"/>.</summary>
    public static void Save(string directory, GptModel model, IOptimizer? optimizer, TrainerState state,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);
        var step = state.Step.ToString(CultureInfo.InvariantCulture);
        if (optimizer is not null)
        {
            var o = new SafeTensorsWriter();
            foreach (var s in optimizer.State)
                o.Add(s.Name, s.Shape, s.Values.Span);
            o.Metadata["format"] = Format;
            o.Metadata["step"] = step;
            o.Metadata["optimizer_steps"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
            o.Save(System.IO.Path.Combine(directory, OptimizerFile));
        }

        var w = new SafeTensorsWriter();
        foreach (var p in model.Parameters.All)
            w.Add(p.Name, p.Shape, p.Data.Span);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
                w.Metadata[key] = value;
        }
        w.Metadata["format"] = Format;
        w.Metadata["step"] = step;
        w.Metadata["tokens"] = state.Tokens.ToString(CultureInfo.InvariantCulture);
        w.Metadata["train_seconds"] = state.TrainSeconds.ToString("R", CultureInfo.InvariantCulture);
        w.Metadata["min_loss"] = state.MinLoss.ToString("R", CultureInfo.InvariantCulture);
        w.Metadata["last_loss"] = state.LastLoss.ToString("R", CultureInfo.InvariantCulture);
        w.Metadata["steps_above_margin"] = state.StepsAboveMargin.ToString(CultureInfo.InvariantCulture);
        w.Save(System.IO.Path.Combine(directory, ModelFile));
    }

    /// <summary>Reads the metadata of <paramref name="directory"/>'s model file without loading tensors.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string directory)
    {
        using var r = SafeTensorsReader.Open(ModelPath(directory));
        return r.Metadata;
    }

    /// <summary>
    /// Loads parameters into <paramref name="model"/> (and moments into <paramref name="optimizer"/>
    /// when given) and returns the saved trainer state. Every parameter of the model must be present
    /// with its shape; the message names any that is not.
    /// </summary>
    public static TrainerState Load(string directory, GptModel model, IOptimizer? optimizer)
    {
        var modelPath = ModelPath(directory);
        using var r = SafeTensorsReader.Open(modelPath);
        LoadParameters(r, model.Parameters);
        var meta = r.Metadata;
        var state = new TrainerState
        {
            Step = ReadLong(meta, "step", modelPath),
            Tokens = ReadLong(meta, "tokens", modelPath),
            TrainSeconds = ReadDouble(meta, "train_seconds", modelPath),
            MinLoss = ReadDouble(meta, "min_loss", modelPath),
            LastLoss = ReadDouble(meta, "last_loss", modelPath),
            // Absent in checkpoints written before divergence patience existed.
            StepsAboveMargin = meta.ContainsKey("steps_above_margin") ? (int)ReadLong(meta, "steps_above_margin", modelPath) : 0,
        };
        if (optimizer is null)
            return state;

        var optimizerPath = System.IO.Path.Combine(directory, OptimizerFile);
        if (!File.Exists(optimizerPath))
            throw new InvalidDataException($"{optimizerPath}: optimizer state is missing, so the run cannot be resumed exactly");
        using var o = SafeTensorsReader.Open(optimizerPath);
        var optimizerStep = ReadLong(o.Metadata, "step", optimizerPath);
        if (optimizerStep != state.Step)
            throw new InvalidDataException($"{directory}: model is at step {state.Step} but optimizer state is at step {optimizerStep} (interrupted save?)");
        foreach (var s in optimizer.State)
            Read(o, s.Name, s.Shape, s.Values.Span);
        optimizer.StepCount = ReadLong(o.Metadata, "optimizer_steps", optimizerPath);
        return state;
    }

    /// <summary>Copies every parameter of <paramref name="parameters"/> from <paramref name="reader"/>, checking names and shapes.</summary>
    public static void LoadParameters(SafeTensorsReader reader, ParameterSet parameters)
    {
        foreach (var p in parameters.All)
            Read(reader, p.Name, p.Shape, p.Data.Span);
    }

    private static void Read(SafeTensorsReader reader, string name, int[] shape, Span<float> destination)
    {
        if (!reader.Tensors.TryGetValue(name, out var info))
            throw new InvalidDataException($"{reader.Path}: tensor '{name}' is missing");
        if (!info.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"{reader.Path}: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], the model expects [{string.Join(", ", shape)}]");
        reader.ReadFloat32(name, destination);
    }

    private static string ModelPath(string directory)
    {
        var path = System.IO.Path.Combine(directory, ModelFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{directory}: no {ModelFile} in this folder, so it is not a checkpoint", path);
        return path;
    }

    private static long ReadLong(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x)
            ? x
            : throw new InvalidDataException($"{path}: metadata '{key}' is missing or not an integer");

    private static double ReadDouble(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            ? x
            : throw new InvalidDataException($"{path}: metadata '{key}' is missing or not a number");
}
