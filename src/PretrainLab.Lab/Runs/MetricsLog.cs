using System.Text;
using System.Text.Json;
using PretrainLab.Engine.Training;

namespace PretrainLab.Lab.Runs;

/// <summary>
/// A run's metric history as JSON Lines (<c>metrics.jsonl</c>), one flushed line per step or
/// evaluation, so a killed run loses at most the line being written.
/// </summary>
/// <remarks>Lines: <c>{"kind":"step","step":…,"loss":…,"lr":…,"grad_norm":…,"tokens":…,"tokens_per_second":…}</c>
/// and <c>{"kind":"eval","step":…,"val_loss":…,"val_bpb":…,"tokens":…}</c>.</remarks>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Appends to <paramref name="path"/>, creating it if needed.</summary>
    public MetricsLog(string path)
    {
        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Writes a step line.</summary>
    public void Write(StepMetrics m) => WriteLine(w =>
    {
        w.WriteString("kind", "step");
        w.WriteNumber("step", m.Step);
        WriteNumber(w, "loss", m.Loss);
        w.WriteNumber("lr", m.LearningRate);
        WriteNumber(w, "grad_norm", m.GradNorm);
        w.WriteNumber("tokens", m.Tokens);
        w.WriteNumber("tokens_per_second", Math.Round(m.TokensPerSecond, 1));
    });

    /// <summary>Writes an evaluation line.</summary>
    public void Write(EvalMetrics m) => WriteLine(w =>
    {
        w.WriteString("kind", "eval");
        w.WriteNumber("step", m.Step);
        WriteNumber(w, "val_loss", m.Loss);
        if (m.BitsPerByte is { } bpb)
            WriteNumber(w, "val_bpb", bpb);
        w.WriteNumber("tokens", m.Tokens);
    });

    /// <summary>
    /// Rewrites <paramref name="path"/> keeping only lines up to <paramref name="step"/> (a resumed run
    /// repeats the steps after its checkpoint, which must not be counted twice).
    /// </summary>
    public static void TruncateAfter(string path, long step)
    {
        if (!File.Exists(path))
            return;
        var kept = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("step").GetInt64() <= step)
                    kept.Add(line);
            }
            catch (JsonException)
            {
                // A torn last line from a killed process: drop it.
            }
        }
        var tmp = path + ".tmp";
        File.WriteAllLines(tmp, kept);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();

    // JSON has no NaN or infinity: a diverged step writes null and says so in the run's status.
    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private void WriteLine(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        _writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        _writer.Flush();
    }
}
