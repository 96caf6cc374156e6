//! Replaying a stored request set against two policy sets of the workspace.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::{dto, ApiError, ApiResult, Session};
use crate::error::ErrorCode;
use crate::policy::{self, Sources};
use crate::replay::explain::LocatedPolicies;
use crate::replay::simulate::{Replayer, ResultItem};
use crate::store::{runs, NewRun, RequestWindow, ResultQuery, ResultRecord, StoredRun};

/// How the candidate is named when it is the policies on disk.
pub const WORKING_COPY: &str = "working copy";

/// The most results one page returns.
const MAX_PAGE: u32 = 1_000;

/// What to replay (`mandate simulate --set …`).
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    pub set: String,
    /// A `.cedar` file or folder, `git:REV`, or `None` for `git:HEAD`.
    pub baseline: Option<String>,
    /// A `.cedar` file or folder, `git:REV`, or `None` for the working copy.
    pub candidate: Option<String>,
    /// RFC 3339, or a span back from now: `7d`, `12h`, `30m`.
    pub since: Option<String>,
    pub until: Option<String>,
}

/// Receives each result of a replay; an `Interrupted` error stops it as cancelled.
pub type EachResult<'h> = &'h mut dyn FnMut(&ResultItem<'_>) -> std::io::Result<()>;

/// What a replay reports back while it runs, and how to stop it.
#[derive(Default)]
pub struct ReplayHooks<'h> {
    /// Every result, in the set's order.
    pub each: Option<EachResult<'h>>,
    /// After each batch read from the store.
    pub progress: Option<&'h mut dyn FnMut(dto::ReplayProgress)>,
    /// Checked after every result; when set, the run stops, keeps nothing and reports
    /// [`ErrorCode::Cancelled`].
    pub cancel: Option<&'h AtomicBool>,
}

/// Results written to the store per transaction.
const RESULT_BATCH: usize = 10_000;

