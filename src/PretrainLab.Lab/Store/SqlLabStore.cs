using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace PretrainLab.Lab.Store;

/// <summary>
/// <see cref="ILabStore"/> over one ADO.NET connection, with SQL shared by SQLite and PostgreSQL; subclasses open
/// the connection, spell the few types that differ and turn driver errors into <see cref="StoreException"/>s.
/// </summary>
/// <remarks>
/// Calls are serialised on the connection, so one store may be used from several threads (a worker's training
/// thread and its heartbeat thread). Times are Unix milliseconds in UTC. Non-finite numbers are stored as null.
/// </remarks>
public abstract class SqlLabStore : ILabStore
{
    private const string RunColumns =
        "id, study_id, label, seed, config_hash, recipe_hash, knobs, run_dir, status, rung, target_step, attempt, " +
        "stop_request, threads, worker_host, worker_pid, created_at, started_at, heartbeat_at, finished_at, step, " +
        "total_steps, checkpoint_path, checkpoint_step, tokens, flops, params, train_loss, val_loss, val_bpb, " +
        "test_loss, test_bpb, tokens_per_second, train_seconds, wall_seconds, reason, error";

    private const string StudyColumns = "id, name, created_at, objective, definition, runs_dir";


    private static readonly string[] MetricNames = ["val_loss", "val_bpb", "train_loss", "test_loss", "test_bpb"];

    private readonly Lock _gate = new();
    private readonly DbConnection _connection;

    // Prepared metric inserts by row count, reused across calls: parsing the SQL costs more than running it.
    private readonly Dictionary<int, DbCommand> _metricInserts = [];

