//! Embedded, ordered schema migrations. Append only: never edit a released migration.

use rusqlite::Connection;

use super::{Result, StoreError};

/// `(version, sql)`, versions strictly increasing from 1.
const MIGRATIONS: &[(i64, &str)] = &[(
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
)];

pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

pub fn current(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?)
}

pub fn apply(conn: &mut Connection, label: &str) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        );",
    )?;
    let found = current(conn)?;
    if found > latest() {
        return Err(StoreError::TooNew {
            path: label.to_owned(),
            found,
            known: latest(),
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        // IMMEDIATE takes the write lock up front, so two processes opening a fresh database
        // at once do not both try to apply the same migration.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
