//! Embedded, ordered schema migrations. Append only: never edit a released migration.

use rusqlite::Connection;

use super::{Result, StoreError};

/// `(version, sql)`, versions strictly increasing from 1.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,          -- RFC 3339 UTC
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        subject     TEXT NOT NULL,
        before_json TEXT,
        after_json  TEXT
    );
    CREATE INDEX audit_log_subject ON audit_log (subject, id);
    CREATE INDEX audit_log_at ON audit_log (at);
    -- The audit log is append-only: history is never rewritten.
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
    ),
    (
        2,
        "CREATE TABLE request_sets (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        -- One row per import run; its requests count only once `completed_at` is set, so a
        -- set never shows half an import (a crashed run's rows are removed by the next one).
        CREATE TABLE request_imports (
            id           INTEGER PRIMARY KEY,
            set_id       INTEGER NOT NULL REFERENCES request_sets (id),
            file         TEXT NOT NULL,
            format       TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            completed_at TEXT,
            kept         INTEGER NOT NULL DEFAULT 0,
            duplicates   INTEGER NOT NULL DEFAULT 0,
            skipped      INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE requests (
            id             INTEGER PRIMARY KEY,
            set_id         INTEGER NOT NULL REFERENCES request_sets (id),
            import_id      INTEGER NOT NULL REFERENCES request_imports (id),
            key            TEXT NOT NULL,   -- the record's id, else sha256 of its content
            rid            TEXT,            -- the record's id as given
            time           TEXT,            -- RFC 3339 UTC, millisecond precision
            principal_type TEXT NOT NULL,   -- qualified Cedar type names
            principal_id   TEXT NOT NULL,
            action_type    TEXT NOT NULL,
            action_id      TEXT NOT NULL,
            resource_type  TEXT NOT NULL,
            resource_id    TEXT NOT NULL,
            context        TEXT,            -- JSON object; NULL when the record had none
            entities       TEXT,            -- JSON array of Cedar entities; NULL when none
            decision       TEXT,            -- recorded production decision: allow | deny
            reasons        TEXT,            -- JSON array of policy ids
            task_id        TEXT,
            bundle         TEXT,
            grade          TEXT NOT NULL,   -- full | no_context | ids_only
            UNIQUE (set_id, key)
        );
        -- No index on time: it cost 40% of import speed, and a replay reads a set in row
        -- order anyway, filtering a --since/--until window as it goes.",
    ),
    (
        3,
        "CREATE TABLE replay_runs (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            set_name     TEXT NOT NULL,
            baseline     TEXT NOT NULL,   -- as given: git:REV, a path, or `working copy`
            candidate    TEXT NOT NULL,
            since        TEXT,
            until        TEXT,
            baseline_digest  TEXT,        -- sha256 of the side's policy texts
            candidate_digest TEXT,
            actor        TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            completed_at TEXT,
            status       TEXT NOT NULL,   -- running | complete | cancelled | failed
            summary      TEXT,            -- JSON SimulateSummary
            report       TEXT,            -- JSON ReplayReport
            digest       TEXT             -- sha256 of the result lines, in order
        );
        -- One row per replayed request; a run's rows appear with the run and go with it.
        CREATE TABLE replay_results (
            run_id    INTEGER NOT NULL REFERENCES replay_runs (id) ON DELETE CASCADE,
            seq       INTEGER NOT NULL,   -- 0-based, in the set's import order
            rid       TEXT NOT NULL,      -- the record's id, else line:N
            principal TEXT NOT NULL,
            action    TEXT NOT NULL,
            resource  TEXT NOT NULL,
            time      TEXT,
            recorded  TEXT,
            baseline  TEXT NOT NULL,      -- JSON SideResult
            candidate TEXT NOT NULL,
            changed   INTEGER NOT NULL,
            errors    INTEGER NOT NULL,   -- an error on either side
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        -- Paging through a run's changed decisions or errors without scanning the rest.
        CREATE INDEX replay_results_changed ON replay_results (run_id, seq) WHERE changed = 1;
        CREATE INDEX replay_results_errors ON replay_results (run_id, seq) WHERE errors = 1;",
    ),
    (
        4,
        "-- Bundles published from this copy of the workspace. `bundles/VERSION/` in git is the
        -- record every clone shares; this index adds when and by whom, here.
        CREATE TABLE bundles (
            version      TEXT PRIMARY KEY,
            hash         TEXT NOT NULL UNIQUE,  -- sha256 of the canonical manifest
            parent       TEXT,
            published_at TEXT NOT NULL,
            published_by TEXT NOT NULL,
            copied_to    TEXT
        );",
    ),
    (
        5,
        "-- Policies the last analysis of the working copy proved effective (they can match,
        -- and a forbid cannot error), each with the digest of its text then: coverage
        -- counts a proof only while the policy is unchanged.
        CREATE TABLE analysis_proofs (
            policy    TEXT PRIMARY KEY,
            digest    TEXT NOT NULL,
            proved_at TEXT NOT NULL,
            solver    TEXT NOT NULL
        ) WITHOUT ROWID;",
    ),
    (
        6,
        "-- `INSERT OR REPLACE` deletes the row it replaces without firing delete triggers
        -- (recursive triggers are off), so migration 1 alone let a REPLACE rewrite an entry.
        CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
            WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
    ),
    (
        7,
        "-- The Audit page and `mandate audit` filter by actor and action, and list the distinct
        -- ones to choose from; newest first within each (the id is the append order).
        CREATE INDEX audit_log_actor ON audit_log (actor COLLATE NOCASE, id);
        CREATE INDEX audit_log_action ON audit_log (action, id);",
    ),
];

pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

pub fn current(conn: &Connection) -> Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?)
}

/// Brings the database to [`latest`]. An up-to-date database (every open but the first) is
/// only read, so opening one while another process writes never waits for its lock.
pub fn apply(conn: &mut Connection, label: &str) -> Result<()> {
    let found = current(conn)?;
    if found > latest() {
        return Err(StoreError::TooNew {
            path: label.to_owned(),
            found,
            known: latest(),
        });
    }
    if found == latest() {
        return Ok(());
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        // IMMEDIATE takes the write lock up front, and the version is checked again under
        // it: two processes opening a fresh database at once apply each migration once.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL
            );",
        )?;
        let already: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !already {
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migration {
                    version: *version,
                    source,
                })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                rusqlite::params![version, chrono::Utc::now().to_rfc3339()],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_increase_from_one() {
        let versions: Vec<i64> = super::MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected);
    }
}
