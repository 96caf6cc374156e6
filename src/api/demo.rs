//! The demo organisation: `mandate demo DIR` writes a fresh copy of Acme's workspace with its
//! recorded traffic generated and imported; `mandate demo --traffic FILE` writes the traffic
//! alone (for `make run` and the tests, which keep their own copies).

use std::path::Path;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, ApiResult, Session};
use crate::demo::{self, traffic, DemoError};
use crate::error::ErrorCode;
use crate::replay::import::{self, ImportOptions};
use crate::store::NewAuditEntry;

pub use crate::demo::traffic::{
    Mistake as DemoMistake, Summary as TrafficSummary, DEFAULT_REQUESTS as DEMO_DEFAULT_REQUESTS,
    DEFAULT_SEED as DEMO_DEFAULT_SEED, MAX_REQUESTS as DEMO_MAX_REQUESTS,
};
pub use crate::demo::{
    PREVIOUS_REVISION as DEMO_PREVIOUS_REVISION, TRAFFIC_FILE as DEMO_TRAFFIC_FILE,
};

/// The request set `mandate demo` imports the traffic into unless told otherwise.
pub const DEMO_DEFAULT_SET: &str = "production";

impl From<DemoError> for ApiError {
    fn from(e: DemoError) -> Self {
        let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
        Self {
            code: e.error_code(),
            message: e.to_string(),
            help,
            diagnostics: Vec::new(),
        }
    }
}

/// What `mandate demo DIR` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Recorded requests to generate.
    pub requests: usize,
    pub seed: u64,
    /// The request set the traffic is imported into; `None` leaves it as a file (and makes no
    /// database).
    pub set: Option<String>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            requests: DEMO_DEFAULT_REQUESTS,
            seed: DEMO_DEFAULT_SEED,
            set: Some(DEMO_DEFAULT_SET.to_owned()),
        }
    }
}

/// What `mandate demo DIR` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoWritten {
    /// The workspace folder, as given.
    pub root: String,
    /// The workspace's name (`mandate.toml`).
    pub name: String,
    /// Files written from the binary (the traffic and the database besides).
    pub files: u64,
    pub agents: u64,
    pub teams: u64,
    pub humans: u64,
    pub tools: u64,
    pub datasets: u64,
    pub models: u64,
    /// Policies of the working copy (`policies/`), templates included, and template links.
    pub policies: u64,
    pub links: u64,
    /// The folder holding the revision production ran (a `simulate` / `analyze` side).
    pub previous_revision: String,
    /// The traffic file, workspace-relative.
    pub traffic_file: String,
    pub traffic: TrafficSummary,
    /// The request set the traffic was imported into, and how many records it kept.
    pub set: Option<String>,
    pub imported: Option<u64>,
}

fn check_requests(requests: usize) -> ApiResult<()> {
    if requests == 0 || requests > DEMO_MAX_REQUESTS {
        return Err(DemoError::Argument {
            what: "--requests",
            value: requests.to_string(),
        }
        .into());
    }
    Ok(())
}

/// Generates the demo's recorded traffic (deterministic from the seed) into `out`.
pub fn demo_traffic(
    requests: usize,
    seed: u64,
    out: &mut dyn std::io::Write,
) -> ApiResult<TrafficSummary> {
    check_requests(requests)?;
    let loaded = traffic::load()?;
    Ok(traffic::generate(
        &loaded,
        traffic::Options { requests, seed },
        out,
        "the traffic",
    )?)
}

/// Writes the demo's recorded traffic to `path`, atomically.
pub fn write_demo_traffic(path: &Path, requests: usize, seed: u64) -> ApiResult<TrafficSummary> {
    let mut bytes = Vec::new();
    let summary = demo_traffic(requests, seed, &mut bytes)?;
    crate::workspace::write_atomic(path, &bytes)?;
    Ok(summary)
}