    /// <summary>Wraps an open <paramref name="connection"/>; call <see cref="Migrate"/> before use.</summary>
    protected SqlLabStore(DbConnection connection, string location)
    {
        _connection = connection;
        Location = location;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public int SchemaVersion { get; private set; }

    /// <summary>The column definition of an auto-numbered primary key.</summary>
    protected abstract string IdColumnType { get; }

    /// <summary>The type of a double column.</summary>
    protected abstract string RealType { get; }

    /// <summary>Text after a clustered table's closing parenthesis.</summary>
    protected abstract string ClusteredTableSuffix { get; }

    /// <summary>
    /// Metric rows per INSERT statement: 1 where statements are cheap to run and parse is the cost (SQLite, in-process),
    /// hundreds where each statement is a round trip (PostgreSQL).
    /// </summary>
    protected abstract int MetricRowsPerStatement { get; }

    /// <summary>Text after a SELECT that must lock the rows it reads until the transaction ends.</summary>
    protected abstract string LockRowsSuffix { get; }

    /// <summary>Takes a lock that serialises schema migrations between processes, inside <paramref name="transaction"/>.</summary>
    protected abstract void LockForMigration(DbTransaction transaction);

    /// <summary>The names of the tables in the store's schema.</summary>
    protected abstract IReadOnlyList<string> ListTables(DbTransaction transaction);

    /// <summary>Turns a driver error into a one-line <see cref="StoreException"/> that names the store.</summary>
    protected abstract StoreException Translate(DbException error);

    /// <summary>
    /// Brings the schema to <see cref="SchemaMigrations.Latest"/> in one transaction, refusing a database that is
    /// not a plab store or was written by a newer plab.
    /// </summary>
    /// <exception cref="StoreException">The database cannot be used as a store.</exception>
    protected void Migrate() => Write(transaction =>
    {
        LockForMigration(transaction);
        var tables = ListTables(transaction);
        if (!tables.Contains("plab_schema", StringComparer.OrdinalIgnoreCase))
        {
            if (tables.Count > 0)
                throw new StoreException($"{Location} is not a plab store: it holds other tables ({string.Join(", ", tables.Take(5))})");
            Execute(transaction, "CREATE TABLE plab_schema (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        }
        var current = Convert.ToInt32(Scalar(transaction, "SELECT COALESCE(MAX(version), 0) FROM plab_schema"));
        if (current > SchemaMigrations.Latest)
            throw new StoreException(
                $"{Location} was written by a newer plab (schema version {current}; this plab knows up to {SchemaMigrations.Latest})");
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version > current))
        {
            var sql = migration.Sql.Replace("{id}", IdColumnType).Replace("{real}", RealType).Replace("{without_rowid}", ClusteredTableSuffix);
            foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                Execute(transaction, statement);
            Execute(transaction, "INSERT INTO plab_schema (version, description, applied_at) VALUES (@v, @d, @t)",
                ("v", (long)migration.Version), ("d", migration.Description), ("t", Now()));
        }
        SchemaVersion = SchemaMigrations.Latest;
        return 0;
    });

    /// <inheritdoc/>
    public StudyRecord CreateStudy(NewStudy study) => Write(tx =>
    {
        if (Scalar(tx, "SELECT id FROM studies WHERE name = @n", ("n", study.Name)) is not null)
            throw new StoreException($"a study named '{study.Name}' already exists in {Location}");
        var now = Now();
        var id = Convert.ToInt64(Scalar(tx,
            "INSERT INTO studies (name, created_at, objective, definition, runs_dir) VALUES (@n, @t, @o, @d, @r) RETURNING id",
            ("n", study.Name), ("t", now), ("o", study.Objective), ("d", study.Definition), ("r", study.RunsDirectory)));
        return new StudyRecord(id, study.Name, FromUnix(now), study.Objective, study.Definition, study.RunsDirectory);
    });

    /// <inheritdoc/>
    public StudyRecord? FindStudy(string name) =>
        Read(() => QueryStudies($"SELECT {StudyColumns} FROM studies WHERE name = @n", ("n", name)).SingleOrDefault());

    /// <inheritdoc/>
    public StudyRecord? GetStudy(long id) =>
        Read(() => QueryStudies($"SELECT {StudyColumns} FROM studies WHERE id = @i", ("i", id)).SingleOrDefault());

    /// <inheritdoc/>
    public IReadOnlyList<StudyRecord> ListStudies() => Read(() => QueryStudies($"SELECT {StudyColumns} FROM studies ORDER BY id"));

    /// <inheritdoc/>
    public IReadOnlyList<RunRecord> AddRuns(long studyId, IReadOnlyList<NewRun> runs) => Write(tx =>
    {
        if (Scalar(tx, "SELECT id FROM studies WHERE id = @i", ("i", studyId)) is null)
            throw new StoreException($"no study with id {studyId} in {Location}");
        var now = Now();
        var added = new List<RunRecord>(runs.Count);
        foreach (var run in runs)
        {
            var recipe = run.Recipe.ToJson();
            var knobs = JsonSerializer.Serialize(run.Knobs);
            var configHash = NewRun.ConfigHash(run.Recipe);
            var id = Convert.ToInt64(Scalar(tx, """
                INSERT INTO runs (study_id, label, seed, config_hash, recipe_hash, recipe, knobs, run_dir, status, target_step, created_at)
                VALUES (@s, @l, @seed, @c, @h, @r, @k, @d, @st, @ts, @t) RETURNING id
                """,
                ("s", studyId), ("l", run.Label), ("seed", (long)run.Recipe.Seed), ("c", configHash), ("h", run.Recipe.ShortHash),
                ("r", recipe), ("k", knobs), ("d", run.RunDirectory), ("st", RunState.Queued.ToName()),
                ("ts", run.TargetStep), ("t", now)));
            added.Add(new RunRecord
            {
                Id = id, StudyId = studyId, Label = run.Label, Seed = run.Recipe.Seed, ConfigHash = configHash,
                RecipeHash = run.Recipe.ShortHash, Recipe = recipe, Knobs = run.Knobs, RunDirectory = run.RunDirectory,
                State = RunState.Queued, TargetStep = run.TargetStep, CreatedAt = FromUnix(now),
            });
        }
        return added;
    });

    /// <inheritdoc/>
    public RunRecord? GetRun(long id) =>
        Read(() => QueryRuns($"SELECT {RunColumns}, recipe FROM runs WHERE id = @i", withRecipe: true, ("i", id)).SingleOrDefault());

    /// <inheritdoc/>
    public IReadOnlyList<RunRecord> ListRuns(RunQuery query)
    {
        var where = new List<string>();
        var args = new List<(string, SqlValue)>();
        if (query.StudyId is { } study)
        {
            where.Add("study_id = @study");
            args.Add(("study", study));
        }
        if (query.States is { } states)
        {
            var names = states.Select((s, i) => ($"st{i}", (SqlValue)s.ToName())).ToList();
            where.Add(names.Count == 0 ? "1 = 0" : $"status IN ({string.Join(", ", names.Select(n => "@" + n.Item1))})");
            args.AddRange(names);
        }
        if (query.Label is { } label)
        {
            where.Add("label = @label");
            args.Add(("label", label));
        }
        if (query.ConfigHash is { } hash)
        {
            where.Add("config_hash = @hash");
            args.Add(("hash", hash));
        }
        var sql = new StringBuilder("SELECT ");
        sql.Append(RunColumns).Append(query.WithRecipes ? ", recipe" : ", NULL");
        sql.Append(" FROM runs");
        if (where.Count > 0)
            sql.Append(" WHERE ").Append(string.Join(" AND ", where));
        if (query.OrderByMetric is { } metric)
        {
            if (!MetricNames.Contains(metric))
                throw new ArgumentException($"unknown metric '{metric}'; expected one of {string.Join(", ", MetricNames)}");
            sql.Append($" ORDER BY {metric} ASC NULLS LAST, id");
        }
        else if (query.Limit is not null)
        {
            sql.Append(" ORDER BY id");
        }
        if (query.Limit is { } limit)
            sql.Append($" LIMIT {Math.Max(0, limit)}");
        var runs = Read(() => QueryRuns(sql.ToString(), query.WithRecipes, [.. args]));
        // Without a limit, sorting here leaves the planner free to use the index that best fits the filter.
        if (query.OrderByMetric is null && query.Limit is null)
            runs.Sort((a, b) => a.Id.CompareTo(b.Id));
        return runs;
    }

    /// <inheritdoc/>
    public long? BeginAttempt(long runId, long attempt, int threads, string host) => Write(tx =>
    {
        var now = Now();
        var n = Execute(tx, """
            UPDATE runs SET status = @starting, attempt = attempt + 1, threads = @threads, worker_host = @host,
                worker_pid = NULL, stop_request = NULL, heartbeat_at = @now, started_at = COALESCE(started_at, @now)
            WHERE id = @id AND status = @queued AND attempt = @attempt
            """,
            ("starting", RunState.Starting.ToName()), ("threads", (long)threads), ("host", host), ("now", now),
            ("id", runId), ("queued", RunState.Queued.ToName()), ("attempt", attempt));
        return n == 1 ? attempt + 1 : (long?)null;
    });

    /// <inheritdoc/>
    public bool SetWorkerPid(long runId, long attempt, int pid) => Write(tx => Execute(tx,
        "UPDATE runs SET worker_pid = @pid WHERE id = @id AND attempt = @attempt AND status IN (@starting, @running)",
        ("pid", (long)pid), ("id", runId), ("attempt", attempt),
        ("starting", RunState.Starting.ToName()), ("running", RunState.Running.ToName())) == 1);

    /// <inheritdoc/>
    public bool ClaimAttempt(long runId, long attempt, int pid, string host) => Write(tx => Execute(tx, """
        UPDATE runs SET status = @running, worker_pid = @pid, worker_host = @host, heartbeat_at = @now
        WHERE id = @id AND attempt = @attempt AND status = @starting
        """,
        ("running", RunState.Running.ToName()), ("pid", (long)pid), ("host", host), ("now", Now()),
        ("id", runId), ("attempt", attempt), ("starting", RunState.Starting.ToName())) == 1);

    /// <inheritdoc/>
    public HeartbeatReply Heartbeat(long runId, long attempt, long step, long? totalSteps) => Write(tx =>
    {
        using var command = Command(tx, """
            UPDATE runs SET heartbeat_at = @now, step = @step, total_steps = @total
            WHERE id = @id AND attempt = @attempt AND status = @running
            RETURNING stop_request
            """,
            ("now", Now()), ("step", step), ("total", totalSteps), ("id", runId), ("attempt", attempt),
            ("running", RunState.Running.ToName()));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new HeartbeatReply(true, reader.IsDBNull(0) ? null : reader.GetString(0)) : new HeartbeatReply(false, null);
    });

    /// <inheritdoc/>
    public bool AppendMetrics(long runId, long attempt, IReadOnlyList<MetricPoint> points) => Write(tx =>
    {
        if (!Owns(tx, runId, attempt))
            return false;
        // One statement may not upsert a key twice (PostgreSQL refuses), so a step and its evaluation merge first.
        var merged = points.GroupBy(p => p.Step).Select(g => g.Aggregate(Merge)).ToList();
        for (var start = 0; start < merged.Count; start += MetricRowsPerStatement)
        {
            var count = Math.Min(MetricRowsPerStatement, merged.Count - start);
            var command = MetricInsert(count);
            command.Transaction = tx;
            var parameters = command.Parameters;
            parameters[0].Value = runId;
            for (var i = 0; i < count; i++)
            {
                var p = merged[start + i];
                parameters[1 + 6 * i].Value = p.Step;
                parameters[2 + 6 * i].Value = (object?)p.Tokens ?? DBNull.Value;
                parameters[3 + 6 * i].Value = (object?)Finite(p.TrainLoss) ?? DBNull.Value;
                parameters[4 + 6 * i].Value = (object?)Finite(p.ValLoss) ?? DBNull.Value;
                parameters[5 + 6 * i].Value = (object?)Finite(p.ValBpb) ?? DBNull.Value;
                parameters[6 + 6 * i].Value = (object?)Finite(p.TokensPerSecond) ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
        }
        return true;
    });

    /// <inheritdoc/>
    public bool TruncateMetrics(long runId, long attempt, long step) => Write(tx =>
    {
        if (!Owns(tx, runId, attempt))
            return false;
        Execute(tx, "DELETE FROM metrics WHERE run_id = @id AND step > @step", ("id", runId), ("step", step));
        return true;
    });

    /// <inheritdoc/>
    public bool RecordCheckpoint(long runId, long attempt, string path, long step) => Write(tx => Execute(tx, """
        UPDATE runs SET checkpoint_path = @path, checkpoint_step = @step, heartbeat_at = @now
        WHERE id = @id AND attempt = @attempt AND status = @running
        """,
        ("path", path), ("step", step), ("now", Now()), ("id", runId), ("attempt", attempt), ("running", RunState.Running.ToName())) == 1);

    /// <inheritdoc/>
    public bool CompleteAttempt(long runId, long attempt, RunOutcome outcome) => Write(tx =>
    {
        var now = Now();
        return Execute(tx, """
            UPDATE runs SET status = @status, reason = @reason, error = COALESCE(@error, error), step = @step,
                tokens = COALESCE(@tokens, tokens), flops = COALESCE(@flops, flops), params = COALESCE(@params, params),
                train_loss = COALESCE(@train_loss, train_loss), val_loss = COALESCE(@val_loss, val_loss),
                val_bpb = COALESCE(@val_bpb, val_bpb), test_loss = COALESCE(@test_loss, test_loss),
                test_bpb = COALESCE(@test_bpb, test_bpb), tokens_per_second = COALESCE(@tps, tokens_per_second),
                train_seconds = COALESCE(@train_seconds, train_seconds),
                wall_seconds = COALESCE(wall_seconds, 0) + @wall, stop_request = NULL, heartbeat_at = @now,
                finished_at = @finished
            WHERE id = @id AND attempt = @attempt AND status = @running
            """,
            ("status", outcome.State.ToName()), ("reason", outcome.Reason), ("error", outcome.Error), ("step", outcome.Step),
            ("tokens", outcome.Tokens), ("flops", Finite(outcome.Flops)), ("params", outcome.Parameters),
            ("train_loss", Finite(outcome.TrainLoss)), ("val_loss", Finite(outcome.ValLoss)), ("val_bpb", Finite(outcome.ValBpb)),
            ("test_loss", Finite(outcome.TestLoss)), ("test_bpb", Finite(outcome.TestBpb)), ("tps", Finite(outcome.TokensPerSecond)),
            ("train_seconds", Finite(outcome.TrainSeconds)), ("wall", outcome.WallSeconds), ("now", now),
            ("finished", outcome.State == RunState.Queued ? null : (long?)now),
            ("id", runId), ("attempt", attempt), ("running", RunState.Running.ToName())) == 1;
    });

    /// <inheritdoc/>
    public bool Requeue(long runId, long attempt, string error) => EndActive(runId, attempt, RunState.Queued, error);

    /// <inheritdoc/>
    public bool Fail(long runId, long attempt, string error) => EndActive(runId, attempt, RunState.Failed, error);

    /// <inheritdoc/>
    public bool Promote(long runId, long rung, long? targetStep) => Write(tx => Execute(tx,
        "UPDATE runs SET status = @queued, rung = @rung, target_step = @target, finished_at = NULL WHERE id = @id AND status = @paused",
        ("queued", RunState.Queued.ToName()), ("rung", rung), ("target", targetStep), ("id", runId),
        ("paused", RunState.Paused.ToName())) == 1);

    /// <inheritdoc/>
    public bool Prune(long runId, string reason) => Write(tx => Execute(tx,
        "UPDATE runs SET status = @pruned, reason = @reason, finished_at = @now WHERE id = @id AND status IN (@paused, @queued)",
        ("pruned", RunState.Pruned.ToName()), ("reason", reason), ("now", Now()), ("id", runId),
        ("paused", RunState.Paused.ToName()), ("queued", RunState.Queued.ToName())) == 1);

    /// <inheritdoc/>
    public bool RequestStop(long runId, string request) => Write(tx => Execute(tx,
        "UPDATE runs SET stop_request = @request WHERE id = @id AND status IN (@starting, @running)",
        ("request", request), ("id", runId), ("starting", RunState.Starting.ToName()), ("running", RunState.Running.ToName())) == 1);

    /// <inheritdoc/>
    public IReadOnlyList<MetricPoint> GetMetrics(long runId) => Read(() =>
    {
        using var command = Command(null,
            "SELECT step, tokens, train_loss, val_loss, val_bpb, tokens_per_second FROM metrics WHERE run_id = @id ORDER BY step",
            ("id", runId));
        using var r = command.ExecuteReader();
        var points = new List<MetricPoint>();
        while (r.Read())
            points.Add(new MetricPoint(r.GetInt64(0), Long(r, 1), Double(r, 2), Double(r, 3), Double(r, 4), Double(r, 5)));
        return points;
    });

    /// <inheritdoc/>
    public JournalEntry AddJournalEntry(long studyId, long? runId, string kind, string text) => Write(tx =>
    {
        var now = Now();
        var id = Convert.ToInt64(Scalar(tx,
            "INSERT INTO journal (study_id, run_id, created_at, kind, text) VALUES (@s, @r, @t, @k, @x) RETURNING id",
            ("s", studyId), ("r", runId), ("t", now), ("k", kind), ("x", text)));
        return new JournalEntry(id, studyId, runId, FromUnix(now), kind, text);
    });

    /// <inheritdoc/>
    public IReadOnlyList<JournalEntry> GetJournal(long studyId) => Read(() =>
    {
        using var command = Command(null,
            "SELECT id, study_id, run_id, created_at, kind, text FROM journal WHERE study_id = @s ORDER BY id", ("s", studyId));
        using var r = command.ExecuteReader();
        var entries = new List<JournalEntry>();
        while (r.Read())
            entries.Add(new JournalEntry(r.GetInt64(0), r.GetInt64(1), Long(r, 2), FromUnix(r.GetInt64(3)), r.GetString(4), r.GetString(5)));
        return entries;
    });

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the connection when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        foreach (var command in _metricInserts.Values)
            command.Dispose();
        _connection.Dispose();
    }

    private DbCommand MetricInsert(int rows)
    {
        if (_metricInserts.TryGetValue(rows, out var command))
            return command;
        var sql = new StringBuilder("INSERT INTO metrics (run_id, step, tokens, train_loss, val_loss, val_bpb, tokens_per_second) VALUES ");
        var args = new List<(string, SqlValue)> { ("run", 0L) };
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append($"(@run, @s{i}, @k{i}, @l{i}, @v{i}, @b{i}, @r{i})");
            args.Add(($"s{i}", 0L));
            args.Add(($"k{i}", (long?)null));
            args.Add(($"l{i}", (double?)null));
            args.Add(($"v{i}", (double?)null));
            args.Add(($"b{i}", (double?)null));
            args.Add(($"r{i}", (double?)null));
        }
        sql.Append("""
             ON CONFLICT (run_id, step) DO UPDATE SET
                tokens = COALESCE(excluded.tokens, metrics.tokens),
                train_loss = COALESCE(excluded.train_loss, metrics.train_loss),
                val_loss = COALESCE(excluded.val_loss, metrics.val_loss),
                val_bpb = COALESCE(excluded.val_bpb, metrics.val_bpb),
                tokens_per_second = COALESCE(excluded.tokens_per_second, metrics.tokens_per_second)
            """);
        command = Command(null, sql.ToString(), [.. args]);
        _metricInserts[rows] = command;
        return command;
    }