impl Session {
    /// Replays the stored set `opts.set` (within the time window) on the baseline and the
    /// candidate, against the workspace's schema and the inventory's entities. The run and
    /// every result are stored (pages for the app, a digest for reviews); `hooks.each` gets
    /// every result as it is decided.
    pub fn replay_set(
        &self,
        opts: &ReplayOptions,
        actor: &str,
        hooks: ReplayHooks<'_>,
    ) -> ApiResult<dto::ReplayRun> {
        // An unknown set is the first thing to say.
        if self.db()?.request_set_id(&opts.set)?.is_none() {
            return Err(self.request_stats(&opts.set).err().unwrap_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no request set `{}`", opts.set),
                    None,
                )
            }));
        }
        let baseline_label = opts.baseline.clone().unwrap_or_else(|| "git:HEAD".into());
        let baseline = self.side("baseline", &baseline_label)?;
        let candidate = match opts.candidate.as_deref() {
            None => (WORKING_COPY.to_owned(), self.working_copy()?),
            Some(spec) => (spec.to_owned(), self.side("candidate", spec)?),
        };
        self.replay_with(opts, (baseline_label, baseline), candidate, actor, hooks)
    }

    /// [`Session::replay_set`] on policy sets already loaded, each with its label.
    pub(crate) fn replay_with(
        &self,
        opts: &ReplayOptions,
        (baseline_label, baseline): (String, cedar_policy::PolicySet),
        (candidate_label, candidate): (String, cedar_policy::PolicySet),
        actor: &str,
        hooks: ReplayHooks<'_>,
    ) -> ApiResult<dto::ReplayRun> {
        let since = opts
            .since
            .as_deref()
            .map(|s| time_bound("--since", s))
            .transpose()?;
        let until = opts
            .until
            .as_deref()
            .map(|s| time_bound("--until", s))
            .transpose()?;
        let db = self.db()?;
        let Some(set_id) = db.request_set_id(&opts.set)? else {
            return Err(self.request_stats(&opts.set).err().unwrap_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no request set `{}`", opts.set),
                    None,
                )
            }));
        };
        let schema = self.replay_schema()?;
        let entities = self.replay_entities(&schema)?;
        let namespace = self.workspace.config().namespace.clone();
        let window = RequestWindow {
            since: since.as_deref(),
            until: until.as_deref(),
        };
        let total = db.count_requests(set_id, &window)?;
        let mut writer = self.db()?;
        let (baseline_digest, candidate_digest) =
            (policy_digest(&baseline), policy_digest(&candidate));
        let run_id = writer.begin_run(&NewRun {
            set: &opts.set,
            baseline: &baseline_label,
            candidate: &candidate_label,
            since: since.as_deref(),
            until: until.as_deref(),
            baseline_digest: &baseline_digest,
            candidate_digest: &candidate_digest,
            actor,
        })?;
        let ReplayHooks {
            mut each,
            mut progress,
            cancel,
        } = hooks;
        let mut hasher = Sha256::new();
        let mut pending: Vec<ResultRecord> = Vec::with_capacity(RESULT_BATCH);
        let mut seq = 0i64;
        let mut store_error: Option<ApiError> = None;
        let mut keep = |item: &ResultItem<'_>| -> std::io::Result<()> {
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let line = serde_json::to_string(item.result).map_err(std::io::Error::other)?;
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
            pending.push(result_record(seq, item)?);
            seq += 1;
            if pending.len() >= RESULT_BATCH {
                if let Err(e) = writer.insert_results(run_id, &pending) {
                    store_error = Some(e.into());
                    return Err(std::io::Error::other("the store failed"));
                }
                pending.clear();
            }
            match each.as_mut() {
                Some(f) => f(item),
                None => Ok(()),
            }
        };
        let outcome = (|| -> ApiResult<dto::Replayed> {
            let mut replayer = Replayer::new(
                &schema, &entities, &baseline, &candidate, &namespace, &mut keep,
            )?;
            let mut failure = None;
            let mut done = 0u64;
            db.for_each_request_batch(set_id, &window, RESULT_BATCH, |page| {
                done += page.len() as u64;
                for row in page {
                    let line = u64::try_from(row.row).unwrap_or(0);
                    if let Err(e) = replayer.record(line, row.request) {
                        failure = Some(e);
                        return false;
                    }
                }
                if let Some(p) = progress.as_mut() {
                    p(dto::ReplayProgress {
                        run_id,
                        done,
                        total,
                    });
                }
                true
            })?;
            if let Some(e) = failure {
                return Err(e.into());
            }
            Ok(replayer.finish()?)
        })();
        let replayed = match outcome {
            Ok(r) => r,
            Err(e) => {
                let e = store_error.take().unwrap_or(e);
                let status = if e.code == ErrorCode::Cancelled {
                    "cancelled"
                } else {
                    "failed"
                };
                // The run's own error matters more than a failure to record its end.
                let _ = writer.end_run(run_id, status);
                return Err(e);
            }
        };
        writer.insert_results(run_id, &pending)?;
        let digest = format!("sha256:{:x}", hasher.finalize());
        let internal = |e: serde_json::Error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot encode a run: {e}"),
                None,
            )
        };
        let summary = serde_json::to_string(&replayed.summary).map_err(internal)?;
        let report = serde_json::to_string(&replayed.report).map_err(internal)?;
        writer.complete_run(run_id, &summary, &report, &digest)?;
        self.replay_run(run_id)
    }

    /// [`Session::replay_set`] as the app asks for it: stoppable through `cancel`, with
    /// progress, without a per-result callback.
    pub fn run_replay(
        &self,
        request: &dto::ReplayRequest,
        actor: &str,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(dto::ReplayProgress),
    ) -> ApiResult<dto::ReplayRun> {
        let blank = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        let opts = ReplayOptions {
            set: request.set.clone(),
            baseline: blank(&request.baseline),
            candidate: blank(&request.candidate),
            since: blank(&request.since),
            until: blank(&request.until),
        };
        self.replay_set(
            &opts,
            actor,
            ReplayHooks {
                each: None,
                progress: Some(progress),
                cancel: Some(cancel),
            },
        )
    }

    /// The stored runs, newest first.
    pub fn replay_runs(&self) -> ApiResult<Vec<dto::ReplayRun>> {
        self.db()?
            .replay_runs(runs::KEEP_RUNS as u32)?
            .into_iter()
            .map(run_dto)
            .collect()
    }

    /// One stored run.
    pub fn replay_run(&self, id: i64) -> ApiResult<dto::ReplayRun> {
        match self.db()?.replay_run(id)? {
            Some(run) => run_dto(run),
            None => Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no replay run {id}"),
                Some("runs are kept for the last 20 replays; run it again"),
            )),
        }
    }

    /// A page of a run's results, in the set's order.
    pub fn replay_results(
        &self,
        run_id: i64,
        filter: &dto::ResultFilter,
        offset: u64,
        limit: u32,
    ) -> ApiResult<dto::ResultPage> {
        let db = self.db()?;
        let Some(run) = db.replay_run(run_id)? else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no replay run {run_id}"),
                Some("runs are kept for the last 20 replays; run it again"),
            ));
        };
        // The run's request count spares counting an unfiltered page; only the summary is
        // read (the report can be large).
        let known_total = run
            .summary
            .as_deref()
            .filter(|_| run.status == "complete")
            .and_then(|t| serde_json::from_str::<dto::SimulateSummary>(t).ok())
            .map(|s| s.requests);
        let query = ResultQuery {
            changed_only: filter.changed_only,
            errors_only: filter.errors_only,
            search: filter.search.as_deref(),
        };
        let (total, records) =
            db.replay_results(run_id, &query, offset, limit.min(MAX_PAGE), known_total)?;
        let acknowledged = self.acknowledged_groups(run_id)?;
        let rows = records
            .into_iter()
            .map(|r| {
                let baseline = side_json(&r.baseline)?;
                let candidate = side_json(&r.candidate)?;
                let group = crate::review::group_key(&r.action, &baseline, &candidate);
                Ok(dto::ResultRow {
                    acknowledged: r.changed && acknowledged.contains(&group),
                    seq: r.seq,
                    principal: r.principal,
                    action: r.action,
                    resource: r.resource,
                    time: r.time,
                    recorded: r.recorded,
                    baseline,
                    candidate,
                    changed: r.changed,
                    id: r.rid,
                })
            })
            .collect::<ApiResult<_>>()?;
        Ok(dto::ResultPage {
            total,
            offset,
            rows,
        })
    }

    /// The side-by-side explanation of one result of a stored run, on the run's sides as they
    /// are now (a working-copy candidate is the working copy today).
    pub fn explain_result(&self, run_id: i64, seq: i64) -> ApiResult<dto::ExplainPair> {
        let run = self.replay_run(run_id)?;
        let Some(result) = self.db()?.replay_result(run_id, seq)? else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("replay run {run_id} has no result {seq}"),
                Some("pick a row of the run's results"),
            ));
        };
        let candidate = (run.candidate != WORKING_COPY).then_some(run.candidate.as_str());
        self.explain_request(&run.set, &result.rid, Some(&run.baseline), candidate)
    }

    /// A stored run's report as one self-contained HTML page.
    pub fn replay_run_html(&self, run_id: i64) -> ApiResult<String> {
        let run = self.replay_run(run_id)?;
        let mut rows = Vec::new();
        let mut bad = None;
        self.db()?.for_each_changed_result(run_id, |r| {
            if rows.len() >= crate::replay::html::MAX_CHANGED_ROWS {
                return;
            }
            match (side_json(&r.baseline), side_json(&r.candidate)) {
                (Ok(baseline), Ok(candidate)) => rows.push(super::ChangedRow {
                    id: r.rid,
                    principal: r.principal,
                    action: r.action,
                    resource: r.resource,
                    baseline,
                    candidate,
                }),
                (Err(e), _) | (_, Err(e)) => bad = Some(e),
            }
        })?;
        if let Some(e) = bad {
            return Err(e);
        }
        Ok(super::replay_html(
            &run_header(&run),
            &dto::Replayed {
                summary: run.summary.clone(),
                report: run.report.clone(),
            },
            &rows,
            None,
        ))
    }

    /// The workspace's schema for a replay.
    pub(super) fn replay_schema(&self) -> ApiResult<cedar_policy::Schema> {
        let text = self.guarded_schema_text()?;
        Ok(cedar_policy::Schema::from_cedarschema_str(&text)
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::PolicyInvalid,
                    format!("the schema does not parse: {e}"),
                    Some("run `mandate validate`"),
                )
            })?
            .0)
    }

    /// The inventory's entities, checked against `schema`.
    pub(super) fn replay_entities(
        &self,
        schema: &cedar_policy::Schema,
    ) -> ApiResult<cedar_policy::Entities> {
        cedar_policy::Entities::from_json_value(self.entities()?, Some(schema)).map_err(|e| {
            ApiError::new(
                ErrorCode::InventoryInvalid,
                format!("the inventory's entities do not load: {e}"),
                Some("run `mandate check`"),
            )
        })
    }

    /// The workspace's policies as they are on disk; refused when they have errors.
    pub(super) fn working_copy(&self) -> ApiResult<cedar_policy::PolicySet> {
        let report = self.check_policies(policy::read_sources(self.root()));
        refuse_errors("the working copy's policies", report)
    }

    /// A side given as `git:REV` or a path (file or folder of `.cedar` files).
    pub(super) fn side(&self, which: &str, spec: &str) -> ApiResult<cedar_policy::PolicySet> {
        if let Some(set) = self.bundle_side(which, spec) {
            return set;
        }
        if let Some(rev) = spec.strip_prefix("git:") {
            let sources = self.policies_at(rev)?;
            let report = policy::Checker::default().check(
                sources,
                &policy::Settings {
                    namespace: Some(&self.workspace.config().namespace),
                    ..policy::Settings::default()
                },
            );
            return refuse_errors(&format!("the policies at `{spec}`"), report);
        }
        Ok(crate::replay::simulate::load_policies(
            std::path::Path::new(spec),
        )?)
    }

    /// `policies/**/*.cedar` and `policies/links.toml` as they were at git revision `rev`.
    fn policies_at(&self, rev: &str) -> ApiResult<Sources> {
        let git = |args: &[&str]| -> ApiResult<String> {
            let out = Command::new("git")
                .arg("-C")
                .arg(self.root())
                .args(args)
                .output()
                .map_err(|e| {
                    ApiError::new(
                        ErrorCode::Io,
                        format!("cannot run git: {e}"),
                        Some("install git, or give the baseline as a policy folder"),
                    )
                })?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                return Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("git {}: {}", args.join(" "), err.trim()),
                    Some("`git:REV` needs the workspace in a git repository and a revision that exists (e.g. `git:HEAD`, `git:main~3`); or give a policy folder"),
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let listing = git(&["ls-tree", "-r", "--name-only", rev, "--", "policies"])?;
        let mut sources = Sources::default();
        for rel in listing.lines() {
            let is_links = rel == policy::LINKS_FILE;
            if !(rel.ends_with(".cedar") || is_links) {
                continue;
            }
            let text = git(&["show", &format!("{rev}:./{rel}")])?;
            if is_links {
                sources.links = Some(text);
            } else {
                sources.files.push((rel.to_owned(), text));
            }
        }
        Ok(sources)
    }
}

