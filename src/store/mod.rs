//! The SQLite store (`.mandate/mandate.db`): what is recorded rather than reviewed —
//! recorded requests, replay runs, analysis results, the audit log, caches.
//!
//! [`Db`] owns one connection. Every open applies the pragmas (WAL, busy timeout, foreign
//! keys) and the embedded migrations in order, each in its own transaction, recorded in
//! `schema_migrations`. One module per table.
//!
//! The app and the CLI may write one database at once. Every write transaction begins
//! IMMEDIATE ([`Db::write_tx`]): it takes the write lock before it reads, so a writer waits in
//! the busy handler for the other process instead of failing at once with `SQLITE_BUSY` when
//! it upgrades a read snapshot another process has since moved past. A lock still held after
//! the busy timeout is [`StoreError::Busy`] (code `busy`), never a raw "database is locked".

pub mod audit;
mod bundles;
mod migrations;
mod proofs;
pub mod requests;
pub mod runs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::ErrorCode;

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
    Sql(rusqlite::Error),

    /// Another connection held the lock for longer than the busy timeout.
    #[error("the workspace database is busy: another process has been writing to it for more than {} seconds", BUSY_TIMEOUT.as_secs())]
    #[diagnostic(
        code(mandate::store::busy),
        help("another Mandate process (the app or the CLI) is writing to `.mandate/mandate.db`; try again when it has finished")
    )]
    Busy(#[source] rusqlite::Error),

    #[error("cannot lock `{path}`: {source}")]
    #[diagnostic(code(mandate::store::lock), help("check that `.mandate/` is writable"))]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// An import's row disappeared while it ran (only another process can remove it).
    #[error("import {import_id} was removed from the database while it ran")]
    #[diagnostic(
        code(mandate::store::import_lost),
        help("nothing of it is visible; import the file again")
    )]
    ImportLost { import_id: i64 },

    #[error("stored JSON in `{column}` is invalid: {source}")]
    #[diagnostic(code(mandate::store::json))]
    Json {
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            Self::Busy(e)
        } else {
            Self::Sql(e)
        }
    }
}

/// Whether SQLite gave up waiting for another connection's lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl StoreError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Busy(_) => ErrorCode::Busy,
            Self::Open { source, .. } | Self::Migration { source, .. } if is_busy(source) => {
                ErrorCode::Busy
            }
            _ => ErrorCode::Store,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Switches the database to WAL and returns the journal mode. Connections racing to switch a
/// fresh database get `SQLITE_BUSY` at once, without the busy handler (each holds the shared
/// lock the others wait on, so waiting could deadlock): the switch is retried until the
/// busy timeout.
fn switch_to_wal(conn: &Connection) -> Result<String> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(5));
            }
            mode => return Ok(mode?),
        }
    }
}

/// One connection to a Mandate database.
pub struct Db {
    conn: Connection,
    label: String,
    /// The database file (`None` in memory): lock files live beside it.
    path: Option<PathBuf>,
    /// Imports in progress on this connection, by import id, each holding its set's lock
    /// file (see [`Db::begin_import`]); dropping one releases the lock.
    import_locks: HashMap<i64, std::fs::File>,
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
        Self::setup(conn, label, Some(path.to_path_buf()))
    }

    /// An in-memory database, migrated; for tests and loose-file commands.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::setup(conn, ":memory:".into(), None)
    }

    fn setup(conn: Connection, label: String, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if path.is_some() {
            // WAL lets readers (the app) run while a writer (an import) commits.
            let mode = switch_to_wal(&conn)?;
            debug_assert!(mode.eq_ignore_ascii_case("wal"), "journal_mode {mode}");
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        let mut db = Self {
            conn,
            label,
            path,
            import_locks: HashMap::new(),
        };
        migrations::apply(&mut db.conn, &db.label)?;
        Ok(db)
    }

    /// Begins a write transaction that holds the write lock from its first statement (see
    /// the module docs): the busy handler waits for another writer, where a deferred
    /// transaction that read first could fail at once when it starts to write.
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The folder of lock files beside the database file; `None` in memory, where this
    /// connection is the only one.
    fn locks_dir(&self) -> Option<PathBuf> {
        Some(self.path.as_ref()?.parent()?.join("locks"))
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
    fn a_lock_held_past_the_timeout_is_busy_not_database_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let db = Db::open(&path).unwrap();
        // Another process in the middle of a long write.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        db.conn.busy_timeout(Duration::from_millis(50)).unwrap();
        let err = db
            .audit(&NewAuditEntry {
                at: chrono::Utc::now(),
                actor: "dana",
                action: "x.y",
                subject: "s",
                before: None,
                after: None,
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Busy(_)), "{err:?}");
        let err = crate::Error::from(err);
        assert_eq!(err.error_code(), ErrorCode::Busy);
        let message = err.to_string();
        assert!(
            message.starts_with("the workspace database is busy") && !message.contains("locked"),
            "{message}"
        );
        assert!(err.help().unwrap().contains("try again"));
        other.execute_batch("ROLLBACK").unwrap();
    }

    #[test]
    fn a_write_transaction_waits_for_another_writer_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let mut db = Db::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            other.execute_batch("COMMIT").unwrap();
        });
        let tx = db.write_tx().unwrap();
        tx.execute("DELETE FROM analysis_proofs", []).unwrap();
        tx.commit().unwrap();
        release.join().unwrap();
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
