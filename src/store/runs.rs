//! Replay runs and their per-request results (`replay_runs`, `replay_results`).
//!
//! A run is written while it replays: `begin_run`, then results in batches, then
//! `complete_run` (or `end_run` when cancelled or failed, which drops its results). Results
//! are read a page at a time, in the set's order, optionally only the changed decisions or
//! the errors — partial indexes keep those pages cheap on a run of a million requests.

use rusqlite::{params, OptionalExtension, Row};

use super::{Db, RequestWindow, Result};

/// Runs kept per workspace; older ones (and their results) are deleted when a run completes.
pub const KEEP_RUNS: i64 = 20;

/// What a run replays, as given.
#[derive(Debug, Clone, Default)]
pub struct NewRun<'a> {
    pub set: &'a str,
    pub baseline: &'a str,
    pub candidate: &'a str,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub baseline_digest: &'a str,
    pub candidate_digest: &'a str,
    pub actor: &'a str,
}

/// A run as stored; `summary` and `report` are JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRun {
    pub id: i64,
    pub set: String,
    pub baseline: String,
    pub candidate: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub baseline_digest: Option<String>,
    pub candidate_digest: Option<String>,
    pub actor: String,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub status: String,
    pub summary: Option<String>,
    pub report: Option<String>,
    pub digest: Option<String>,
}

/// One replayed request; `baseline` and `candidate` are JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultRecord {
    pub seq: i64,
    pub rid: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub time: Option<String>,
    pub recorded: Option<String>,
    pub baseline: String,
    pub candidate: String,
    pub changed: bool,
    pub errors: bool,
}

/// Which results a page shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultQuery<'a> {
    pub changed_only: bool,
    pub errors_only: bool,
    /// Case-insensitive substring of the request id, principal, action or resource.
    pub search: Option<&'a str>,
}

const RUN_COLUMNS: &str = "id, set_name, baseline, candidate, since, until, baseline_digest,
    candidate_digest, actor, started_at, completed_at, status, summary, report, digest";

fn run(r: &Row<'_>) -> rusqlite::Result<StoredRun> {
    Ok(StoredRun {
        id: r.get(0)?,
        set: r.get(1)?,
        baseline: r.get(2)?,
        candidate: r.get(3)?,
        since: r.get(4)?,
        until: r.get(5)?,
        baseline_digest: r.get(6)?,
        candidate_digest: r.get(7)?,
        actor: r.get(8)?,
        started_at: r.get(9)?,
        completed_at: r.get(10)?,
        status: r.get(11)?,
        summary: r.get(12)?,
        report: r.get(13)?,
        digest: r.get(14)?,
    })
}

const RESULT_COLUMNS: &str = "seq, rid, principal, action, resource, time, recorded, baseline,
    candidate, changed, errors";