pub(super) fn refuse_errors(
    what: &str,
    report: policy::PolicyReport,
) -> ApiResult<cedar_policy::PolicySet> {
    if report.error_count() == 0 {
        return Ok(report.set);
    }
    Err(ApiError {
        code: ErrorCode::PolicyInvalid,
        message: format!("{what} have {} error(s)", report.error_count()),
        help: Some("fix them first; a replay needs both sides to load".into()),
        diagnostics: report
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .collect(),
    })
}

/// RFC 3339, or `N` followed by `d`, `h` or `m` back from now; as stored (UTC, millis).
pub(super) fn time_bound(flag: &str, s: &str) -> ApiResult<String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    // The unit is the last character, which need not be one byte; a span too large for a
    // date is not a span (fuzzing found the panics: `7é`, `100000000d`).
    let (n, unit) = s.split_at(s.char_indices().last().map_or(0, |(i, _)| i));
    let span = n.parse::<i64>().ok().and_then(|n| match unit {
        "d" => Duration::try_days(n),
        "h" => Duration::try_hours(n),
        "m" => Duration::try_minutes(n),
        _ => None,
    });
    match span.and_then(|d| Utc::now().checked_sub_signed(d)) {
        Some(t) => Ok(t.to_rfc3339_opts(SecondsFormat::Millis, true)),
        None => Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("{flag} `{s}` is neither an RFC 3339 time nor a span like `7d`"),
            Some("e.g. `2026-05-01T00:00:00Z`, `7d`, `12h`, `30m`"),
        )),
    }
}

