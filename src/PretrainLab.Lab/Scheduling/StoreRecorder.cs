using PretrainLab.Engine.Training;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// A worker's link to the store while it trains: metric points are queued by the training thread and written in
/// batches by a heartbeat thread, which also reports progress and reads the lab's stop requests. A checkpoint
/// flushes synchronously, so the store holds every step up to the last checkpoint.
/// </summary>
public sealed class StoreRecorder : ITrainingObserver, IDisposable
{
    private readonly ILabStore _store;
    private readonly long _runId;
    private readonly long _attempt;
    private readonly string _checkpointPath;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _disposed = new();
    private readonly Thread _heartbeat;
    private List<MetricPoint> _pending = [];
    private long _step;
    private long? _totalSteps;

    /// <summary>Starts the heartbeat thread for attempt <paramref name="attempt"/> of run <paramref name="runId"/>.</summary>
    public StoreRecorder(ILabStore store, long runId, long attempt, string checkpointPath, TimeSpan interval)
    {
        _store = store;
        _runId = runId;
        _attempt = attempt;
        _checkpointPath = checkpointPath;
        _heartbeat = new Thread(() => Beat(interval)) { IsBackground = true, Name = "plab heartbeat" };
        _heartbeat.Start();
    }

    /// <summary>Signalled when the lab asks the run to stop or another attempt has taken it over.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>The lab's stop request (<c>interrupt</c> or <c>prune</c>), once one was read.</summary>
    public string? StopRequest { get; private set; }

    /// <summary>True once the store refused a write because another attempt owns the run.</summary>
    public bool Superseded { get; private set; }

    /// <inheritdoc/>
    public void OnStep(StepMetrics metrics)
    {
        lock (_gate)
        {
            _pending.Add(new MetricPoint(metrics.Step, metrics.Tokens, metrics.Loss, TokensPerSecond: metrics.TokensPerSecond));
            _step = metrics.Step;
            _totalSteps = metrics.TotalSteps;
        }
    }

    /// <inheritdoc/>
    public void OnEval(EvalMetrics metrics)
    {
        lock (_gate)
            _pending.Add(new MetricPoint(metrics.Step, ValLoss: metrics.Loss, ValBpb: metrics.BitsPerByte));
    }

    /// <inheritdoc/>
    public void OnCheckpoint(TrainerState state)
    {
        Flush();
        if (!Superseded && !_store.RecordCheckpoint(_runId, _attempt, _checkpointPath, state.Step))
            Lose();
    }

    /// <summary>Writes the queued points now; on failure they stay queued and the error is thrown.</summary>
    public void Flush()
    {
        List<MetricPoint> batch;
        lock (_gate)
        {
            if (_pending.Count == 0 || Superseded)
                return;
            batch = _pending;
            _pending = [];
        }
        try
        {
            if (!_store.AppendMetrics(_runId, _attempt, batch))
                Lose();
        }
        catch
        {
            lock (_gate)
                _pending.InsertRange(0, batch);
            throw;
        }
    }

    /// <summary>Stops the heartbeat thread.</summary>
    public void Dispose()
    {
        _disposed.Set();
        _heartbeat.Join();
        _disposed.Dispose();
        _stop.Dispose();
    }

    private void Beat(TimeSpan interval)
    {
        while (!_disposed.Wait(interval))
        {
            try
            {
                Flush();
                long step;
                long? total;
                lock (_gate)
                    (step, total) = (_step, _totalSteps);
                var reply = _store.Heartbeat(_runId, _attempt, step, total);
                if (!reply.Owned)
                {
                    Lose();
                }
                else if (reply.StopRequest is { } request && StopRequest is null)
                {
                    StopRequest = request;
                    _stop.Cancel();
                }
            }
            catch (StoreException)
            {
                // The store may come back: training goes on, the points stay queued, and the lab judges the
                // heartbeat's age.
            }
        }
    }

    private void Lose()
    {
        Superseded = true;
        _stop.Cancel();
    }
}