/// Writes a fresh copy of the demo into `dir` (a new or empty folder): its files, its traffic
/// generated from the seed, and — with `opts.set` — the database with the traffic imported.
/// Everything is made in a staging folder beside `dir` and renamed into place at the end, so
/// a failure midway leaves `dir` as it was. Recorded in the new workspace's audit log.
pub fn write_demo(dir: &Path, opts: &DemoOptions, actor: &str) -> ApiResult<DemoWritten> {
    check_requests(opts.requests)?;
    if let Some(set) = &opts.set {
        super::requests::check_set_name(set)?;
    }
    demo::check_target(dir)?;
    let loaded = traffic::load()?;
    let staging = demo::staging_dir(dir)?;
    let root = staging.path();
    let files = demo::write_files(root)?;

    let traffic_path = root.join(demo::TRAFFIC_FILE);
    let write_error = |e: std::io::Error| -> ApiError {
        DemoError::Write {
            path: dir.join(demo::TRAFFIC_FILE).display().to_string(),
            message: e.to_string(),
        }
        .into()
    };
    let file = std::fs::File::create(&traffic_path).map_err(write_error)?;
    let mut out = std::io::BufWriter::new(file);
    let summary = traffic::generate(
        &loaded,
        traffic::Options {
            requests: opts.requests,
            seed: opts.seed,
        },
        &mut out,
        demo::TRAFFIC_FILE,
    )?;
    let file = out.into_inner().map_err(|e| write_error(e.into_error()))?;
    file.sync_all().map_err(write_error)?;
    drop(file);

    let session = Session::open(root)?;
    let validation = session.validate();
    let links = validation.links.len() as u64;
    let policies = u64::from(validation.policy_count).saturating_sub(links);
    let mut imported = None;
    if let Some(set) = &opts.set {
        let mut db = session.db()?;
        db.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "workspace.demo",
            subject: "workspace",
            before: None,
            after: Some(&json!({
                "requests": summary.requests, "seed": summary.seed,
            })),
        })?;
        let input = std::fs::File::open(&traffic_path).map_err(write_error)?;
        let bytes_total = input.metadata().map(|m| m.len()).unwrap_or(0);
        let namespace = session.workspace.config().namespace.clone();
        let done = import::import_reader(
            &mut db,
            Box::new(input),
            demo::TRAFFIC_FILE,
            bytes_total,
            &ImportOptions {
                set,
                namespace: &namespace,
                // Generated records are all good: a bad one is a defect, not data.
                strict: true,
                batch: import::DEFAULT_BATCH,
                cancel: None,
            },
            &mut |_| {},
        )?;
        if done.failed_strict || done.kept != summary.requests {
            return Err(ApiError::new(
                ErrorCode::Internal,
                format!(
                    "the demo traffic imported {} of {} records",
                    done.kept, summary.requests
                ),
                Some("a defect of the demo generator: report it with the seed and count"),
            ));
        }
        db.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action: "requests.import",
            subject: &format!("requests:{set}"),
            before: None,
            after: Some(&json!({
                "file": done.file, "format": done.format, "kept": done.kept,
                "duplicates": done.duplicates, "skipped": done.skipped,
                "failed_strict": done.failed_strict,
            })),
        })?;
        imported = Some(done.kept);
    }
    let name = session.info().name;
    drop(session);
    demo::commit(staging, dir)?;

    let inv = &loaded.inventory;
    let n = |x: usize| x as u64;
    Ok(DemoWritten {
        root: dir.display().to_string(),
        name,
        files: n(files),
        agents: n(inv.agents.len()),
        teams: n(inv.people.teams.len()),
        humans: n(inv.people.humans.len()),
        tools: n(inv.resources.tools.len()),
        datasets: n(inv.resources.datasets.len()),
        models: n(inv.resources.models.len()),
        policies,
        links,
        previous_revision: demo::PREVIOUS_REVISION.to_owned(),
        traffic_file: demo::TRAFFIC_FILE.to_owned(),
        traffic: summary,
        set: opts.set.clone(),
        imported,
    })
}
