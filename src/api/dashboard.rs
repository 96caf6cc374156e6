//! The Dashboard's cards, one call each, so that a slow card (traffic and coverage read every
//! recorded request) never holds up the others: small summaries of insights, coverage, the
//! last replay, open reviews and bundles awaiting approvals, and the last published bundle.
//!
//! Each is computed by the api the full page uses (insights and coverage reuse the session's
//! caches, so opening the full page after the Dashboard is instant, and the other way round)
//! and cut down to what a card shows: the shells never ship a whole report to draw a number.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::bundles::{BUNDLES_DIR, DRAFTS_DIR};
use super::{dto, ApiResult, OperationHooks, Session};
use crate::insights::Level;
use crate::store::runs::KEEP_RUNS;

/// Finding codes shown by name on the traffic card.
const TOP_CODES: usize = 3;

/// How many findings there are at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LevelCount {
    pub level: Level,
    #[ts(type = "number")]
    pub findings: u64,
}

/// A finding code and how many findings have it, with its worst level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopFinding {
    pub code: String,
    pub level: Level,
    #[ts(type = "number")]
    pub findings: u64,
}

/// The traffic insights card: the newest request set, analysed as the Insights page does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardTraffic {
    /// The set analysed (the one imported last); `None` when nothing was imported.
    pub set: Option<String>,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub denies: u64,
    #[ts(type = "number")]
    pub agents: u64,
    #[ts(type = "number")]
    pub tasks: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    #[ts(type = "number")]
    pub findings: u64,
    /// Critical first; every level, zero included.
    pub by_level: Vec<LevelCount>,
    /// The codes with the worst findings, then the most (up to three).
    pub top: Vec<TopFinding>,
}

/// One framework's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardFramework {
    pub id: String,
    pub short_title: String,
    /// `implemented / applicable` in percent.
    pub percent: f64,
    pub implemented: u32,
    pub partial: u32,
    pub applicable: u32,
}

/// The framework coverage card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardCoverage {
    pub frameworks: Vec<DashboardFramework>,
    /// What keeps coverage from being whole (the Frameworks page lists them).
    #[ts(type = "number")]
    pub gaps: u64,
    /// The request set whose traffic counts as evidence, if any.
    pub traffic_set: Option<String>,
}

/// A replay run as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardRun {
    #[ts(type = "number")]
    pub id: i64,
    pub set: String,
    pub baseline: String,
    pub candidate: String,
    pub actor: String,
    pub started_at: String,
    pub completed_at: Option<String>,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub allow_to_deny: u64,
    #[ts(type = "number")]
    pub deny_to_allow: u64,
    #[ts(type = "number")]
    pub new_errors: u64,
}

/// The last replay card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardReplay {
    /// The newest run that completed; `None` when none has.
    pub run: Option<DashboardRun>,
    /// Whether any traffic was imported (without, import before replaying).
    pub has_traffic: bool,
}

/// An open review (no verdict yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardReview {
    pub name: String,
    #[ts(type = "number")]
    pub run_id: i64,
    pub set: String,
    #[ts(type = "number")]
    pub changed: u64,
    /// Groups of changed decisions not acknowledged yet.
    #[ts(type = "number")]
    pub unacknowledged: u64,
    pub opened_by: String,
    pub opened_at: String,
    /// The candidate's policies changed since it was opened: it cannot be approved.
    pub stale: bool,
}

/// A built bundle (under `.mandate/drafts/`) not published, short of signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftAwaiting {
    pub version: String,
    /// Relative to the workspace, as the Publish page's Open takes it.
    pub path: String,
    pub author: String,
    pub created_at: String,
    /// Signed by its author with a trusted key.
    pub signed: bool,
    pub approvals: u32,
    /// What its scope needs (the `[gates]` of `mandate.toml` when it was built).
    pub required: u32,
}

/// The open reviews and pending approvals card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardReviews {
    /// Newest first.
    pub open: Vec<DashboardReview>,
    /// Newest version first.
    pub awaiting: Vec<DraftAwaiting>,
    /// Drafts that could not be read, each `path: problem`.
    pub problems: Vec<String>,
}

