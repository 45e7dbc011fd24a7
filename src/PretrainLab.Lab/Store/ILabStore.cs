namespace PretrainLab.Lab.Store;

/// <summary>
/// The lab's single source of truth: studies, runs, their metric series and the journal. SQLite and PostgreSQL
/// implement it with the same schema and migrations. Every write a worker makes carries its run's attempt number
/// and is refused once another attempt owns the run, so a run is never counted twice. Safe for concurrent use
/// from several threads and processes.
/// </summary>
public interface ILabStore : IDisposable
{
    /// <summary>Where the store is, for messages (a file path, or a PostgreSQL address without the password).</summary>
    string Location { get; }

    /// <summary>The schema version after migrations.</summary>
    int SchemaVersion { get; }

    /// <summary>Creates a study.</summary>
    /// <exception cref="StoreException">A study of that name exists.</exception>
    StudyRecord CreateStudy(NewStudy study);

    /// <summary>The study named <paramref name="name"/>, or null.</summary>
    StudyRecord? FindStudy(string name);

    /// <summary>The study with id <paramref name="id"/>, or null.</summary>
    StudyRecord? GetStudy(long id);

    /// <summary>All studies, oldest first.</summary>
    IReadOnlyList<StudyRecord> ListStudies();

    /// <summary>Adds queued runs to a study in one transaction and returns them as stored.</summary>
    IReadOnlyList<RunRecord> AddRuns(long studyId, IReadOnlyList<NewRun> runs);

    /// <summary>The run with id <paramref name="id"/>, or null.</summary>
    RunRecord? GetRun(long id);

    /// <summary>The runs <paramref name="query"/> selects.</summary>
    IReadOnlyList<RunRecord> ListRuns(RunQuery query);

    /// <summary>
    /// Lab side: takes a queued run whose attempt is <paramref name="attempt"/> for a new worker (state starting,
    /// attempt + 1). Returns the new attempt number, or null when another lab took it first.
    /// </summary>
    long? BeginAttempt(long runId, long attempt, int threads, string host);

    /// <summary>Lab side: records the process id of the worker started for <paramref name="attempt"/>.</summary>
    bool SetWorkerPid(long runId, long attempt, int pid);

    /// <summary>Worker side: marks the run running under <paramref name="attempt"/>; false when that attempt no longer owns it.</summary>
    bool ClaimAttempt(long runId, long attempt, int pid, string host);

    /// <summary>Worker side: a sign of life with progress; the reply says whether to go on.</summary>
    HeartbeatReply Heartbeat(long runId, long attempt, long step, long? totalSteps);

    /// <summary>
    /// Worker side: adds or merges metric rows (a training step and an evaluation at the same step share a row).
    /// False, writing nothing, when the attempt no longer owns the run.
    /// </summary>
    bool AppendMetrics(long runId, long attempt, IReadOnlyList<MetricPoint> points);

    /// <summary>
    /// Worker side: deletes the run's metric rows after <paramref name="step"/>, which a resumed run repeats from its
    /// checkpoint. False when the attempt no longer owns the run.
    /// </summary>
    bool TruncateMetrics(long runId, long attempt, long step);

    /// <summary>Worker side: records a checkpoint written at <paramref name="step"/>.</summary>
    bool RecordCheckpoint(long runId, long attempt, string path, long step);

    /// <summary>Worker side: ends the attempt with its outcome; false when the attempt no longer owns the run.</summary>
    bool CompleteAttempt(long runId, long attempt, RunOutcome outcome);

    /// <summary>
    /// Lab side: puts a starting or running run whose worker is gone back in the queue (it resumes from its
    /// checkpoint), keeping <paramref name="error"/> as its last error. False when the attempt moved on.
    /// </summary>
    bool Requeue(long runId, long attempt, string error);

    /// <summary>Lab side: ends a starting or running run whose worker is gone as failed. False when the attempt moved on.</summary>
    bool Fail(long runId, long attempt, string error);

    /// <summary>Lab side: sends a paused run on to the next rung (queued, pausing at <paramref name="targetStep"/> or finishing when null).</summary>
    bool Promote(long runId, long rung, long? targetStep);

    /// <summary>Lab side: ends a paused or queued run as pruned.</summary>
    bool Prune(long runId, string reason);

    /// <summary>Lab side: asks the worker of an active run to stop (<c>interrupt</c> or <c>prune</c>) at its next heartbeat.</summary>
    bool RequestStop(long runId, string request);

    /// <summary>The run's metric series in step order.</summary>
    IReadOnlyList<MetricPoint> GetMetrics(long runId);

    /// <summary>Writes a journal entry.</summary>
    JournalEntry AddJournalEntry(long studyId, long? runId, string kind, string text);

    /// <summary>The study's journal in the order it was written.</summary>
    IReadOnlyList<JournalEntry> GetJournal(long studyId);
}
