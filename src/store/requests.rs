//! `request_sets`, `request_imports`, `requests`: recorded authorization requests.
//!
//! A set is named (`--set NAME`) and filled by imports. Each import is a row whose requests
//! become visible only when it completes, so readers never see half an import; a run that
//! crashed leaves an incomplete row, and the next import into that set removes its requests
//! first. A record already in the set (same key: its id, else its content hash) is skipped
//! as a duplicate, so re-importing a file is a no-op.
//!
//! Imports into one set take turns, across processes: each holds the set's lock file
//! (`.mandate/locks/import-*.lock`) from [`Db::begin_import`] until it completes or is
//! aborted, and the operating system releases it when the process dies. So the incomplete
//! imports the next import removes are always a dead process's, never one still running in
//! the app or another CLI.

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Db, Result, StoreError};

/// A request to store, already normalised (qualified types, context as JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRequest {
    pub key: String,
    pub rid: Option<String>,
    /// RFC 3339 UTC with milliseconds, so text order is time order.
    pub time: Option<String>,
    pub principal: (String, String),
    pub action: (String, String),
    pub resource: (String, String),
    pub context: Option<String>,
    pub entities: Option<String>,
    pub decision: Option<String>,
    pub reasons: Option<String>,
    pub task_id: Option<String>,
    pub bundle: Option<String>,
    pub grade: &'static str,
}

/// Replay grades: how fully a record can be replayed.
pub const GRADE_FULL: &str = "full";
/// No context was recorded: replay uses `{}`, so context-dependent policies may differ.
pub const GRADE_NO_CONTEXT: &str = "no_context";
/// Only principal, action and resource: no context, entities, time or recorded decision.
pub const GRADE_IDS_ONLY: &str = "ids_only";

/// A grade as stored, as one of the constants.
fn grade(stored: &str) -> &'static str {
    match stored {
        GRADE_FULL => GRADE_FULL,
        GRADE_NO_CONTEXT => GRADE_NO_CONTEXT,
        _ => GRADE_IDS_ONLY,
    }
}

/// A request as stored: what was imported, and its row (the order it was imported in).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredRequest {
    pub row: i64,
    pub request: NewRequest,
}

/// An import in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportRun {
    pub set_id: i64,
    pub import_id: i64,
}

/// A request set as `mandate requests list` shows it (completed imports only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequestSetSummary {
    pub name: String,
    pub created_at: String,
    #[ts(type = "number")]
    pub requests: i64,
    #[ts(type = "number")]
    pub imports: i64,
    /// Earliest and latest recorded time, when records have times.
    pub first: Option<String>,
    pub last: Option<String>,
}

/// A count per value of one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub value: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// `mandate requests stats`: what a set holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequestStats {
    pub set: RequestSetSummary,
    /// `full`, `no_context`, `ids_only`.
    pub grades: Vec<Count>,
    /// Recorded production decisions (`allow`, `deny`, `none` when not recorded).
    pub decisions: Vec<Count>,
    pub actions: Vec<Count>,
    pub principal_types: Vec<Count>,
    pub resource_types: Vec<Count>,
    /// The 20 principals with the most requests.
    pub top_principals: Vec<Count>,
}

/// Which requests of a set to read.
#[derive(Debug, Clone, Default)]
pub struct RequestWindow<'a> {
    /// Inclusive lower bound on `time` (RFC 3339 UTC); requests without a time are left out
    /// when a bound is given.
    pub since: Option<&'a str>,
    /// Exclusive upper bound.
    pub until: Option<&'a str>,
}

/// A stored request from the columns `id, key, rid, time, principal_type, principal_id,
/// action_type, action_id, resource_type, resource_id, context, entities, decision, reasons,
/// task_id, bundle, grade`, in that order.
fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRequest> {
    Ok(StoredRequest {
        row: r.get(0)?,
        request: NewRequest {
            key: r.get(1)?,
            rid: r.get(2)?,
            time: r.get(3)?,
            principal: (r.get(4)?, r.get(5)?),
            action: (r.get(6)?, r.get(7)?),
            resource: (r.get(8)?, r.get(9)?),
            context: r.get(10)?,
            entities: r.get(11)?,
            decision: r.get(12)?,
            reasons: r.get(13)?,
            task_id: r.get(14)?,
            bundle: r.get(15)?,
            grade: grade(&r.get::<_, String>(16)?),
        },
    })
}

pub(super) const VISIBLE: &str =
    "r.import_id IN (SELECT id FROM request_imports WHERE completed_at IS NOT NULL)";

