//! Fuzz harnesses: one function per `cargo fuzz` target (`fuzz/fuzz_targets/`), each feeding
//! arbitrary bytes through the code that reads untrusted input — the recorded-request
//! importers, the inventory TOML loader and its checks, the bundle reader and verifier, and
//! the DTOs the webview sends over IPC.
//!
//! They live in the core so that `cargo test` on stable replays the committed corpora through
//! exactly the code the fuzzer ran (`tests/fuzz_corpus.rs`), and under `api` because they
//! reach into several domain modules, which must not call each other's entry points for the
//! shells. No harness needs a workspace on disk: imports go to an in-memory database, zips
//! are read from memory. A harness returns an [`Outcome`] so the replay test can tell that a
//! corpus still reaches the real code; the fuzz targets ignore it.
//!
//! A harness never panics on its own account: a panic is a finding. Besides crashes, a few
//! properties the app relies on are asserted (each `assert!` says which), so the fuzzer
//! reports their violation as it would a crash.

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::dto;
use crate::bundle::{archive, evidence, verify, Files};
use crate::inventory::checks::{self, CheckContext};
use crate::inventory::{self, lifecycle, Agent, Sources};
use crate::replay::import::{self, ImportOptions};
use crate::store::Db;

/// What one input did: enough for the corpus replay to check it is not vacuous.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// What the input yielded: requests kept, agents and records loaded, bundle files read,
    /// DTOs deserialised.
    pub accepted: usize,
    /// Problems reported: bad records, diagnostics and findings, refusals, rejected DTOs.
    pub problems: usize,
}

impl Outcome {
    fn problem() -> Self {
        Self {
            accepted: 0,
            problems: 1,
        }
    }
}

/// The namespace unqualified entity types get, as in the demo workspace.
const NAMESPACE: &str = "Acme";

/// Recorded requests: the bytes are a file to import (JSON Lines, a JSON array, a Cedar CLI
/// request, a Cedar integration-test file or a Cedarling log), imported into an empty
/// in-memory database, then imported again, strictly, into the same set.
pub fn requests(data: &[u8]) -> Outcome {
    thread_local! {
        // Opening a database (its migrations) took two thirds of each run: one per thread,
        // emptied after every input, is as good as a new one and much faster.
        static DB: RefCell<Option<Db>> = const { RefCell::new(None) };
    }
    DB.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = Db::open_in_memory().ok();
        }
        let Some(db) = slot.as_mut() else {
            return Outcome::default();
        };
        let outcome = import_twice(db, data);
        let emptied = db.conn().execute_batch(
            "DELETE FROM requests; DELETE FROM request_imports; DELETE FROM request_sets;",
        );
        if emptied.is_err() {
            *slot = None;
        }
        outcome
    })
}

fn import_twice(db: &mut Db, data: &[u8]) -> Outcome {
    let opts = ImportOptions {
        set: "fuzz",
        namespace: NAMESPACE,
        strict: false,
        // Small, so a few records already span batches and transactions.
        batch: 16,
        cancel: None,
    };
    let mut import = |opts: &ImportOptions<'_>| {
        let input = Box::new(std::io::Cursor::new(data.to_vec()));
        import::import_reader(
            db,
            input,
            "fuzz.jsonl",
            data.len() as u64,
            opts,
            &mut |_| {},
        )
    };
    let first = match import(&opts) {
        Ok(s) => s,
        // Unreadable input (not UTF-8 in JSON Lines) fails the whole import: nothing kept.
        Err(_) => return Outcome::problem(),
    };
    let strict = ImportOptions {
        strict: true,
        ..opts
    };
    if let Ok(again) = import(&strict) {
        // DESIGN.md §4: re-importing a record already in the set is a no-op.
        assert_eq!(again.kept, 0, "a re-import kept new records: {again:?}");
        assert_eq!(
            again.skipped, first.skipped,
            "a re-import skipped differently"
        );
        if !again.failed_strict {
            assert_eq!(again.duplicates, first.kept + first.duplicates);
        }
    }
    let stored = db
        .request_sets()
        .ok()
        .and_then(|sets| sets.first().map(|s| s.requests))
        .unwrap_or(0);
    assert_eq!(
        u64::try_from(stored).ok(),
        Some(first.kept),
        "the set does not hold what the import kept"
    );
    Outcome {
        accepted: usize::try_from(first.kept).unwrap_or(usize::MAX),
        problems: usize::try_from(first.skipped).unwrap_or(usize::MAX),
    }
}

