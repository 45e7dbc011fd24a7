using System.Diagnostics;
using System.Globalization;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// Starts worker processes: <see cref="FileName"/> with <see cref="Arguments"/> followed by
/// <c>worker --run ID --attempt N --heartbeat SECONDS</c>. The store location travels in <c>PLAB_STORE</c>, not on the command line,
/// so a password in it never shows in process listings.
/// </summary>
/// <param name="FileName">The executable: <c>plab</c> itself, or <c>dotnet</c>.</param>
/// <param name="Arguments">Arguments before the worker command, e.g. the path of <c>plab.dll</c> under <c>dotnet</c>.</param>
public sealed record WorkerLauncher(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// Starts the worker for attempt <paramref name="attempt"/> of run <paramref name="runId"/>;
    /// <paramref name="exited"/> is called when it ends.
    /// </summary>
    public WorkerProcess Start(long runId, long attempt, int threads, TimeSpan heartbeat, string storeLocation, Action exited)
    {
        var start = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in Arguments)
            start.ArgumentList.Add(a);
        foreach (var a in new[]
        {
            "worker", "--run", runId.ToString(CultureInfo.InvariantCulture), "--attempt", attempt.ToString(CultureInfo.InvariantCulture),
            "--heartbeat", heartbeat.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        })
            start.ArgumentList.Add(a);
        start.Environment[LabStore.EnvironmentVariable] = storeLocation;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {FileName}");
        return new WorkerProcess(process, runId, attempt, threads, exited);
    }
}