impl Db {
    /// Starts an import into `set` (created when new). Requests of earlier imports into the
    /// set that never completed are removed. Waits while another connection (this process or
    /// another) imports into the set.
    pub fn begin_import(&mut self, set: &str, file: &str, format: &str) -> Result<ImportRun> {
        let lock = self.lock_set_imports(set)?;
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        // For this connection only: a larger page cache keeps the unique-key index in memory
        // while millions of rows go in (SQLite's default is 2 MB), and the WAL is
        // checkpointed every ~40 MB instead of every 4 MB — each checkpoint is an fsync, and
        // they were most of an import's time. Closing the connection checkpoints the rest.
        self.conn()
            .execute_batch("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000;")?;
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO request_sets (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![set, now],
        )?;
        let set_id: i64 =
            tx.query_row("SELECT id FROM request_sets WHERE name = ?1", [set], |r| {
                r.get(0)
            })?;
        tx.execute(
            "DELETE FROM requests WHERE set_id = ?1 AND import_id IN
               (SELECT id FROM request_imports WHERE set_id = ?1 AND completed_at IS NULL)",
            [set_id],
        )?;
        tx.execute(
            "DELETE FROM request_imports WHERE set_id = ?1 AND completed_at IS NULL",
            [set_id],
        )?;
        tx.execute(
            "INSERT INTO request_imports (set_id, file, format, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![set_id, file, format, now],
        )?;
        let import_id = tx.last_insert_rowid();
        tx.commit()?;
        if let Some(lock) = lock {
            self.import_locks.insert(import_id, lock);
        }
        Ok(ImportRun { set_id, import_id })
    }

    /// Takes the lock file of `set`'s imports, waiting for the holder; `None` in memory.
    fn lock_set_imports(&self, set: &str) -> Result<Option<std::fs::File>> {
        let Some(dir) = self.locks_dir() else {
            return Ok(None);
        };
        // Set names are free text: the file is named by a digest of the name.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(set.as_bytes());
        let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("import-{name}.lock"));
        let failed = |source| StoreError::Lock {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        file.lock().map_err(failed)?;
        Ok(Some(file))
    }

