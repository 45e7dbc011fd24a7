namespace PretrainLab.Lab.Store;

/// <summary>
/// The store's schema history, applied in order by <see cref="SqlLabStore"/> when it opens a store. Never edit a
/// released step: add the next one.
/// </summary>
public static class SchemaMigrations
{
    /// <summary>Every step, oldest first.</summary>
    public static IReadOnlyList<StoreMigration> All { get; } =
    [
        new(1, "studies, runs, metric series, journal", """
            CREATE TABLE studies (
                id {id},
                name TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                objective TEXT NOT NULL,
                definition TEXT NOT NULL,
                runs_dir TEXT NOT NULL
            );
            CREATE TABLE runs (
                id {id},
                study_id BIGINT NOT NULL REFERENCES studies (id),
                label TEXT NOT NULL,
                seed BIGINT NOT NULL,
                config_hash TEXT NOT NULL,
                recipe_hash TEXT NOT NULL,
                recipe TEXT NOT NULL,
                knobs TEXT NOT NULL,
                run_dir TEXT NOT NULL,
                status TEXT NOT NULL,
                rung BIGINT NOT NULL DEFAULT 0,
                target_step BIGINT,
                attempt BIGINT NOT NULL DEFAULT 0,
                stop_request TEXT,
                threads BIGINT,
                worker_host TEXT,
                worker_pid BIGINT,
                created_at BIGINT NOT NULL,
                started_at BIGINT,
                heartbeat_at BIGINT,
                finished_at BIGINT,
                step BIGINT NOT NULL DEFAULT 0,
                total_steps BIGINT,
                checkpoint_path TEXT,
                checkpoint_step BIGINT,
                tokens BIGINT,
                flops {real},
                params BIGINT,
                train_loss {real},
                val_loss {real},
                val_bpb {real},
                test_loss {real},
                test_bpb {real},
                tokens_per_second {real},
                train_seconds {real},
                wall_seconds {real},
                reason TEXT,
                error TEXT
            );
            CREATE INDEX runs_by_study_status ON runs (study_id, status);
            CREATE INDEX runs_by_study_config ON runs (study_id, config_hash);
            CREATE TABLE metrics (
                run_id BIGINT NOT NULL REFERENCES runs (id),
                step BIGINT NOT NULL,
                tokens BIGINT,
                train_loss {real},
                val_loss {real},
                val_bpb {real},
                tokens_per_second {real},
                PRIMARY KEY (run_id, step)
            ){without_rowid};
            CREATE TABLE journal (
                id {id},
                study_id BIGINT NOT NULL REFERENCES studies (id),
                run_id BIGINT REFERENCES runs (id),
                created_at BIGINT NOT NULL,
                kind TEXT NOT NULL,
                text TEXT NOT NULL
            );
            CREATE INDEX journal_by_study ON journal (study_id, id)
            """),
        new(2, "runs indexed by study in id order (listing without a sort) and by variant label (comparisons)", """
            CREATE INDEX runs_by_study ON runs (study_id, id);
            CREATE INDEX runs_by_study_label ON runs (study_id, label)
            """),
    ];

    /// <summary>The newest version this build knows.</summary>
    public static int Latest => All[^1].Version;
}