/// Inventory files: the first byte picks what the rest is — `a` an agent file, `p`
/// `people.toml`, `r` `resources.toml`, `w` a whole inventory (people, resources, one
/// policy text, then agent files, separated by NUL) — and the loader's result goes through
/// every accountability check.
pub fn inventory(data: &[u8]) -> Outcome {
    let Some((&kind, rest)) = data.split_first() else {
        return Outcome::default();
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let mut sources = Sources::default();
    let mut policies = Vec::new();
    match kind {
        b'a' => sources.agents.push((inventory::agent_path("fuzz"), text)),
        b'p' => sources.people = Some(text),
        b'r' => sources.resources = Some(text),
        _ => {
            let mut parts = text.split('\0');
            sources.people = parts.next().map(str::to_owned);
            sources.resources = parts.next().map(str::to_owned);
            if let Some(policy) = parts.next() {
                policies.push(("policies/fuzz.cedar".to_owned(), policy.to_owned()));
            }
            sources.agents = parts
                .enumerate()
                .map(|(i, t)| (inventory::agent_path(&format!("a{i}")), t.to_owned()))
                .collect();
        }
    }
    let (inv, diagnostics) = inventory::load_sources(sources);
    let ctx = CheckContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
        ceilings: crate::workspace::TtlCeilings::default(),
        policies: &policies,
        namespace: NAMESPACE,
    };
    let findings = checks::check(&inv, &ctx);
    for record in &inv.agents {
        agent_draft(&record.agent);
    }
    Outcome {
        accepted: inv.agents.len()
            + inv.people.humans.len()
            + inv.people.teams.len()
            + inv.resources.tools.len()
            + inv.resources.datasets.len(),
        problems: diagnostics.len() + findings.len(),
    }
}

/// A bundle: the bytes are a zip (`.mandate-bundle`) read as `bundle verify` reads one, with
/// its refusals of hostile archives, then verified against no trusted keys (which still
/// checks every hash and signature) and its evidence parsed as `bundle show` parses it. A
/// first byte of 0 skips the zip layer: the rest is `name NUL content NUL …`, so the fuzzer
/// reaches the manifest and signatures without having to deflate them.
pub fn bundle(data: &[u8]) -> Outcome {
    let files = match data.split_first() {
        Some((0, rest)) => files_of(rest),
        _ => {
            match archive::read_zip_bytes(data, "fuzz.mandate-bundle", &archive::Limits::default())
            {
                Ok(files) => files,
                Err(refused) => {
                    return Outcome {
                        accepted: 0,
                        problems: refused.len(),
                    }
                }
            }
        }
    };
    let v = verify::check(&files, &[]);
    let mut problems = v.integrity.len()
        + v.author.iter().filter(|a| !a.valid).count()
        + v.approvals.iter().filter(|a| !a.valid).count();
    let mut evidence_of = |rel: &str, parse: fn(&[u8]) -> bool| {
        if files.get(rel).is_some_and(|bytes| !parse(bytes)) {
            problems += 1;
        }
    };
    evidence_of(evidence::SCOPE, parses::<evidence::Scope>);
    evidence_of(evidence::VALIDATION, parses::<evidence::Validation>);
    evidence_of(evidence::REPLAY, parses::<evidence::Replay>);
    evidence_of(evidence::COVERAGE, parses::<evidence::Coverage>);
    evidence_of(evidence::REVIEW, parses::<evidence::ReviewRef>);
    evidence_of(
        evidence::ACKNOWLEDGEMENTS,
        parses::<evidence::Acknowledgements>,
    );
    evidence_of(evidence::ANALYSIS, parses::<evidence::Analysis>);
    Outcome {
        accepted: files.len(),
        problems,
    }
}

/// `name NUL content NUL name NUL content …` as bundle files.
fn files_of(data: &[u8]) -> Files {
    let mut parts = data.split(|b| *b == 0);
    let mut files = BTreeMap::new();
    while let (Some(name), Some(content)) = (parts.next(), parts.next()) {
        files.insert(String::from_utf8_lossy(name).into_owned(), content.to_vec());
    }
    files
}

fn parses<T: DeserializeOwned>(bytes: &[u8]) -> bool {
    serde_json::from_slice::<T>(bytes).is_ok()
}

/// The arguments of `agent_lifecycle`, as the webview sends them.
#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "deserialised as the command does; only `to` is checked"
)]
struct LifecycleArgs {
    id: String,
    to: dto::Lifecycle,
    reason: String,
}