/// The last published bundle card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DashboardBundle {
    /// The newest published bundle, verified.
    pub last: Option<dto::BundleEntry>,
    pub published: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Session {
    /// The traffic card: insights over the set imported last (the Insights page's default
    /// report, from the session's cache when nothing changed).
    pub fn dashboard_traffic(&self) -> ApiResult<DashboardTraffic> {
        self.dashboard_traffic_with(OperationHooks::default())
    }

    /// [`Session::dashboard_traffic`] with the insights analysis's progress, stopped by
    /// `hooks.cancel` (`cancelled`).
    pub fn dashboard_traffic_with(&self, hooks: OperationHooks<'_>) -> ApiResult<DashboardTraffic> {
        // The sets table is small; listing the sets would count their requests.
        if self.db()?.newest_request_set()?.is_none() {
            return Ok(DashboardTraffic::default());
        }
        let report = self.insights_with(&dto::InsightsQuery::default(), hooks)?;
        let levels = [Level::Critical, Level::High, Level::Medium, Level::Low];
        let by_level = levels
            .iter()
            .map(|&level| LevelCount {
                level,
                findings: report.findings.iter().filter(|f| f.level == level).count() as u64,
            })
            .collect();
        let mut top: Vec<TopFinding> = report
            .by_code
            .iter()
            .map(|c| TopFinding {
                level: report
                    .findings
                    .iter()
                    .filter(|f| f.code == c.code)
                    .map(|f| f.level)
                    .max()
                    .unwrap_or(Level::Low),
                code: c.code.clone(),
                findings: c.findings,
            })
            .collect();
        top.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then(b.findings.cmp(&a.findings))
                .then(a.code.cmp(&b.code))
        });
        top.truncate(TOP_CODES);
        Ok(DashboardTraffic {
            set: Some(report.set.clone()),
            requests: report.requests,
            denies: report.denies,
            agents: report.agents,
            tasks: report.tasks,
            first_seen: report.first_seen.clone(),
            last_seen: report.last_seen.clone(),
            findings: report.findings.len() as u64,
            by_level,
            top,
        })
    }

    /// The coverage card: each framework's percentage, as the Frameworks page computes it.
    pub fn dashboard_coverage(&self) -> ApiResult<DashboardCoverage> {
        self.dashboard_coverage_with(OperationHooks::default())
    }

    /// [`Session::dashboard_coverage`] with the computation's progress, stopped by
    /// `hooks.cancel` (`cancelled`).
    pub fn dashboard_coverage_with(
        &self,
        hooks: OperationHooks<'_>,
    ) -> ApiResult<DashboardCoverage> {
        let report = self.coverage_with(None, hooks)?;
        Ok(DashboardCoverage {
            frameworks: report
                .frameworks
                .iter()
                .map(|f| DashboardFramework {
                    id: f.id.clone(),
                    short_title: f.short_title.clone(),
                    percent: f.percent,
                    implemented: f.implemented,
                    partial: f.partial,
                    applicable: f.applicable,
                })
                .collect(),
            gaps: report.gaps.len() as u64,
            traffic_set: report.traffic_set,
        })
    }

    /// The last replay card: the newest run that completed, with its changed decisions.
    pub fn dashboard_replay(&self) -> ApiResult<DashboardReplay> {
        let db = self.db()?;
        let has_traffic = db.newest_request_set()?.is_some();
        let runs = db.replay_runs(u32::try_from(KEEP_RUNS).unwrap_or(20))?;
        let run = runs
            .into_iter()
            .find(|r| r.status == "complete")
            .map(|r| -> ApiResult<DashboardRun> {
                // Only the summary is read: the report can be large.
                let summary: dto::SimulateSummary = match r.summary.as_deref() {
                    Some(t) => serde_json::from_str(t).map_err(|e| {
                        super::ApiError::new(
                            crate::error::ErrorCode::Store,
                            format!("replay run {} does not read back: {e}", r.id),
                            Some("replay again; `.mandate/` holds only recorded data and can be deleted"),
                        )
                    })?,
                    None => dto::SimulateSummary::default(),
                };
                Ok(DashboardRun {
                    id: r.id,
                    set: r.set,
                    baseline: r.baseline,
                    candidate: r.candidate,
                    actor: r.actor,
                    started_at: r.started_at,
                    completed_at: r.completed_at,
                    requests: summary.requests,
                    changed: summary.changed,
                    allow_to_deny: summary.allow_to_deny,
                    deny_to_allow: summary.deny_to_allow,
                    new_errors: summary.new_errors,
                })
            })
            .transpose()?;
        Ok(DashboardReplay { run, has_traffic })
    }

    /// The reviews card: reviews without a verdict, and built bundles not yet published that
    /// lack their author's signature or approvals.
    pub fn dashboard_reviews(&self) -> ApiResult<DashboardReviews> {
        let mut open: Vec<DashboardReview> = self
            .reviews()?
            .into_iter()
            .filter(|r| r.verdict.is_none())
            .map(|r| DashboardReview {
                name: r.name,
                run_id: r.record.run_id,
                set: r.record.set,
                changed: r.record.changed,
                unacknowledged: r.unacknowledged,
                opened_by: r.record.opened_by,
                opened_at: r.record.opened_at,
                stale: r.stale,
            })
            .collect();
        open.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(a.name.cmp(&b.name)));

        let mut awaiting = Vec::new();
        let mut problems = Vec::new();
        for entry in self.dir_entries(DRAFTS_DIR)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let rel = format!("{DRAFTS_DIR}/{name}");
            // Half-written builds and stray files are not drafts.
            if name.starts_with('.') || !(path.is_dir() || name.ends_with(".mandate-bundle")) {
                continue;
            }
            let view = match self.bundle_view(&path) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{rel}: {}", e.message));
                    continue;
                }
            };
            let version = view.manifest.version.clone();
            let published = self.root().join(BUNDLES_DIR).join(&version);
            if published.is_dir() {
                continue;
            }
            let signed = view.verification.author.as_ref().is_some_and(|a| a.valid);
            let required = view.required_approvals;
            let approvals = view.verification.valid_approvals;
            if signed && approvals >= required {
                continue;
            }
            awaiting.push(DraftAwaiting {
                version,
                path: rel,
                author: view.manifest.author.name.clone(),
                created_at: view.manifest.created_at.clone(),
                signed,
                approvals,
                required,
            });
        }
        awaiting.sort_by(|a, b| {
            let v = |s: &str| semver::Version::parse(s).ok();
            v(&b.version)
                .cmp(&v(&a.version))
                .then(b.version.cmp(&a.version))
        });
        Ok(DashboardReviews {
            open,
            awaiting,
            problems,
        })
    }

    /// The bundle card: the newest published bundle, verified, and how many there are.
    pub fn dashboard_bundle(&self) -> ApiResult<DashboardBundle> {
        let all = self.bundles()?;
        Ok(DashboardBundle {
            published: count(all.len()),
            last: all.into_iter().next(),
        })
    }
}
