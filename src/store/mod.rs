//! The SQLite store (`.mandate/mandate.db`): what is recorded rather than reviewed —
//! recorded requests, replay runs, analysis results, the audit log, caches.
//!
//! [`Db`] owns one connection. Every open applies the pragmas (WAL, busy timeout, foreign
//! keys) and the embedded migrations in order, each in its own transaction, recorded in
//! `schema_migrations`. One module per table.

pub mod audit;
mod bundles;
mod migrations;
mod proofs;
pub mod requests;
pub mod runs;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

pub use audit::{AuditEntry, AuditFilter, NewAuditEntry};
pub use bundles::BundleIndex;
pub use proofs::Proof;
pub use requests::{
    Count, ImportRun, NewRequest, RequestSetSummary, RequestStats, RequestWindow, StoredRequest,
    TrafficRow,
};
pub use runs::{NewRun, ResultQuery, ResultRecord, StoredRun};

/// How long a writer waits for another process's lock before giving up. Long enough that
/// the app and the CLI writing at once never surface "database is locked" to a user.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StoreError {
    #[error("cannot open the database `{path}`: {source}")]
    #[diagnostic(code(mandate::store::open), help("the file may be damaged or locked by another program; `.mandate/` holds only recorded data and can be deleted to start afresh"))]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the database `{path}` has schema version {found}, newer than this Mandate ({known})")]
    #[diagnostic(
        code(mandate::store::too_new),
        help("upgrade Mandate; an older build must not write a newer database")
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },

    #[error("database migration {version} failed: {source}")]
    #[diagnostic(code(mandate::store::migration))]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },

    #[error("database error: {0}")]
    #[diagnostic(code(mandate::store::sql))]
    Sql(#[from] rusqlite::Error),

    #[error("stored JSON in `{column}` is invalid: {source}")]
    #[diagnostic(code(mandate::store::json))]
    Json {
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One connection to a Mandate database.
pub struct Db {
    conn: Connection,
    label: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.label).finish()
    }
}

impl Db {
    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self> {
        let label = path.display().to_string();
        if let Some(dir) = path.parent() {
            // A missing `.mandate/` is normal in a fresh clone (it is git-ignored).
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: label.clone(),
            source,
        })?;
        Self::setup(conn, label, true)
    }

    /// An in-memory database, migrated; for tests and loose-file commands.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::setup(conn, ":memory:".into(), false)
    }

    fn setup(conn: Connection, label: String, wal: bool) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if wal {
            // WAL lets readers (the app) run while a writer (an import) commits.
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            debug_assert!(mode.eq_ignore_ascii_case("wal"), "journal_mode {mode}");
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        let mut db = Self { conn, label };
        migrations::apply(&mut db.conn, &db.label)?;
        Ok(db)
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64> {
        migrations::current(&self.conn)
    }

    /// The highest schema version this build knows.
    pub fn latest_version() -> i64 {
        migrations::latest()
    }

    /// Runs SQLite's integrity check; `Ok(())` when it reports `ok`.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_db_is_migrated_with_foreign_keys() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(db.schema_version().unwrap(), Db::latest_version());
        let fk: i64 = db
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn file_db_uses_wal_and_reopens_without_remigrating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".mandate/mandate.db");
        {
            let db = Db::open(&path).unwrap();
            let mode: String = db
                .conn()
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
        }
        let db = Db::open(&path).unwrap();
        let applied: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(applied, Db::latest_version());
        assert_eq!(db.integrity_check().unwrap(), vec!["ok".to_owned()]);
    }

    #[test]
    fn newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        drop(Db::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')",
            [],
        )
        .unwrap();
        drop(conn);
        let err = Db::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
    }
}