    private bool EndActive(long runId, long attempt, RunState state, string error) => Write(tx => Execute(tx, """
        UPDATE runs SET status = @status, error = @error, stop_request = NULL, finished_at = @finished
        WHERE id = @id AND attempt = @attempt AND status IN (@starting, @running)
        """,
        ("status", state.ToName()), ("error", error), ("finished", state == RunState.Queued ? null : (long?)Now()),
        ("id", runId), ("attempt", attempt), ("starting", RunState.Starting.ToName()), ("running", RunState.Running.ToName())) == 1);

    private bool Owns(DbTransaction tx, long runId, long attempt) =>
        Scalar(tx, $"SELECT id FROM runs WHERE id = @id AND attempt = @attempt AND status = @running{LockRowsSuffix}",
            ("id", runId), ("attempt", attempt), ("running", RunState.Running.ToName())) is not null;

    private static MetricPoint Merge(MetricPoint a, MetricPoint b) => new(
        a.Step, b.Tokens ?? a.Tokens, b.TrainLoss ?? a.TrainLoss, b.ValLoss ?? a.ValLoss, b.ValBpb ?? a.ValBpb,
        b.TokensPerSecond ?? a.TokensPerSecond);

    private T Read<T>(Func<T> body)
    {
        lock (_gate)
        {
            try
            {
                return body();
            }
            catch (DbException e)
            {
                throw Translate(e);
            }
        }
    }

