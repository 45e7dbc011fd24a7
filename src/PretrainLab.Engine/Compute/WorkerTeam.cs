using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace PretrainLab.Engine.Compute;

/// <summary>
/// The threads behind <see cref="Parallelism.For{T}"/>: a fixed set of workers that take chunks of
/// one job at a time with the calling thread, poll for the next job for <see cref="PollMicroseconds"/>
/// after each, then sleep on a semaphore, and exit after a while without work (they are started
/// again on demand). A job costs no allocation.
/// </summary>
/// <remarks>
/// Chunks are claimed through one 64-bit ticket, <c>generation &lt;&lt; 32 | next chunk</c>, by
/// compare-and-swap, so a worker that wakes late for a job that has finished can never claim a chunk
/// of it or of the next one: between jobs the ticket is closed, and the next job is written only while
/// it is closed. Which thread runs which chunk varies; what a chunk computes does not.
/// <para>
/// Polling is what lets a second thread help with a training step's many short loops: they come
/// tens of microseconds apart, about what it costs to wake a sleeping thread (more in a virtual
/// machine, whose idle core halts), so a sleeping worker would often arrive after the caller has
/// taken every chunk itself. But on a machine with more runnable threads than cores, a polling
/// thread takes time from the threads that do the work (its own caller's included) and is itself
/// descheduled at random, even holding a chunk. So a poll that finds it was descheduled (a gap of
/// <see cref="PreemptedMicroseconds"/> between two of its spins) stops polling, and the whole team
/// sleeps between jobs for the next <see cref="BackOffMilliseconds"/>.
/// </para>
/// </remarks>
internal sealed class WorkerTeam
{
    private const int Closed = int.MaxValue;
    private const int IdleMilliseconds = 2000;

    /// <summary>How long an idle worker polls for the next job, and a caller for its last chunks, before sleeping.</summary>
    internal const int PollMicroseconds = 200;

    /// <summary>A gap between two spins of a poll that means the thread was descheduled: the cores are oversubscribed.</summary>
    internal const int PreemptedMicroseconds = 100;

    /// <summary>How long the team sleeps between jobs, without polling, once a poll was descheduled.</summary>
    internal const int BackOffMilliseconds = 50;

    private static readonly long PollTicks = Stopwatch.Frequency * PollMicroseconds / 1_000_000;
    private static readonly long PreemptedTicks = Stopwatch.Frequency * PreemptedMicroseconds / 1_000_000;
    private static readonly long BackOffTicks = Stopwatch.Frequency * BackOffMilliseconds / 1_000;

    private readonly int _size;
    private readonly SemaphoreSlim _wake = new(0);
    // Released once per job, by whoever finishes its last chunk. A semaphore rather than a ManualResetEventSlim, whose
    // first blocking wait allocates a lock object: a job must not allocate, however late the first contention comes.
    private readonly SemaphoreSlim _finished = new(0);
    // One reusable job per operation type, touched only by the thread that holds _busy.
    private readonly Dictionary<Type, Job> _jobs = [];
    private long _ticket = Closed;
    private int _generation;
    private Job? _job;
    private int _chunks;
    private int _done;
    private int _busy;
    private int _live;
    private int _sleeping;
    private long _pollAgainAt;
    private ExceptionDispatchInfo? _failure;

    /// <summary>A team of <paramref name="workers"/> threads besides the caller.</summary>
    public WorkerTeam(int workers) => _size = workers;