    /// Stores one batch in one transaction; returns how many were new (the rest were
    /// already in the set).
    pub fn insert_requests(&mut self, run: ImportRun, batch: &[NewRequest]) -> Result<usize> {
        let tx = self.write_tx()?;
        let mut inserted = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO requests (set_id, import_id, key, rid, time,
                    principal_type, principal_id, action_type, action_id, resource_type, resource_id,
                    context, entities, decision, reasons, task_id, bundle, grade)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                 ON CONFLICT (set_id, key) DO NOTHING",
            )?;
            for r in batch {
                inserted += stmt.execute(params![
                    run.set_id,
                    run.import_id,
                    r.key,
                    r.rid,
                    r.time,
                    r.principal.0,
                    r.principal.1,
                    r.action.0,
                    r.action.1,
                    r.resource.0,
                    r.resource.1,
                    r.context,
                    r.entities,
                    r.decision,
                    r.reasons,
                    r.task_id,
                    r.bundle,
                    r.grade,
                ])?;
            }
        }
        tx.commit()?;
        Ok(inserted)
    }

    /// Makes an import's requests visible and records its counts.
    pub fn complete_import(
        &mut self,
        run: ImportRun,
        kept: u64,
        duplicates: u64,
        skipped: u64,
    ) -> Result<()> {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let n = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
        let updated = self.conn().execute(
            "UPDATE request_imports SET completed_at = ?2, kept = ?3, duplicates = ?4, skipped = ?5 WHERE id = ?1",
            params![run.import_id, now, n(kept), n(duplicates), n(skipped)],
        )?;
        self.import_locks.remove(&run.import_id);
        if updated == 0 {
            return Err(StoreError::ImportLost {
                import_id: run.import_id,
            });
        }
        Ok(())
    }

    /// Removes an import that will not complete (`--strict` found a bad line), and its set
    /// when nothing else is in it.
    pub fn abort_import(&mut self, run: ImportRun) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM requests WHERE import_id = ?1", [run.import_id])?;
        tx.execute("DELETE FROM request_imports WHERE id = ?1", [run.import_id])?;
        tx.execute(
            "DELETE FROM request_sets WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM request_imports WHERE set_id = ?1)",
            [run.set_id],
        )?;
        tx.commit()?;
        self.import_locks.remove(&run.import_id);
        Ok(())
    }

    /// Every set with at least one completed import, by name.
    pub fn request_sets(&self) -> Result<Vec<RequestSetSummary>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT s.name, s.created_at,
                    (SELECT count(*) FROM requests r WHERE r.set_id = s.id AND {VISIBLE}),
                    (SELECT count(*) FROM request_imports i WHERE i.set_id = s.id AND i.completed_at IS NOT NULL),
                    (SELECT min(time) FROM requests r WHERE r.set_id = s.id AND {VISIBLE}),
                    (SELECT max(time) FROM requests r WHERE r.set_id = s.id AND {VISIBLE})
             FROM request_sets s
             WHERE EXISTS (SELECT 1 FROM request_imports i WHERE i.set_id = s.id AND i.completed_at IS NOT NULL)
             ORDER BY s.name"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(RequestSetSummary {
                name: r.get(0)?,
                created_at: r.get(1)?,
                requests: r.get(2)?,
                imports: r.get(3)?,
                first: r.get(4)?,
                last: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// What a set holds; `None` when there is no such (completed) set.
    pub fn request_stats(&self, set: &str) -> Result<Option<RequestStats>> {
        let Some(summary) = self.request_sets()?.into_iter().find(|s| s.name == set) else {
            return Ok(None);
        };
        let set_id: i64 =
            self.conn()
                .query_row("SELECT id FROM request_sets WHERE name = ?1", [set], |r| {
                    r.get(0)
                })?;
        let counts = |expr: &str, limit: u32| -> Result<Vec<Count>> {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT {expr} AS v, count(*) AS n FROM requests r
                 WHERE r.set_id = ?1 AND {VISIBLE}
                 GROUP BY v ORDER BY n DESC, v LIMIT {limit}"
            ))?;
            let rows = stmt.query_map([set_id], |r| {
                Ok(Count {
                    value: r.get(0)?,
                    count: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        Ok(Some(RequestStats {
            set: summary,
            grades: counts("grade", 10)?,
            decisions: counts("coalesce(decision, 'none')", 10)?,
            actions: counts("action_id", 1000)?,
            principal_types: counts("principal_type", 1000)?,
            resource_types: counts("resource_type", 1000)?,
            top_principals: counts("principal_type || '::\"' || principal_id || '\"'", 20)?,
        }))
    }

    /// The id of a completed set.
    pub fn request_set_id(&self, set: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT s.id FROM request_sets s WHERE s.name = ?1 AND EXISTS
                   (SELECT 1 FROM request_imports i WHERE i.set_id = s.id AND i.completed_at IS NOT NULL)",
                [set],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Reads a set's visible requests in import order, `batch` at a time, handing each batch
    /// to `each` (memory stays flat in the set's size). Stops early when `each` returns false.
    pub fn for_each_request_batch(
        &self,
        set_id: i64,
        window: &RequestWindow<'_>,
        batch: usize,
        mut each: impl FnMut(Vec<StoredRequest>) -> bool,
    ) -> Result<()> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT r.id, r.key, r.rid, r.time, r.principal_type, r.principal_id, r.action_type,
                    r.action_id, r.resource_type, r.resource_id, r.context, r.entities, r.decision,
                    r.reasons, r.task_id, r.bundle, r.grade
             FROM requests r
             WHERE r.set_id = ?1 AND {VISIBLE} AND r.id > ?2
               AND (?3 IS NULL OR r.time >= ?3) AND (?4 IS NULL OR r.time < ?4)
             ORDER BY r.id LIMIT ?5"
        ))?;
        let mut after = 0i64;
        let limit = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
        loop {
            let rows = stmt.query_map(
                params![set_id, after, window.since, window.until, limit],
                stored,
            )?;
            let page = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.row;
            let full = page.len() == batch.max(1);
            if !each(page) || !full {
                return Ok(());
            }
        }
    }
}