fn result(r: &Row<'_>) -> rusqlite::Result<ResultRecord> {
    Ok(ResultRecord {
        seq: r.get(0)?,
        rid: r.get(1)?,
        principal: r.get(2)?,
        action: r.get(3)?,
        resource: r.get(4)?,
        time: r.get(5)?,
        recorded: r.get(6)?,
        baseline: r.get(7)?,
        candidate: r.get(8)?,
        changed: r.get(9)?,
        errors: r.get(10)?,
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Db {
    /// Records a run as `running`; returns its id.
    pub fn begin_run(&mut self, new: &NewRun<'_>) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO replay_runs (set_name, baseline, candidate, since, until,
                 baseline_digest, candidate_digest, actor, started_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'running')",
            params![
                new.set,
                new.baseline,
                new.candidate,
                new.since,
                new.until,
                new.baseline_digest,
                new.candidate_digest,
                new.actor,
                now()
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Appends a batch of a running run's results in one transaction.
    pub fn insert_results(&mut self, run_id: i64, rows: &[ResultRecord]) -> Result<()> {
        let tx = self.write_tx()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO replay_results (run_id, seq, rid, principal, action, resource, time,
                     recorded, baseline, candidate, changed, errors)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for r in rows {
                stmt.execute(params![
                    run_id,
                    r.seq,
                    r.rid,
                    r.principal,
                    r.action,
                    r.resource,
                    r.time,
                    r.recorded,
                    r.baseline,
                    r.candidate,
                    r.changed,
                    r.errors
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a run complete with its totals, breakdowns and result digest, then deletes runs
    /// older than the newest [`KEEP_RUNS`].
    pub fn complete_run(
        &mut self,
        run_id: i64,
        summary: &str,
        report: &str,
        digest: &str,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE replay_runs SET status = 'complete', completed_at = ?2, summary = ?3,
                 report = ?4, digest = ?5
             WHERE id = ?1",
            params![run_id, now(), summary, report, digest],
        )?;
        tx.execute(
            "DELETE FROM replay_runs WHERE id NOT IN
                 (SELECT id FROM replay_runs ORDER BY id DESC LIMIT ?1)",
            [KEEP_RUNS],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Ends a run that did not complete (`cancelled` or `failed`); its results are dropped.
    pub fn end_run(&mut self, run_id: i64, status: &str) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM replay_results WHERE run_id = ?1", [run_id])?;
        tx.execute(
            "UPDATE replay_runs SET status = ?2, completed_at = ?3 WHERE id = ?1",
            params![run_id, status, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Runs, newest first.
    pub fn replay_runs(&self, limit: u32) -> Result<Vec<StoredRun>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM replay_runs ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], run)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn replay_run(&self, id: i64) -> Result<Option<StoredRun>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM replay_runs WHERE id = ?1"),
                [id],
                run,
            )
            .optional()?)
    }

    /// How many results match `query`, and the page of them starting at `offset`.
    /// `known_total`: the run's request count, which spares counting an unfiltered page.
    pub fn replay_results(
        &self,
        run_id: i64,
        query: &ResultQuery<'_>,
        offset: u64,
        limit: u32,
        known_total: Option<u64>,
    ) -> Result<(u64, Vec<ResultRecord>)> {
        let mut clauses = vec!["run_id = ?1"];
        if query.changed_only {
            clauses.push("changed = 1");
        }
        if query.errors_only {
            clauses.push("errors = 1");
        }
        let search = query
            .search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        if search.is_some() {
            clauses.push(
                "(rid LIKE ?2 ESCAPE '\\' OR principal LIKE ?2 ESCAPE '\\'
                  OR action LIKE ?2 ESCAPE '\\' OR resource LIKE ?2 ESCAPE '\\')",
            );
        }
        let filter = clauses.join(" AND ");
        let pattern = search.unwrap_or_default();
        let unfiltered = clauses.len() == 1;
        let total: i64 = match known_total {
            Some(n) if unfiltered => i64::try_from(n).unwrap_or(i64::MAX),
            _ => {
                let sql = format!("SELECT count(*) FROM replay_results WHERE {filter}");
                if pattern.is_empty() {
                    self.conn().query_row(&sql, params![run_id], |r| r.get(0))?
                } else {
                    self.conn()
                        .query_row(&sql, params![run_id, pattern], |r| r.get(0))?
                }
            }
        };
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        // A run's seq runs 0, 1, 2 … with no gaps, so the unfiltered page is a range seek.
        // A filtered page first skips through the filter's index only (no row reads), then
        // reads just the rows of the page.
        let sql = if unfiltered {
            format!(
                "SELECT {RESULT_COLUMNS} FROM replay_results
                 WHERE run_id = ?1 AND seq >= ?4 ORDER BY seq LIMIT ?3"
            )
        } else {
            format!(
                "SELECT {RESULT_COLUMNS} FROM replay_results
                 WHERE run_id = ?1 AND seq IN
                     (SELECT seq FROM replay_results WHERE {filter} ORDER BY seq LIMIT ?3 OFFSET ?4)
                 ORDER BY seq"
            )
        };
        let mut stmt = self.conn().prepare(&sql)?;
        // ?2 is bound (unused when there is no search): SQLite counts placeholders up to ?4.
        let rows = stmt.query_map(params![run_id, pattern, limit, offset], result)?;
        Ok((
            u64::try_from(total).unwrap_or(0),
            rows.collect::<rusqlite::Result<_>>()?,
        ))
    }

    /// One result of a run by its position.
    pub fn replay_result(&self, run_id: i64, seq: i64) -> Result<Option<ResultRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {RESULT_COLUMNS} FROM replay_results WHERE run_id = ?1 AND seq = ?2"
                ),
                params![run_id, seq],
                result,
            )
            .optional()?)
    }

    /// How many visible requests of a set fall in `window` (a replay's progress total).
    pub fn count_requests(&self, set_id: i64, window: &RequestWindow<'_>) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            &format!(
                "SELECT count(*) FROM requests r WHERE r.set_id = ?1 AND {}
                   AND (?2 IS NULL OR r.time >= ?2) AND (?3 IS NULL OR r.time < ?3)",
                super::requests::VISIBLE
            ),
            params![set_id, window.since, window.until],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A run's changed results, in order.
    pub fn for_each_changed_result(
        &self,
        run_id: i64,
        mut each: impl FnMut(ResultRecord),
    ) -> Result<()> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {RESULT_COLUMNS} FROM replay_results WHERE run_id = ?1 AND changed = 1
             ORDER BY seq"
        ))?;
        let mut rows = stmt.query([run_id])?;
        while let Some(r) = rows.next()? {
            each(result(r)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, changed: bool, errors: bool) -> ResultRecord {
        ResultRecord {
            seq,
            rid: format!("req-{seq}"),
            principal: format!("Agent::\"a{}\"", seq % 3),
            action: "invoke_tool".into(),
            resource: "Tool::\"t\"".into(),
            baseline: r#"{"decision":"allow","reasons":[],"errors":[]}"#.into(),
            candidate: r#"{"decision":"deny","reasons":[],"errors":[]}"#.into(),
            changed,
            errors,
            ..ResultRecord::default()
        }
    }

    fn new_run(db: &mut Db) -> i64 {
        db.begin_run(&NewRun {
            set: "prod",
            baseline: "git:HEAD",
            candidate: "working copy",
            actor: "alice",
            ..NewRun::default()
        })
        .unwrap()
    }

    #[test]
    fn pages_filter_and_search_in_order() {
        let mut db = Db::open_in_memory().unwrap();
        let id = new_run(&mut db);
        let rows: Vec<ResultRecord> = (0..100)
            .map(|i| record(i, i % 10 == 0, i % 25 == 0))
            .collect();
        db.insert_results(id, &rows).unwrap();
        db.complete_run(id, "{}", "{}", "sha256:x").unwrap();

        let all = ResultQuery::default();
        let (total, page) = db.replay_results(id, &all, 40, 5, None).unwrap();
        assert_eq!(total, 100);
        assert_eq!(
            page.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [40, 41, 42, 43, 44]
        );

        let changed = ResultQuery {
            changed_only: true,
            ..all
        };
        let (total, page) = db.replay_results(id, &changed, 2, 3, None).unwrap();
        assert_eq!(total, 10);
        assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), [20, 30, 40]);

        let errors = ResultQuery {
            errors_only: true,
            ..all
        };
        assert_eq!(db.replay_results(id, &errors, 0, 10, None).unwrap().0, 4);

        // `_` and `%` are literal in a search.
        let search = ResultQuery {
            search: Some("REQ-7"),
            ..all
        };
        let (total, page) = db.replay_results(id, &search, 0, 100, None).unwrap();
        assert_eq!(total, 11); // req-7, req-70..79
        assert_eq!(page[0].rid, "req-7");
        let literal = ResultQuery {
            search: Some("req_7"),
            ..all
        };
        assert_eq!(db.replay_results(id, &literal, 0, 10, None).unwrap().0, 0);

        assert_eq!(db.replay_result(id, 42).unwrap().unwrap().rid, "req-42");
        assert_eq!(db.replay_result(id, 100).unwrap(), None);
        let run = db.replay_run(id).unwrap().unwrap();
        assert_eq!(
            (run.status.as_str(), run.digest.as_deref()),
            ("complete", Some("sha256:x"))
        );
    }

    #[test]
    fn a_cancelled_run_keeps_no_results_and_old_runs_are_pruned() {
        let mut db = Db::open_in_memory().unwrap();
        let id = new_run(&mut db);
        db.insert_results(id, &[record(0, true, false)]).unwrap();
        db.end_run(id, "cancelled").unwrap();
        assert_eq!(
            db.replay_results(id, &ResultQuery::default(), 0, 10, None)
                .unwrap()
                .0,
            0
        );
        assert_eq!(db.replay_run(id).unwrap().unwrap().status, "cancelled");

        for _ in 0..KEEP_RUNS + 2 {
            let id = new_run(&mut db);
            db.insert_results(id, &[record(0, true, false)]).unwrap();
            db.complete_run(id, "{}", "{}", "d").unwrap();
        }
        let runs = db.replay_runs(100).unwrap();
        assert_eq!(runs.len() as i64, KEEP_RUNS);
        // Results of pruned runs went with them.
        let kept: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM replay_results", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, KEEP_RUNS);
    }
}