    /// <summary>
    /// Runs <paramref name="operation"/> over <paramref name="chunks"/> chunks of
    /// <paramref name="perChunk"/> rows (the last one shorter) and returns true; returns false at once
    /// when the team is already running a job (a nested or concurrent call), which the caller then runs itself.
    /// </summary>
    public bool TryRun<T>(in T operation, int rows, int perChunk, int chunks)
        where T : struct, IRowOperation
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            return false;
        try
        {
            if (!_jobs.TryGetValue(typeof(T), out var cached))
                _jobs[typeof(T)] = cached = new Job<T>();
            var job = (Job<T>)cached;
            job.Set(operation, rows, perChunk);
            _job = job;
            _chunks = chunks;
            _done = 0;
            _failure = null;
            var generation = ++_generation;
            // A full fence: a worker that announces it is going to sleep either sees this job or is woken for it.
            Interlocked.Exchange(ref _ticket, (long)generation << 32);
            StartWorkers();
            var sleeping = Volatile.Read(ref _sleeping);
            if (sleeping > 0)
                _wake.Release(Math.Min(sleeping, chunks - 1));
            Participate();
            // Polls briefly, then sleeps: on a busy machine a spinning caller would take the core
            // that a preempted worker needs to finish its chunk.
            Poll(static team => Volatile.Read(ref team._done) == team._chunks);
            _finished.Wait();
            Volatile.Write(ref _ticket, ((long)generation << 32) | Closed);
            job.Clear();
            _failure?.Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Claims and runs chunks of the open job until none is left.</summary>
    private void Participate()
    {
        while (true)
        {
            var ticket = Volatile.Read(ref _ticket);
            // Read after the ticket: if it shows an unclaimed chunk, these belong to its job.
            var job = _job;
            var next = (int)ticket;
            if (next >= _chunks || job is null)
                return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket)
                continue;
            try
            {
                job.Run(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            if (Interlocked.Increment(ref _done) == _chunks)
                _finished.Release();
        }
    }

    private void StartWorkers()
    {
        while (Volatile.Read(ref _live) < _size)
        {
            Interlocked.Increment(ref _live);
            new Thread(Work) { IsBackground = true, Name = "plab worker" }.Start();
        }
    }

    private void Work()
    {
        while (true)
        {
            if (!Poll(static team => team.HasWork))
            {
                Interlocked.Increment(ref _sleeping);
                // After the announcement (a full fence), so that a job opened meanwhile is not missed.
                var woken = HasWork || _wake.Wait(IdleMilliseconds);
                Interlocked.Decrement(ref _sleeping);
                if (!woken)
                    break;
            }
            Participate();
        }
        Interlocked.Decrement(ref _live);
    }

    /// <summary>Whether the open job has chunks left to claim.</summary>
    private bool HasWork => (int)Volatile.Read(ref _ticket) < Volatile.Read(ref _chunks);

    /// <summary>
    /// Spins, yielding to other runnable threads, until <paramref name="done"/> holds (true), or
    /// <see cref="PollTicks"/> pass, or the thread finds it was descheduled (false); does not spin
    /// while the team is backing off.
    /// </summary>
    private bool Poll(Func<WorkerTeam, bool> done)
    {
        var start = Stopwatch.GetTimestamp();
        if (start < Volatile.Read(ref _pollAgainAt))
            return done(this);
        var last = start;
        var spinner = new SpinWait();
        while (!done(this))
        {
            var now = Stopwatch.GetTimestamp();
            if (now - last > PreemptedTicks)
            {
                Volatile.Write(ref _pollAgainAt, now + BackOffTicks);
                return false;
            }
            if (now - start > PollTicks)
                return false;
            last = now;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        return true;
    }

    /// <summary>A job's operation behind a class, so that workers can run it without knowing its type.</summary>
    private abstract class Job
    {
        public abstract void Run(int chunk);
    }

    /// <summary>An operation of type <typeparamref name="T"/> cut into chunks.</summary>
    private sealed class Job<T> : Job
        where T : struct, IRowOperation
    {
        private T _operation;
        private int _rows;
        private int _perChunk;

        public void Set(in T operation, int rows, int perChunk)
        {
            _operation = operation;
            _rows = rows;
            _perChunk = perChunk;
        }

        // Drops the operation's references (if any) once the job is done.
        public void Clear() => _operation = default;

        public override void Run(int chunk)
        {
            var start = chunk * _perChunk;
            _operation.Invoke(start, Math.Min(start + _perChunk, _rows));
        }
    }
}
