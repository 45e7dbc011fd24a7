using System.Globalization;
using PretrainLab.Engine.Training;

namespace PretrainLab.Cli;

/// <summary>
/// The live progress line of <c>plab train</c> (step, loss, tokens/s, ETA), redrawn in place on a
/// terminal and printed as plain lines at evaluations when the stream is redirected.
/// </summary>
internal sealed class ProgressDisplay(TextWriter writer) : ITrainingObserver
{
    private readonly bool _interactive = writer == Console.Error ? !Console.IsErrorRedirected : false;
    private DateTime _lastDraw = DateTime.MinValue;
    private string _lastEval = "";
    private int _width;

    public void OnStep(StepMetrics m)
    {
        var now = DateTime.UtcNow;
        if (!_interactive || (now - _lastDraw).TotalMilliseconds < 100 && m.Step < m.TotalSteps)
            return;
        _lastDraw = now;
        Draw(Line(m));
    }

    public void OnEval(EvalMetrics m)
    {
        var bpb = m.BitsPerByte is { } b ? string.Create(CultureInfo.InvariantCulture, $" bpb {b:F4}") : "";
        _lastEval = string.Create(CultureInfo.InvariantCulture, $"val {m.Loss:F4}{bpb}");
        if (!_interactive)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {m.Step}: {_lastEval}"));
    }

    public void OnCheckpoint(TrainerState state)
    {
    }

    public void Finish()
    {
        if (_interactive && _width > 0)
            writer.WriteLine();
        _width = 0;
    }

    private string Line(StepMetrics m)
    {
        var c = CultureInfo.InvariantCulture;
        var known = m.TotalSteps is > 0 and < long.MaxValue;
        var fraction = known ? Math.Min(1.0, (double)m.Step / m.TotalSteps) : 0;
        const int barWidth = 24;
        var filled = (int)(fraction * barWidth);
        var bar = new string('#', filled) + new string('.', barWidth - filled);
        var rate = m.TrainSeconds > 0 ? m.Step / m.TrainSeconds : 0;
        var eta = known && rate > 0 ? TimeSpan.FromSeconds((m.TotalSteps - m.Step) / rate) : (TimeSpan?)null;
        var total = known ? m.TotalSteps.ToString(c) : "?";
        return string.Create(c,
            $"[{bar}] step {m.Step}/{total}  loss {m.Loss:F4}  {m.TokensPerSecond:N0} tok/s  lr {m.LearningRate:E2}  ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss", c) : "--")}  {_lastEval}");
    }

    private void Draw(string line)
    {
        var pad = Math.Max(0, _width - line.Length);
        writer.Write("\r" + line + new string(' ', pad));
        _width = line.Length;
    }
}