impl Db {
    /// One visible request of a set: by the record's id, else by `line:N` (its row, as a
    /// replay names a record without an id).
    pub fn request_by_id(&self, set_id: i64, id: &str) -> Result<Option<StoredRequest>> {
        let sql = format!(
            "SELECT r.id, r.key, r.rid, r.time, r.principal_type, r.principal_id, r.action_type,
                    r.action_id, r.resource_type, r.resource_id, r.context, r.entities, r.decision,
                    r.reasons, r.task_id, r.bundle, r.grade
             FROM requests r
             WHERE r.set_id = ?1 AND {VISIBLE}
               AND ((r.key = 'id:' || ?2 AND r.rid IS NOT NULL) OR r.id = ?3)
             ORDER BY r.rid IS NOT NULL AND r.key = 'id:' || ?2 DESC LIMIT 1"
        );
        let row = id
            .strip_prefix("line:")
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(-1);
        Ok(self
            .conn()
            .query_row(&sql, params![set_id, id, row], stored)
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, time: &str, principal: &str, action: &str) -> NewRequest {
        NewRequest {
            key: key.into(),
            rid: Some(key.into()),
            time: Some(time.into()),
            principal: ("Acme::Agent".into(), principal.into()),
            action: ("Acme::Action".into(), action.into()),
            resource: ("Acme::Tool".into(), "t".into()),
            context: Some("{}".into()),
            grade: "full",
            ..NewRequest::default()
        }
    }

    #[test]
    fn an_import_is_invisible_until_complete_and_reimport_is_a_no_op() {
        let mut db = Db::open_in_memory().unwrap();
        let run = db.begin_import("prod", "a.jsonl", "jsonl").unwrap();
        let batch = vec![
            req("r1", "2026-05-01T00:00:00.000Z", "a", "invoke_tool"),
            req("r2", "2026-05-02T00:00:00.000Z", "b", "invoke_tool"),
            req("r3", "2026-05-03T00:00:00.000Z", "a", "read_data"),
        ];
        assert_eq!(db.insert_requests(run, &batch).unwrap(), 3);
        assert_eq!(db.request_sets().unwrap(), vec![]);
        assert_eq!(db.request_set_id("prod").unwrap(), None);
        db.complete_import(run, 3, 0, 0).unwrap();
        let sets = db.request_sets().unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].requests, 3);
        assert_eq!(sets[0].first.as_deref(), Some("2026-05-01T00:00:00.000Z"));

        // The same records again: nothing new.
        let again = db.begin_import("prod", "a.jsonl", "jsonl").unwrap();
        assert_eq!(db.insert_requests(again, &batch).unwrap(), 0);
        db.complete_import(again, 0, 3, 0).unwrap();
        assert_eq!(db.request_sets().unwrap()[0].requests, 3);
        assert_eq!(db.request_sets().unwrap()[0].imports, 2);

