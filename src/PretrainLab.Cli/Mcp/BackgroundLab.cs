using PretrainLab.Cli.Commands;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;

namespace PretrainLab.Cli.Mcp;

/// <summary>
/// The lab behind <c>plab mcp</c>: the study's scheduler on a background thread, started on request, training the
/// queued runs in worker processes until none is left. Stopping it asks the workers to checkpoint; their runs resume
/// on the next start.
/// </summary>
internal sealed class BackgroundLab(ResearchStudy study, string storeLocation, SchedulerOptions options, TextWriter log) : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task? _running;

    /// <summary>Whether the scheduler is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
                return _running is { IsCompleted: false };
        }
    }

    /// <summary>The slots it fills.</summary>
    public int Slots => options.Slots;

    /// <summary>Starts the scheduler unless it runs; false when it was running already.</summary>
    public bool Start()
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false })
                return false;
            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _running = Task.Run(() => new StudyScheduler(study.Store, storeLocation, study.Study, PlabExecutable.Launcher(), options, log).Run(token));
            return true;
        }
    }

    /// <summary>Stops the scheduler, letting its workers checkpoint, and waits for it.</summary>
    public void Dispose()
    {
        Task? running;
        lock (_gate)
        {
            _stop?.Cancel();
            running = _running;
        }
        running?.Wait(options.InterruptGrace + TimeSpan.FromSeconds(5));
    }
}