    private T Write<T>(Func<DbTransaction, T> body)
    {
        lock (_gate)
        {
            try
            {
                using var transaction = _connection.BeginTransaction();
                var result = body(transaction);
                transaction.Commit();
                return result;
            }
            catch (DbException e)
            {
                throw Translate(e);
            }
        }
    }

    private List<StudyRecord> QueryStudies(string sql, params (string, SqlValue)[] args)
    {
        using var command = Command(null, sql, args);
        using var r = command.ExecuteReader();
        var studies = new List<StudyRecord>();
        while (r.Read())
            studies.Add(new StudyRecord(r.GetInt64(0), r.GetString(1), FromUnix(r.GetInt64(2)), r.GetString(3), r.GetString(4), r.GetString(5)));
        return studies;
    }

    private List<RunRecord> QueryRuns(string sql, bool withRecipe, params (string, SqlValue)[] args)
    {
        using var command = Command(null, sql, args);
        using var r = command.ExecuteReader();
        var runs = new List<RunRecord>();
        // The seeds of a variant share their knobs: each distinct JSON is parsed once per query.
        var knobs = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        while (r.Read())
        {
            var knobsJson = r.GetString(6);
            if (!knobs.TryGetValue(knobsJson, out var parsed))
            {
                parsed = JsonSerializer.Deserialize<Dictionary<string, string>>(knobsJson) ?? [];
                knobs[knobsJson] = parsed;
            }
            runs.Add(new RunRecord
            {
                Id = r.GetInt64(0),
                StudyId = r.GetInt64(1),
                Label = r.GetString(2),
                Seed = r.GetInt64(3),
                ConfigHash = r.GetString(4),
                RecipeHash = r.GetString(5),
                Knobs = parsed,
                RunDirectory = r.GetString(7),
                State = RunStateNames.Parse(r.GetString(8)),
                Rung = r.GetInt64(9),
                TargetStep = Long(r, 10),
                Attempt = r.GetInt64(11),
                StopRequest = Text(r, 12),
                Threads = (int?)Long(r, 13),
                WorkerHost = Text(r, 14),
                WorkerPid = (int?)Long(r, 15),
                CreatedAt = FromUnix(r.GetInt64(16)),
                StartedAt = Time(r, 17),
                HeartbeatAt = Time(r, 18),
                FinishedAt = Time(r, 19),
                Step = r.GetInt64(20),
                TotalSteps = Long(r, 21),
                CheckpointPath = Text(r, 22),
                CheckpointStep = Long(r, 23),
                Tokens = Long(r, 24),
                Flops = Double(r, 25),
                Parameters = Long(r, 26),
                TrainLoss = Double(r, 27),
                ValLoss = Double(r, 28),
                ValBpb = Double(r, 29),
                TestLoss = Double(r, 30),
                TestBpb = Double(r, 31),
                TokensPerSecond = Double(r, 32),
                TrainSeconds = Double(r, 33),
                WallSeconds = Double(r, 34),
                Reason = Text(r, 35),
                Error = Text(r, 36),
                Recipe = withRecipe ? Text(r, 37) : null,
            });
        }
        return runs;
    }

    private int Execute(DbTransaction? tx, string sql, params (string Name, SqlValue Value)[] args)
    {
        using var command = Command(tx, sql, args);
        return command.ExecuteNonQuery();
    }

    private object? Scalar(DbTransaction? tx, string sql, params (string Name, SqlValue Value)[] args)
    {
        using var command = Command(tx, sql, args);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private DbCommand Command(DbTransaction? tx, string sql, params (string Name, SqlValue Value)[] args)
    {
        var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value.Value ?? DBNull.Value;
            // Typed even when null, so PostgreSQL need not guess a type from context.
            p.DbType = value.Type;
            command.Parameters.Add(p);
        }
        return command;
    }

    /// <summary>A parameter value with its database type, which a null alone does not carry.</summary>
    private readonly record struct SqlValue(object? Value, DbType Type)
    {
        public static implicit operator SqlValue(string? value) => new(value, DbType.String);

        public static implicit operator SqlValue(long? value) => new(value, DbType.Int64);

        public static implicit operator SqlValue(double? value) => new(value, DbType.Double);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnix(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static double? Double(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : FromUnix(r.GetInt64(i));
}