        let stats = db.request_stats("prod").unwrap().unwrap();
        assert_eq!(
            stats.actions,
            vec![
                Count {
                    value: "invoke_tool".into(),
                    count: 2
                },
                Count {
                    value: "read_data".into(),
                    count: 1
                }
            ]
        );
        assert_eq!(stats.top_principals[0].value, "Acme::Agent::\"a\"");
        assert_eq!(
            stats.decisions,
            vec![Count {
                value: "none".into(),
                count: 3
            }]
        );
    }

    #[test]
    fn a_crashed_import_is_cleared_by_the_next_and_abort_removes_an_empty_set() {
        let mut db = Db::open_in_memory().unwrap();
        let crashed = db.begin_import("s", "f", "jsonl").unwrap();
        db.insert_requests(crashed, &[req("r1", "2026-05-01T00:00:00.000Z", "a", "x")])
            .unwrap();
        // No complete_import: the process died. The next import starts clean.
        let next = db.begin_import("s", "f", "jsonl").unwrap();
        assert_eq!(
            db.insert_requests(next, &[req("r1", "2026-05-01T00:00:00.000Z", "a", "x")])
                .unwrap(),
            1,
            "the crashed run's row was removed, so r1 is new again"
        );
        db.abort_import(next).unwrap();
        assert_eq!(db.request_sets().unwrap(), vec![]);
        let count: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM request_sets", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn an_import_waits_for_a_running_import_into_the_same_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".mandate/mandate.db");
        let mut first = Db::open(&path).unwrap();
        let running = first.begin_import("s", "a", "jsonl").unwrap();
        first
            .insert_requests(running, &[req("r1", "2026-05-01T00:00:00.000Z", "a", "x")])
            .unwrap();
        // Another process (the app, or a second CLI) imports into the same set meanwhile.
        let second = std::thread::spawn(move || {
            let mut db = Db::open(&path).unwrap();
            let run = db.begin_import("s", "b", "jsonl").unwrap();
            db.insert_requests(run, &[req("r2", "2026-05-02T00:00:00.000Z", "b", "x")])
                .unwrap();
            db.complete_import(run, 1, 0, 0).unwrap();
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!second.is_finished(), "the second import waits");
        first
            .insert_requests(running, &[req("r3", "2026-05-03T00:00:00.000Z", "a", "x")])
            .unwrap();
        first.complete_import(running, 2, 0, 0).unwrap();
        second.join().unwrap();
        let sets = first.request_sets().unwrap();
        assert_eq!((sets[0].requests, sets[0].imports), (3, 2), "{sets:?}");
    }

    #[test]
    fn the_import_of_a_process_that_died_is_cleared_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".mandate/mandate.db");
        let mut dead = Db::open(&path).unwrap();
        let run = dead.begin_import("s", "a", "jsonl").unwrap();
        dead.insert_requests(run, &[req("r1", "2026-05-01T00:00:00.000Z", "a", "x")])
            .unwrap();
        // The process dies: its connection and its lock file go with it.
        drop(dead);
        let mut next = Db::open(&path).unwrap();
        let run = next.begin_import("s", "a", "jsonl").unwrap();
        assert_eq!(
            next.insert_requests(run, &[req("r1", "2026-05-01T00:00:00.000Z", "a", "x")])
                .unwrap(),
            1,
            "the dead import's row was removed"
        );
        next.complete_import(run, 1, 0, 0).unwrap();
        let stored: i64 = next
            .conn()
            .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, 1);
    }

    #[test]
    fn batches_stream_in_import_order_within_the_time_window() {
        let mut db = Db::open_in_memory().unwrap();
        let run = db.begin_import("s", "f", "jsonl").unwrap();
        let batch: Vec<NewRequest> = (0..25)
            .map(|i| {
                req(
                    &format!("r{i:02}"),
                    &format!("2026-05-{:02}T00:00:00.000Z", i + 1),
                    "a",
                    "x",
                )
            })
            .collect();
        db.insert_requests(run, &batch).unwrap();
        db.complete_import(run, 25, 0, 0).unwrap();
        let id = db.request_set_id("s").unwrap().unwrap();
        let mut sizes = Vec::new();
        let mut keys = Vec::new();
        db.for_each_request_batch(id, &RequestWindow::default(), 10, |page| {
            sizes.push(page.len());
            keys.extend(page.into_iter().map(|r| r.request.key));
            true
        })
        .unwrap();
        assert_eq!(sizes, vec![10, 10, 5]);
        assert_eq!(keys.first().map(String::as_str), Some("r00"));
        assert_eq!(keys.last().map(String::as_str), Some("r24"));

        let window = RequestWindow {
            since: Some("2026-05-03T00:00:00.000Z"),
            until: Some("2026-05-06T00:00:00.000Z"),
        };
        let mut got = Vec::new();
        db.for_each_request_batch(id, &window, 2, |page| {
            got.extend(page.into_iter().map(|r| r.request.key));
            true
        })
        .unwrap();
        assert_eq!(got, vec!["r02", "r03", "r04"]);
    }

    #[test]
    fn one_request_is_found_by_its_id_or_its_row() {
        let mut db = Db::open_in_memory().unwrap();
        let run = db.begin_import("s", "f", "jsonl").unwrap();
        // Keys as the importer makes them: `id:` and the record's id, else a content hash.
        let mut r1 = req("id:r1", "2026-05-01T00:00:00.000Z", "a", "x");
        r1.rid = Some("r1".into());
        let mut anonymous = req("h", "2026-05-02T00:00:00.000Z", "b", "x");
        anonymous.rid = None;
        db.insert_requests(run, &[r1, anonymous]).unwrap();
        let id = db.request_set_id("s");
        assert_eq!(id.unwrap(), None, "invisible until the import completes");
        db.complete_import(run, 2, 0, 0).unwrap();
        let id = db.request_set_id("s").unwrap().unwrap();
        let r1 = db.request_by_id(id, "r1").unwrap().unwrap();
        assert_eq!(r1.request.principal.1, "a");
        let by_row = db
            .request_by_id(id, &format!("line:{}", r1.row + 1))
            .unwrap();
        assert_eq!(by_row.unwrap().request.principal.1, "b");
        assert_eq!(
            db.request_by_id(id, "h").unwrap(),
            None,
            "a content hash is no id"
        );
        assert_eq!(db.request_by_id(id, "nope").unwrap(), None);
    }
}

/// The columns `mandate insights` reads of one stored request, borrowed from SQLite's row.
#[derive(Debug, Clone, Copy)]
pub struct TrafficRow<'r> {
    pub row: i64,
    pub rid: Option<&'r str>,
    pub time: Option<&'r str>,
    pub principal_type: &'r str,
    pub principal_id: &'r str,
    pub action_id: &'r str,
    pub resource_type: &'r str,
    pub resource_id: &'r str,
    pub context: Option<&'r str>,
    pub decision: Option<&'r str>,
    pub reasons: Option<&'r str>,
    pub task_id: Option<&'r str>,
}

