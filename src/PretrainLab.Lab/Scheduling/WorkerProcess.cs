using System.Diagnostics;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// A worker the lab started and watches: it keeps the last lines the worker wrote, so a crash can be explained,
/// and calls back the moment the process ends.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private const int KeptLines = 8;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    /// <summary>
    /// Watches <paramref name="process"/>, already started for attempt <paramref name="attempt"/> of run
    /// <paramref name="runId"/>; <paramref name="exited"/> is called (on a thread-pool thread) when it ends.
    /// </summary>
    public WorkerProcess(Process process, long runId, long attempt, int threads, Action exited)
    {
        _process = process;
        RunId = runId;
        Attempt = attempt;
        Threads = threads;
        // Nothing is read from the worker's stdin; its output is drained so it can never block on a full pipe.
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => exited();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // An exit before the handler was attached raises nothing.
        if (process.HasExited)
            exited();
    }

    /// <summary>The run it trains.</summary>
    public long RunId { get; }

    /// <summary>The attempt it owns.</summary>
    public long Attempt { get; }

    /// <summary>Kernel threads it was given.</summary>
    public int Threads { get; }

    /// <summary>Its process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// How it ended, for a run's error: the exit code or the signal that killed it, and its last output lines.
    /// </summary>
    public string DescribeExit()
    {
        _process.WaitForExit();
        var code = _process.ExitCode;
        // .NET reports a process killed by signal N as 128 + N.
        var how = code > 128 && !OperatingSystem.IsWindows()
            ? $"was killed by signal {code - 128}{SignalName(code - 128)}"
            : $"exited with code {code}";
        string tail;
        lock (_lastLines)
            tail = string.Join(" | ", _lastLines);
        return $"worker (pid {Pid}) {how} before recording an outcome" + (tail.Length > 0 ? $": {tail}" : "");
    }

    /// <summary>Releases the process handle; the process itself is not stopped.</summary>
    public void Dispose() => _process.Dispose();

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT)",
        9 => " (SIGKILL: killed by a person or the out-of-memory killer)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };

    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line.Trim());
            while (_lastLines.Count > KeptLines)
                _lastLines.Dequeue();
        }
    }
}