/// The arguments of `ack_changes`.
#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "deserialised as the command does; nothing pure checks them"
)]
struct AckArgs {
    review: String,
    ids: Vec<String>,
    groups: Option<Vec<String>>,
    comment: String,
}

/// The arguments of `record_verdict`.
#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "deserialised as the command does; only `verdict` is checked"
)]
struct VerdictArgs {
    review: String,
    verdict: String,
    comment: String,
}

/// The arguments of `save_agent` and `validate_agent_draft`.
#[derive(Deserialize)]
#[expect(dead_code, reason = "create or update needs the workspace's inventory")]
struct AgentArgs {
    agent: Agent,
    create: bool,
}

/// How many argument types [`ipc`] chooses from.
const IPC_KINDS: u8 = 14;

/// IPC arguments: the first byte picks a command's argument type (`a` for the first below,
/// `b` for the second …, other bytes wrap around), the rest is the JSON the webview sends,
/// deserialised as Tauri does; what the api checks without a workspace is then checked.
pub fn ipc(data: &[u8]) -> Outcome {
    let Some((&kind, json)) = data.split_first() else {
        return Outcome::default();
    };
    let checked: Result<usize, serde_json::Error> = match kind.wrapping_sub(b'a') % IPC_KINDS {
        0 => from::<AgentArgs>(json).map(|a| agent_draft(&a.agent)),
        1 => from::<LifecycleArgs>(json).map(|a| lifecycle::next_states(a.to).len()),
        2 => from::<dto::TestRequest>(json)
            .map(|r| usize::from(serde_json::from_str::<serde_json::Value>(&r.context).is_err())),
        3 => from::<dto::ReplayRequest>(json).map(|r| bounds(r.since, r.until)),
        4 => from::<super::AnalyzeRequest>(json).map(|_| 0),
        5 => from::<super::AccessRequest>(json).map(|_| 0),
        6 => from::<dto::InsightsQuery>(json).map(|q| bounds(q.since, q.until)),
        7 => from::<Vec<dto::Mapping>>(json).map(|_| 0),
        8 => from::<dto::ExportRequest>(json).map(|_| 0),
        9 => from::<dto::ResultFilter>(json).map(|_| 0),
        10 => from::<AckArgs>(json).map(|_| 0),
        11 => from::<VerdictArgs>(json)
            .map(|a| usize::from(dto::VerdictKind::parse(&a.verdict).is_none())),
        12 => from::<dto::TrustKeyRequest>(json)
            .map(|r| usize::from(crate::bundle::sign::public_key(&r.key).is_err())),
        _ => from::<dto::BuildRequest>(json).map(|r| {
            let version = r.version.as_deref().map(semver::Version::parse);
            usize::from(version.is_some_and(|v| v.is_err()))
        }),
    };
    match checked {
        Ok(problems) => Outcome {
            accepted: 1,
            problems,
        },
        Err(_) => Outcome::problem(),
    }
}

fn from<T: DeserializeOwned>(json: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(json)
}

/// Problems with a time window as `run_replay` and `insights` read it.
fn bounds(since: Option<String>, until: Option<String>) -> usize {
    [("--since", since), ("--until", until)]
        .into_iter()
        .filter_map(|(flag, s)| s.map(|s| super::replay::time_bound(flag, &s)))
        .filter(Result::is_err)
        .count()
}

/// What `validate_agent_draft` checks of an agent without the rest of the inventory: a slug
/// id, and the file it would write loading without errors. Returns the problems.
fn agent_draft(agent: &Agent) -> usize {
    if !inventory::is_slug(&agent.id) {
        return 1;
    }
    save_reloads(agent)
}

/// Renders `agent` as its file and loads it back; returns the load's errors. A file that
/// loads without errors is what a save writes, so it must load back as the same agent.
fn save_reloads(agent: &Agent) -> usize {
    let Ok(text) = inventory::render_agent(agent) else {
        return 1;
    };
    let sources = Sources {
        agents: vec![(inventory::agent_path(&agent.id), text.clone())],
        ..Sources::default()
    };
    let (inv, problems) = inventory::load_sources(sources);
    let errors = problems
        .iter()
        .filter(|d| d.severity == dto::Severity::Error)
        .count();
    if errors == 0 {
        let back = inv.agents.first().map(|r| &r.agent);
        assert!(
            back == Some(agent),
            "a saved agent loads back differently:\n{text}\n{back:?}\n{agent:?}"
        );
    }
    errors
}