const TRAFFIC_COLUMNS: &str = "r.id, r.rid, r.time, r.principal_type, r.principal_id, r.action_id,
     r.resource_type, r.resource_id, r.context, r.decision, r.reasons, r.task_id";

fn traffic_row<'r>(r: &'r rusqlite::Row<'_>) -> rusqlite::Result<TrafficRow<'r>> {
    let text = |i: usize| -> rusqlite::Result<&'r str> {
        r.get_ref(i)?.as_str().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let opt = |i: usize| -> rusqlite::Result<Option<&'r str>> {
        r.get_ref(i)?.as_str_or_null().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(TrafficRow {
        row: r.get(0)?,
        rid: opt(1)?,
        time: opt(2)?,
        principal_type: text(3)?,
        principal_id: text(4)?,
        action_id: text(5)?,
        resource_type: text(6)?,
        resource_id: text(7)?,
        context: opt(8)?,
        decision: opt(9)?,
        reasons: opt(10)?,
        task_id: opt(11)?,
    })
}

impl Db {
    /// Streams a set's visible requests in import order through `each`, one borrowed row at
    /// a time (nothing is collected): what `mandate insights` scans. `each` returns `false`
    /// to stop (a cancelled scan).
    pub fn for_each_traffic_row(
        &self,
        set_id: i64,
        window: &RequestWindow<'_>,
        mut each: impl FnMut(&TrafficRow<'_>) -> bool,
    ) -> Result<()> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {TRAFFIC_COLUMNS}
             FROM requests r
             WHERE r.set_id = ?1 AND {VISIBLE}
               AND (?2 IS NULL OR r.time >= ?2) AND (?3 IS NULL OR r.time < ?3)
             ORDER BY r.id"
        ))?;
        let mut rows = stmt.query(params![set_id, window.since, window.until])?;
        while let Some(r) = rows.next()? {
            if !each(&traffic_row(r)?) {
                break;
            }
        }
        Ok(())
    }

    /// The requests of one task (`task_id` beside the request, else in its context), in time
    /// order (then import order), with their full record for re-evaluation.
    pub fn task_requests(&self, set_id: i64, task_id: &str) -> Result<Vec<StoredRequest>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT r.id, r.key, r.rid, r.time, r.principal_type, r.principal_id, r.action_type,
                    r.action_id, r.resource_type, r.resource_id, r.context, r.entities, r.decision,
                    r.reasons, r.task_id, r.bundle, r.grade
             FROM requests r
             WHERE r.set_id = ?1 AND {VISIBLE}
               AND (r.task_id = ?2
                    OR (r.task_id IS NULL AND r.context IS NOT NULL
                        AND json_valid(r.context) AND json_extract(r.context, '$.task_id') = ?2))
             ORDER BY r.time, r.id"
        ))?;
        let rows = stmt.query_map(params![set_id, task_id], stored)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Db {
    /// The set whose last import completed most recently.
    pub fn newest_request_set(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT s.name FROM request_sets s JOIN request_imports i ON i.set_id = s.id
                 WHERE i.completed_at IS NOT NULL ORDER BY i.completed_at DESC, i.id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// What identifies a set's contents: its completed imports (ids and times), so a cached
    /// analysis can tell it is stale without reading the requests.
    pub fn request_set_signature(&self, set_id: i64) -> Result<String> {
        Ok(self.conn().query_row(
            "SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(max(completed_at), '')
             FROM request_imports WHERE set_id = ?1 AND completed_at IS NOT NULL",
            [set_id],
            |r| r.get(0),
        )?)
    }

    /// An agent's newest requests in a set (by time, then import order).
    pub fn agent_requests(
        &self,
        set_id: i64,
        agent: &str,
        limit: u32,
    ) -> Result<Vec<StoredRequest>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT r.id, r.key, r.rid, r.time, r.principal_type, r.principal_id, r.action_type,
                    r.action_id, r.resource_type, r.resource_id, r.context, r.entities, r.decision,
                    r.reasons, r.task_id, r.bundle, r.grade
             FROM requests r
             WHERE r.set_id = ?1 AND {VISIBLE} AND r.principal_id = ?2
             ORDER BY r.time DESC, r.id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![set_id, agent, limit], stored)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