/// `sha256:` over a policy set's ids and texts (templates included), in id order.
pub(crate) fn policy_digest(set: &cedar_policy::PolicySet) -> String {
    let mut items: Vec<(String, String)> = set
        .policies()
        .map(|p| (p.id().to_string(), p.to_string()))
        .chain(set.templates().map(|t| (t.id().to_string(), t.to_string())))
        .collect();
    items.sort_unstable();
    let mut hasher = Sha256::new();
    for (id, text) in items {
        hasher.update(id.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    format!("sha256:{:x}", hasher.finalize())
}

fn uid_text((ty, id): &(String, String)) -> String {
    format!("{ty}::{id:?}")
}

fn result_record(seq: i64, item: &ResultItem<'_>) -> std::io::Result<ResultRecord> {
    let json = |s: &dto::SideResult| serde_json::to_string(s).map_err(std::io::Error::other);
    let r = item.result;
    Ok(ResultRecord {
        seq,
        rid: r.id.clone(),
        principal: uid_text(&item.request.principal),
        action: item.request.action.1.clone(),
        resource: uid_text(&item.request.resource),
        time: item.request.time.clone(),
        recorded: r.recorded.clone(),
        baseline: json(&r.baseline)?,
        candidate: json(&r.candidate)?,
        changed: r.changed,
        errors: !(r.baseline.errors.is_empty() && r.candidate.errors.is_empty()),
    })
}

pub(super) fn side_json(text: &str) -> ApiResult<dto::SideResult> {
    serde_json::from_str(text).map_err(|e| {
        ApiError::new(
            ErrorCode::Store,
            format!("a stored replay result does not read back: {e}"),
            Some("delete `.mandate/` to start the recorded data afresh"),
        )
    })
}

fn run_dto(run: StoredRun) -> ApiResult<dto::ReplayRun> {
    fn parse<T: serde::de::DeserializeOwned + Default>(text: Option<&str>) -> ApiResult<T> {
        text.map_or_else(
            || Ok(T::default()),
            |t| {
                serde_json::from_str(t).map_err(|e| {
                    ApiError::new(
                        ErrorCode::Store,
                        format!("a stored replay run does not read back: {e}"),
                        Some("delete `.mandate/` to start the recorded data afresh"),
                    )
                })
            },
        )
    }
    let status = match run.status.as_str() {
        "running" => dto::ReplayRunStatus::Running,
        "complete" => dto::ReplayRunStatus::Complete,
        "cancelled" => dto::ReplayRunStatus::Cancelled,
        _ => dto::ReplayRunStatus::Failed,
    };
    Ok(dto::ReplayRun {
        id: run.id,
        summary: parse(run.summary.as_deref())?,
        report: parse(run.report.as_deref())?,
        set: run.set,
        baseline: run.baseline,
        candidate: run.candidate,
        since: run.since,
        until: run.until,
        baseline_digest: run.baseline_digest,
        candidate_digest: run.candidate_digest,
        actor: run.actor,
        started_at: run.started_at,
        completed_at: run.completed_at,
        status,
        digest: run.digest,
    })
}

/// The title and facts of a stored run's report.
pub fn run_header(run: &dto::ReplayRun) -> super::ReportHeader {
    let mut facts = vec![
        ("request set".to_owned(), run.set.clone()),
        ("baseline".to_owned(), run.baseline.clone()),
        ("candidate".to_owned(), run.candidate.clone()),
    ];
    if run.since.is_some() || run.until.is_some() {
        facts.push((
            "window".to_owned(),
            format!(
                "{} – {}",
                run.since.as_deref().unwrap_or("…"),
                run.until.as_deref().unwrap_or("…")
            ),
        ));
    }
    facts.push((
        "run".to_owned(),
        format!("{} by {} at {}", run.id, run.actor, run.started_at),
    ));
    if let Some(d) = &run.digest {
        facts.push(("result digest".to_owned(), d.clone()));
    }
    super::ReportHeader {
        title: format!("Replay of `{}`", run.set),
        facts,
    }
}

// Sides with where each policy is, for `mandate explain`: the loaders above, keeping the
// whole check instead of only the set.
impl Session {
    /// The working copy's policies, located; refused when they have errors.
    pub(super) fn located_working_copy(&self) -> ApiResult<LocatedPolicies> {
        let report = self.check_policies(policy::read_sources(self.root()));
        refuse_located_errors("the working copy's policies", report)
    }

    /// A side given as `git:REV` or a path, located (workspace-relative paths for `git:REV`,
    /// paths as given otherwise).
    pub(super) fn located_side(&self, which: &str, spec: &str) -> ApiResult<LocatedPolicies> {
        if let Some(found) = self.bundle_side_report(which, spec) {
            let (report, label) = found?;
            return refuse_located_errors(&format!("the policies of {label}"), report);
        }
        let Some(rev) = spec.strip_prefix("git:") else {
            return Ok(crate::replay::explain::load_located(std::path::Path::new(
                spec,
            ))?);
        };
        let report = policy::Checker::default().check(
            self.policies_at(rev)?,
            &policy::Settings {
                namespace: Some(&self.workspace.config().namespace),
                ..policy::Settings::default()
            },
        );
        refuse_located_errors(&format!("the policies at `{spec}`"), report)
    }
}

fn refuse_located_errors(what: &str, report: policy::PolicyReport) -> ApiResult<LocatedPolicies> {
    let located = LocatedPolicies::from_report(&report);
    refuse_errors(what, report)?;
    Ok(located)
}
