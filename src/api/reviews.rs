//! Review records: open one on a replay run, acknowledge its changed decisions, record a
//! verdict. Each step rewrites `reviews/NAME.toml` atomically and is audited.

use std::collections::HashSet;

use chrono::{SecondsFormat, Utc};
use serde_json::json;

use super::replay::{policy_digest, side_json as side, WORKING_COPY};
use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::review::{self, Ack, ReviewFile, Verdict, VerdictKind, REVIEWS_DIR};
use crate::store::NewAuditEntry;

/// Which groups an acknowledgement covers.
#[derive(Debug, Clone, Default)]
pub struct AckTarget {
    /// Group keys, as `mandate review show` lists them.
    pub groups: Vec<String>,
    /// Request ids: each acknowledges the group its change belongs to.
    pub requests: Vec<String>,
    /// Every group not yet acknowledged.
    pub all: bool,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Session {
    /// Opens a review of a completed run: its changed decisions, grouped, none acknowledged.
    /// `name` defaults to `DATE-SET` (with `-2`, `-3` … when taken).
    pub fn open_review(
        &self,
        run_id: i64,
        name: Option<&str>,
        actor: &str,
    ) -> ApiResult<dto::Review> {
        let run = self.replay_run(run_id)?;
        if run.status != dto::ReplayRunStatus::Complete {
            return Err(ApiError::new(
                ErrorCode::ReviewRefused,
                format!("replay run {run_id} did not complete"),
                Some("run the replay again and review that run"),
            ));
        }
        let name = match name {
            Some(n) if !review::valid_name(n) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{n}` cannot name a review"),
                    Some("use letters, digits, `-`, `_` and `.` (e.g. `2026-11-23-prod`)"),
                ))
            }
            Some(n) if self.review_path(n).is_file() => {
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("a review `{n}` already exists"),
                    Some("choose another name, or leave it out for a fresh one"),
                ))
            }
            Some(n) => n.to_owned(),
            None => self.fresh_review_name(&run.set),
        };
        let mut file = ReviewFile {
            set: run.set.clone(),
            baseline: run.baseline.clone(),
            candidate: run.candidate.clone(),
            since: run.since.clone(),
            until: run.until.clone(),
            baseline_digest: run.baseline_digest.clone().unwrap_or_default(),
            candidate_digest: run.candidate_digest.clone().unwrap_or_default(),
            run_id,
            digest: run.digest.clone().unwrap_or_default(),
            requests: run.summary.requests,
            changed: 0,
            opened_by: actor.to_owned(),
            opened_at: now(),
            changes: Vec::new(),
            verdicts: Vec::new(),
        };
        let mut bad = None;
        self.db()?.for_each_changed_result(run_id, |r| {
            match (side(&r.baseline), side(&r.candidate)) {
                (Ok(b), Ok(c)) => {
                    file.changed += 1;
                    file.add_change(&r.rid, &r.action, &b, &c);
                }
                (Err(e), _) | (_, Err(e)) => bad = Some(e),
            }
        })?;
        if let Some(e) = bad {
            return Err(e);
        }
        self.write_review(&name, &file, actor, "review.open", None)?;
        self.review(&name)
    }

    /// Every review in `reviews/`, by name. A file that does not parse fails the listing
    /// with every problem located.
    pub fn reviews(&self) -> ApiResult<Vec<dto::Review>> {
        Ok(self
            .review_files()?
            .into_iter()
            .map(|(name, file)| self.decorate(name, file))
            .collect())
    }

    /// The review files as stored, by name, without checking whether they are stale (which
    /// loads the candidate's policies): what the results pages need on every scroll.
    fn review_files(&self) -> ApiResult<Vec<(String, ReviewFile)>> {
        let dir = self.root().join(REVIEWS_DIR);
        let mut names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".toml").map(str::to_owned)
                })
                .filter(|n| review::valid_name(n))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(ApiError::new(
                    ErrorCode::Io,
                    format!("cannot read `{REVIEWS_DIR}/`: {e}"),
                    None,
                ))
            }
        };
        names.sort();
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for name in names {
            match self.read_review(&name) {
                Ok(file) => out.push((name, file)),
                Err(e) if e.code == ErrorCode::ConfigInvalid => problems.extend(e.diagnostics),
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ConfigInvalid,
                message: format!("{} problem(s) in review files", problems.len()),
                help: Some(
                    "review files are written by `mandate review`; restore them from git".into(),
                ),
                diagnostics: problems,
            });
        }
        Ok(out)
    }

    /// The newest stored review of a run, if any.
    fn review_file_for_run(&self, run_id: i64) -> ApiResult<Option<(String, ReviewFile)>> {
        Ok(self
            .review_files()?
            .into_iter()
            .filter(|(_, f)| f.run_id == run_id)
            .max_by(|(_, a), (_, b)| a.opened_at.cmp(&b.opened_at)))
    }

    /// A stored review with its path, verdict, open groups and staleness.
    fn decorate(&self, name: String, file: ReviewFile) -> dto::Review {
        dto::Review {
            path: format!("{REVIEWS_DIR}/{name}.toml"),
            name,
            unacknowledged: file.unacknowledged() as u64,
            verdict: file.verdict().cloned(),
            stale: self.candidate_moved(&file),
            record: file,
        }
    }

    /// One review, with whether its candidate moved since it was opened.
    pub fn review(&self, name: &str) -> ApiResult<dto::Review> {
        let file = self.read_review(name)?;
        Ok(self.decorate(name.to_owned(), file))
    }

    /// The newest review of a run, if any.
    pub fn review_for_run(&self, run_id: i64) -> ApiResult<Option<dto::Review>> {
        Ok(self
            .review_file_for_run(run_id)?
            .map(|(name, file)| self.decorate(name, file)))
    }

    /// Acknowledges groups of a review's changes with a comment.
    pub fn ack_review(
        &self,
        name: &str,
        target: &AckTarget,
        comment: &str,
        actor: &str,
    ) -> ApiResult<dto::Review> {
        if comment.trim().is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                "an acknowledgement needs a comment",
                Some("say why the change is expected, e.g. `tool retired in CHG-1234`"),
            ));
        }
        let mut file = self.read_review(name)?;
        let before = file.unacknowledged();
        let mut keys: HashSet<String> = target.groups.iter().cloned().collect();
        for key in &target.groups {
            if !file.changes.iter().any(|c| &c.key == key) {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("review `{name}` has no group `{key}`"),
                    Some("`mandate review show NAME` lists the groups"),
                ));
            }
        }
        if !target.requests.is_empty() {
            let wanted: HashSet<&str> = target.requests.iter().map(String::as_str).collect();
            let mut found = HashSet::new();
            let mut bad = None;
            self.db()?.for_each_changed_result(file.run_id, |r| {
                if wanted.contains(r.rid.as_str()) {
                    match (side(&r.baseline), side(&r.candidate)) {
                        (Ok(b), Ok(c)) => {
                            keys.insert(review::group_key(&r.action, &b, &c));
                            found.insert(r.rid);
                        }
                        (Err(e), _) | (_, Err(e)) => bad = Some(e),
                    }
                }
            })?;
            if let Some(e) = bad {
                return Err(e);
            }
            if let Some(missing) = target.requests.iter().find(|id| !found.contains(*id)) {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("`{missing}` is not a changed decision of run {}", file.run_id),
                    Some("acknowledge changed decisions only; `mandate review show NAME` lists the groups"),
                ));
            }
        }
        if !target.all && keys.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                "nothing to acknowledge",
                Some("name groups (--group), requests (--request), or --all"),
            ));
        }
        let ack = Ack {
            by: actor.to_owned(),
            at: now(),
            comment: comment.trim().to_owned(),
        };
        let mut acked = 0;
        for change in &mut file.changes {
            if change.ack.is_none() && (target.all || keys.contains(&change.key)) {
                change.ack = Some(ack.clone());
                acked += 1;
            }
        }
        let detail = json!({ "acknowledged": acked, "unacknowledged_before": before, "comment": ack.comment });
        self.write_review(name, &file, actor, "review.ack", Some(detail))?;
        self.review(name)
    }

    /// Records a verdict. Approving needs every group acknowledged and the candidate's
    /// policies unchanged since the review was opened.
    pub fn review_verdict(
        &self,
        name: &str,
        verdict: &str,
        comment: &str,
        actor: &str,
    ) -> ApiResult<dto::Review> {
        let Some(kind) = VerdictKind::parse(verdict) else {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{verdict}` is not a verdict"),
                Some("`approve` or `request-changes`"),
            ));
        };
        let mut file = self.read_review(name)?;
        if kind == VerdictKind::Approve {
            let open = file.unacknowledged();
            if open > 0 {
                return Err(ApiError::new(
                    ErrorCode::ReviewRefused,
                    format!("review `{name}` has {open} unacknowledged group(s) of changed decisions"),
                    Some("acknowledge each group (`mandate review ack NAME --group KEY --comment …`) before approving"),
                ));
            }
            if self.candidate_moved(&file) {
                return Err(ApiError::new(
                    ErrorCode::ReviewRefused,
                    format!(
                        "the candidate `{}` changed since review `{name}` was opened",
                        file.candidate
                    ),
                    Some("replay again and open a new review (`mandate review open --set …`)"),
                ));
            }
        }
        file.verdicts.push(Verdict {
            verdict: kind,
            by: actor.to_owned(),
            at: now(),
            comment: comment.trim().to_owned(),
        });
        let detail = json!({ "verdict": kind.as_str(), "comment": comment.trim() });
        self.write_review(name, &file, actor, "review.verdict", Some(detail))?;
        self.review(name)
    }

    /// Keys of the acknowledged groups of the newest review of `run_id`.
    pub(crate) fn acknowledged_groups(&self, run_id: i64) -> ApiResult<HashSet<String>> {
        Ok(self
            .review_file_for_run(run_id)?
            .map(|(_, file)| {
                file.changes
                    .into_iter()
                    .filter(|c| c.ack.is_some())
                    .map(|c| c.key)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A review's file; a name whose file is a link out of the workspace gets a path that
    /// cannot exist, so it reads as no such review.
    fn review_path(&self, name: &str) -> std::path::PathBuf {
        let rel = format!("{REVIEWS_DIR}/{name}.toml");
        self.workspace
            .resolve(&rel)
            .unwrap_or_else(|_| self.root().join(REVIEWS_DIR).join(".outside-the-workspace"))
    }

    fn fresh_review_name(&self, set: &str) -> String {
        let safe: String = set
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let base = format!("{}-{safe}", Utc::now().format("%Y-%m-%d"));
        (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|n| !self.review_path(n).is_file())
            .unwrap_or(base)
    }

    fn read_review(&self, name: &str) -> ApiResult<ReviewFile> {
        if !review::valid_name(name) {
            return Err(ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{name}` cannot name a review"),
                Some("use the name `mandate review list` shows"),
            ));
        }
        let rel = format!("{REVIEWS_DIR}/{name}.toml");
        let text =
            match std::fs::read_to_string(self.review_path(name)) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no review `{name}`"),
                    Some(
                        "`mandate review list` shows the reviews; `mandate review open` starts one",
                    ),
                )),
                Err(e) => {
                    return Err(ApiError::new(
                        ErrorCode::Io,
                        format!("cannot read `{rel}`: {e}"),
                        None,
                    ))
                }
            };
        ReviewFile::parse(&rel, &text).map_err(|diagnostics| ApiError {
            code: ErrorCode::ConfigInvalid,
            message: format!("`{rel}` has {} problem(s)", diagnostics.len()),
            help: Some("review files are written by `mandate review`; restore it from git".into()),
            diagnostics,
        })
    }

    fn write_review(
        &self,
        name: &str,
        file: &ReviewFile,
        actor: &str,
        action: &str,
        detail: Option<serde_json::Value>,
    ) -> ApiResult<()> {
        let rel = format!("{REVIEWS_DIR}/{name}.toml");
        let text = file.to_toml().map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot encode `{rel}`: {e}"),
                None,
            )
        })?;
        std::fs::create_dir_all(self.root().join(REVIEWS_DIR)).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("cannot create `{REVIEWS_DIR}/`: {e}"),
                None,
            )
        })?;
        self.workspace.write_file(&rel, text.as_bytes())?;
        let after = json!({
            "run_id": file.run_id, "digest": file.digest, "changed": file.changed,
            "unacknowledged": file.unacknowledged(), "detail": detail,
        });
        self.db()?.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action,
            subject: &format!("review:{name}"),
            before: None,
            after: Some(&after),
        })?;
        Ok(())
    }

    /// Whether the candidate's policies differ from those the review saw (or no longer load).
    fn candidate_moved(&self, file: &ReviewFile) -> bool {
        let current = if file.candidate == WORKING_COPY {
            self.working_copy()
        } else {
            self.side("candidate", &file.candidate)
        };
        current.map_or(true, |set| policy_digest(&set) != file.candidate_digest)
    }
}
