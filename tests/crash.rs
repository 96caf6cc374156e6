//! Crash safety: the real CLI killed with SIGKILL at seeded random moments during
//! `requests import`, an inventory save (`agents set`) and `bundle publish`. After every
//! kill the workspace must be whole — the database passes `PRAGMA integrity_check`; a request
//! set is absent or complete; the agent file is the old or the new one, byte for byte; a
//! published bundle is absent or complete and verifies — and the interrupted command, run
//! again, must end exactly where an uninterrupted run ends.
//!
//! Each kill lands uniformly in [0, 1.1 × the time an uninterrupted run takes], so kills fall
//! during the work and not only at start-up. That time is measured first, then kept as the
//! median of every uninterrupted re-run, so a slow first run (a busy machine) does not push
//! the kills past the end. A publish spends nearly all its time in gates that write nothing,
//! so every other publish trial instead kills within its writes, timed from `bundles/`
//! appearing. `MANDATE_CRASH_TRIALS` sets the trials per operation (CI runs a few; `make
//! soak` runs 50) and `MANDATE_CRASH_SEED` the seed (decimal or `0x` hex), printed with
//! every tally so a failure can be replayed.
//!
//! A kill can leave a temporary file beside a workspace file (`.mandate-tmp-*`, from an
//! atomic write) or a temporary folder in `bundles/` (`.VERSION.tmp-*`). Neither is ever
//! read as a workspace file or a bundle (checked here). `bundle publish` sweeps its own
//! version's leftovers once the bundle is in place, because `bundles/` is committed; stray
//! `.mandate-tmp-*` files are not swept, since a sweep from one process could delete the
//! temporary file another process is about to rename into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{self, BundleFixture};

/// Copies of the demo's 5,000 recorded requests imported: about 1 s in a debug build on an idle
/// machine (0.4 s in release).
const IMPORT_COPIES: usize = 10;

/// splitmix64: tiny, seedable and the same everywhere.
struct Rng(u64);

impl Rng {
    /// A stream of its own per operation, so one operation's delays do not depend on how
    /// many trials another ran.
    fn new(seed: u64, operation: &str) -> Self {
        let salt = operation.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        Self(seed ^ salt)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn seed() -> u64 {
    match std::env::var("MANDATE_CRASH_SEED") {
        Ok(s) => {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            }
            .unwrap_or_else(|e| panic!("MANDATE_CRASH_SEED `{s}`: {e}"))
        }
        Err(_) => 0x006d_616e_6461_7465,
    }
}

/// `MANDATE_CRASH_TRIALS`, else `ci` (what CI runs).
fn trial_count(ci: usize) -> usize {
    std::env::var("MANDATE_CRASH_TRIALS")
        .ok()
        .map(|n| n.trim().parse().expect("MANDATE_CRASH_TRIALS is a number"))
        .unwrap_or(ci)
}

/// The trials of one operation: their delays and what each kill found.
struct Trials {
    operation: &'static str,
    seed: u64,
    count: usize,
    /// How long uninterrupted runs took: the first, then every re-run.
    runs: Vec<Duration>,
    rng: Rng,
    started: Instant,
    finished: usize,
    /// What the killed runs left, by kind.
    killed: BTreeMap<String, usize>,
}

impl Trials {
    fn new(operation: &'static str, ci: usize, first_run: Duration) -> Self {
        let seed = seed();
        Self {
            operation,
            seed,
            count: trial_count(ci),
            runs: vec![first_run],
            rng: Rng::new(seed, operation),
            started: Instant::now(),
            finished: 0,
            killed: BTreeMap::new(),
        }
    }

    /// The median uninterrupted run.
    fn one_run(&self) -> Duration {
        let mut runs = self.runs.clone();
        runs.sort();
        runs[runs.len() / 2]
    }

    /// Where the next kill lands.
    fn delay(&mut self) -> Duration {
        self.within(self.one_run())
    }

    /// Uniform in [0, 1.1 × `span`].
    fn within(&mut self, span: Duration) -> Duration {
        span.mul_f64(1.1 * self.rng.unit())
    }

    /// Records how long an uninterrupted re-run took.
    fn ran(&mut self, took: Duration) {
        self.runs.push(took);
    }

    /// Tallies a trial: `left` is what a killed run left behind.
    fn record(&mut self, run: Run, left: impl Into<String>) {
        match run {
            Run::Finished => self.finished += 1,
            Run::Killed => *self.killed.entry(left.into()).or_default() += 1,
        }
    }

    /// Names a trial in an assertion message.
    fn at(&self, trial: usize, kill: &str) -> String {
        format!(
            "{} trial {trial} (MANDATE_CRASH_SEED={:#x}, killed {kill})",
            self.operation, self.seed
        )
    }

    fn report(&self) {
        let killed: usize = self.killed.values().sum();
        let kinds: Vec<String> = self
            .killed
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!(
            "crash: {}: {} trial(s), seed {:#x}, median run {:.2} s: {} finished before the kill, \
             {killed} killed mid-operation ({}); {:.1} s",
            self.operation,
            self.count,
            self.seed,
            self.one_run().as_secs_f64(),
            self.finished,
            kinds.join(", "),
            self.started.elapsed().as_secs_f64()
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// The process exited (successfully) before the kill.
    Finished,
    Killed,
}

/// Starts `cmd`, kills it (SIGKILL) after `delay` unless it has exited by then.
fn kill_after(mut cmd: Command, delay: Duration, at: &str) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let run = match child.try_wait().unwrap() {
        Some(_) => Run::Finished,
        None => {
            // `Child::kill` is SIGKILL on unix: no handler, no cleanup, as in a crash.
            child.kill().unwrap();
            Run::Killed
        }
    };
    let out = child.wait_with_output().unwrap();
    if run == Run::Finished {
        assert!(
            out.status.success(),
            "{at}: failed on its own\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    run
}

/// Runs `cmd` to the end; it must succeed. Returns how long it took and its stdout.
fn run_ok(mut cmd: Command, what: &str) -> (Duration, String) {
    let started = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, stdout)
}

/// Stdout of a command that may exit 1 with findings, but not 2.
fn run_report(mut cmd: Command, what: &str) -> String {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cli(ws: &Path, args: &[&str]) -> Command {
    let mut cmd = support::mandate_process();
    cmd.current_dir(ws)
        .args(["--workspace", ws.to_str().unwrap()])
        .args(args);
    cmd
}

fn assert_intact(ws: &Path, at: &str) {
    if let Some(check) = support::integrity_check(ws) {
        assert_eq!(check, ["ok"], "{at}: PRAGMA integrity_check");
    }
}

fn sql<T: rusqlite::types::FromSql>(ws: &Path, query: &str) -> T {
    let conn = rusqlite::Connection::open(ws.join(".mandate/mandate.db")).unwrap();
    conn.query_row(query, [], |r| r.get(0)).unwrap()
}

/// Names of the temporary files (`.mandate-tmp-*`) anywhere under `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(mandate::workspace::TEMP_PREFIX)
        })
        .map(|e| e.path().to_path_buf())
        .collect()
}

// ---------------------------------------------------------------------------------------
// requests import

/// What a request set holds as a reader sees it: as `requests list` shows it (without the
/// creation time and the number of imports: a re-run after a completed import adds one, of
/// duplicates only), and a digest of every stored column of its visible rows in import order.
#[derive(Debug, PartialEq, Eq)]
struct VisibleSet {
    listed: Value,
    requests: usize,
    digest: String,
}

impl VisibleSet {
    fn read(ws: &Path, set: &str) -> Option<Self> {
        let (_, out) = run_ok(
            cli(ws, &["--format", "json", "requests", "list"]),
            "requests list",
        );
        let list: Value = serde_json::from_str(&out).unwrap();
        let mut listed = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == set)?
            .clone();
        let summary = listed.as_object_mut().unwrap();
        summary.remove("created_at");
        summary.remove("imports");
        let (requests, digest) = set_digest(ws, set);
        assert_eq!(
            listed["requests"], requests as u64,
            "`requests list` and the rows agree"
        );
        Some(Self {
            listed,
            requests,
            digest,
        })
    }
}

/// The visible rows of `set` (completed imports only), as stored, hashed in import order.
fn set_digest(ws: &Path, set: &str) -> (usize, String) {
    use sha2::Digest as _;
    let conn = rusqlite::Connection::open(ws.join(".mandate/mandate.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT key, rid, time, principal_type, principal_id, action_type, action_id,
                    resource_type, resource_id, context, entities, decision, reasons, task_id,
                    bundle, grade
             FROM requests r JOIN request_sets s ON s.id = r.set_id
             WHERE s.name = ?1
               AND r.import_id IN (SELECT id FROM request_imports WHERE completed_at IS NOT NULL)
             ORDER BY r.id",
        )
        .unwrap();
    let mut rows = stmt.query([set]).unwrap();
    let mut hash = sha2::Sha256::new();
    let mut count = 0;
    while let Some(row) = rows.next().unwrap() {
        for i in 0..16 {
            let cell: Option<String> = row.get(i).unwrap();
            match cell {
                Some(text) => {
                    hash.update([1]);
                    hash.update((text.len() as u64).to_le_bytes());
                    hash.update(text.as_bytes());
                }
                None => hash.update([0]),
            }
        }
        count += 1;
    }
    let digest = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    (count, digest)
}

#[test]
fn requests_import_killed_at_random_moments_never_shows_part_of_a_set() {
    let ws = support::demo();
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("traffic.jsonl");
    let total = support::demo_traffic(&file, IMPORT_COPIES);
    let file = file.to_str().unwrap();
    let import = || cli(ws.path(), &["requests", "import", file, "--set", "crash"]);
    let fresh = || {
        let _ = std::fs::remove_dir_all(ws.path().join(".mandate"));
    };

    // The reference: one uninterrupted import into a fresh database.
    fresh();
    let (took, _) = run_ok(import(), "the reference import");
    let reference = VisibleSet::read(ws.path(), "crash").unwrap();
    assert_eq!(reference.requests, total);

    let mut trials = Trials::new("requests import", 6, took);
    for trial in 0..trials.count {
        fresh();
        let delay = trials.delay();
        let at = trials.at(trial, &format!("at {delay:?}"));
        let run = kill_after(import(), delay, &at);
        assert_intact(ws.path(), &at);
        let left = match VisibleSet::read(ws.path(), "crash") {
            None => "with no set visible",
            Some(set) => {
                assert_eq!(set, reference, "{at}: a visible set is the whole set");
                "after the set was complete"
            }
        };
        trials.record(run, left);

        // Again, uninterrupted: the reference set, and nothing of the killed run left.
        let (took, _) = run_ok(import(), &format!("{at}: the re-run"));
        trials.ran(took);
        assert_intact(ws.path(), &at);
        assert_eq!(
            VisibleSet::read(ws.path(), "crash").as_ref(),
            Some(&reference),
            "{at}: the re-run's set"
        );
        let stored: i64 = sql(ws.path(), "SELECT count(*) FROM requests");
        let incomplete: i64 = sql(
            ws.path(),
            "SELECT count(*) FROM request_imports WHERE completed_at IS NULL",
        );
        assert_eq!(
            (stored, incomplete),
            (total as i64, 0),
            "{at}: the killed run's rows are gone"
        );
    }
    trials.report();
}

// ---------------------------------------------------------------------------------------
// inventory save

#[test]
fn an_agent_save_killed_at_random_moments_leaves_the_old_or_the_new_file() {
    let ws = support::demo();
    let agent = ws.path().join("inventory/agents/billing-bot.toml");
    let before = std::fs::read(&agent).unwrap();
    let set = || {
        cli(
            ws.path(),
            &[
                "agents",
                "set",
                "billing-bot",
                "purpose=Refunds duplicate charges under $500, crash-tested",
                "max_ttl_seconds=120",
                "step_up_actions=invoke_tool,request_credential",
            ],
        )
    };
    let check = || run_report(cli(ws.path(), &["--format", "json", "check"]), "check");
    let audited = || -> i64 {
        sql(
            ws.path(),
            "SELECT count(*) FROM audit_log WHERE subject = 'agent:billing-bot'",
        )
    };
    let check_before = check();
    // The reference: one uninterrupted save.
    let (took, _) = run_ok(set(), "the reference save");
    let after = std::fs::read(&agent).unwrap();
    assert_ne!(after, before);
    let check_after = check();

    let mut trials = Trials::new("inventory save (agents set)", 8, took);
    for trial in 0..trials.count {
        std::fs::write(&agent, &before).unwrap();
        let entries = audited();
        let delay = trials.delay();
        let at = trials.at(trial, &format!("at {delay:?}"));
        let run = kill_after(set(), delay, &at);
        assert_intact(ws.path(), &at);
        let now = std::fs::read(&agent).unwrap();
        // Every workspace file parses: the whole check reads as the old or the new state,
        // whatever temporary files the kills have left so far.
        let left = if now == before {
            assert_eq!(check(), check_before, "{at}: check on the old file");
            "with the old file"
        } else {
            assert!(now == after, "{at}: the agent file is half written");
            assert_eq!(check(), check_after, "{at}: check on the new file");
            if audited() > entries {
                "with the new file, audited"
            } else {
                // The file is written before the audit entry: a kill between the two leaves
                // a saved file without its audit entry (the re-run records one).
                "with the new file, not yet audited"
            }
        };
        trials.record(run, left);

        let (took, _) = run_ok(set(), &format!("{at}: the re-run"));
        trials.ran(took);
        assert_eq!(
            std::fs::read(&agent).unwrap(),
            after,
            "{at}: the re-run's file"
        );
        assert_eq!(check(), check_after, "{at}: check after the re-run");
        assert!(audited() > entries, "{at}: the re-run is audited");
    }
    trials.report();
    println!(
        "crash: inventory save: {} temporary file(s) left by kills, ignored by every reader",
        temp_files(&ws.path().join("inventory")).len()
    );
}

#[test]
fn a_half_written_temporary_file_is_not_read_as_a_workspace_file() {
    let ws = support::demo();
    let report = |args: &[&str]| run_report(cli(ws.path(), args), "report");
    let check = report(&["--format", "json", "check"]);
    let validate = report(&["--format", "json", "validate"]);
    let agent =
        std::fs::read_to_string(ws.path().join("inventory/agents/billing-bot.toml")).unwrap();
    // What a kill mid-write leaves: the first part of the new text under the temporary name.
    let prefix = mandate::workspace::TEMP_PREFIX;
    let half = &agent[..agent.len() / 2];
    for (rel, text) in [
        (format!("inventory/agents/{prefix}a1B2c3"), half.to_owned()),
        (
            format!("inventory/{prefix}d4E5f6"),
            "[[humans]\nid = ".to_owned(),
        ),
        (
            format!("policies/{prefix}g7H8i9"),
            "permit(principal, act".to_owned(),
        ),
        (
            format!("controls/{prefix}j0K1l2"),
            "[[controls]]\nid = \"".to_owned(),
        ),
    ] {
        std::fs::write(ws.path().join(rel), text).unwrap();
    }
    assert_eq!(report(&["--format", "json", "check"]), check);
    assert_eq!(report(&["--format", "json", "validate"]), validate);
}

// ---------------------------------------------------------------------------------------
// bundle publish

const DRAFT: &str = ".mandate/drafts/1.0.0";

/// The bundle fixture with release 1.0.0 built by dana and approved by bob (one approval
/// needed at every tier), ready to publish. The build's analysis is the slowest step, so
/// tests running at once share one (each publishes into its own copy); it is removed when the
/// last of them is done with it.
fn prepared_release() -> Arc<BundleFixture> {
    static SHARED: Mutex<Weak<BundleFixture>> = Mutex::new(Weak::new());
    let mut shared = SHARED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(release) = shared.upgrade() {
        return release;
    }
    let f = support::bundle_fixture();
    let config = f.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("high = 2, critical = 2", "high = 1, critical = 1");
    std::fs::write(&config, text).unwrap();
    f.ok(
        "dana",
        &[
            "bundle",
            "build",
            "--summary",
            "first release",
            "--accept-more-permissive",
            "the first release grants what the demo allows",
        ],
    );
    f.ok("bob", &["bundle", "approve", DRAFT, "--comment", "checked"]);
    let release = Arc::new(f);
    *shared = Arc::downgrade(&release);
    release
}

/// A copy of the prepared release's workspace (database, drafts and git included); the
/// keys stay the release's.
struct ReleaseCopy {
    ws: tempfile::TempDir,
    release: Arc<BundleFixture>,
}

impl ReleaseCopy {
    fn of(release: &Arc<BundleFixture>) -> Self {
        let ws = tempfile::tempdir().unwrap();
        support::copy_dir(release.path(), ws.path());
        Self {
            ws,
            release: Arc::clone(release),
        }
    }

    fn path(&self) -> &Path {
        self.ws.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        support::mandate_as(self.path(), self.release.keys.path(), "dana", args)
    }

    fn publish(&self, extra: &[&str], what: &str) -> Value {
        let mut args = vec!["--format", "json", "bundle", "publish", DRAFT];
        args.extend_from_slice(extra);
        serde_json::from_str(&run_ok(self.command(&args), what).1).unwrap()
    }

    fn json(&self, args: &[&str], what: &str) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&run_ok(self.command(&all), what).1).unwrap()
    }

    /// The names in `bundles/`: (versions, leftovers starting with a dot).
    fn bundles_dir(&self) -> (Vec<String>, Vec<String>) {
        let Ok(entries) = std::fs::read_dir(self.path().join("bundles")) else {
            return (Vec::new(), Vec::new());
        };
        let names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.into_iter().partition(|n| !n.starts_with('.'))
    }

    /// `bundle.publish` audit entries, and the index row's (hash, published_at).
    fn records(&self) -> (i64, Option<(String, String)>) {
        let conn = rusqlite::Connection::open(self.path().join(".mandate/mandate.db")).unwrap();
        let audited = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'bundle.publish' AND subject = 'bundle:1.0.0'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let indexed = conn
            .query_row(
                "SELECT hash, published_at FROM bundles WHERE version = '1.0.0'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        (audited, indexed)
    }
}

/// Every file of a folder, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// A published bundle, once the publish has run to the end: the folder is the draft, the
/// bundle verifies and is listed as published here, indexed and audited once, and no
/// temporary folder is left.
fn assert_published(copy: &ReleaseCopy, draft: &BTreeMap<String, Vec<u8>>, at: &str) {
    assert_eq!(
        copy.bundles_dir(),
        (vec!["1.0.0".to_owned()], vec![]),
        "{at}"
    );
    assert!(
        tree(&copy.path().join("bundles/1.0.0")) == *draft,
        "{at}: the published folder is the draft"
    );
    let list = copy.json(&["bundle", "list"], "bundle list");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{at}: {list:?}");
    assert_eq!(list[0]["version"], "1.0.0");
    assert_eq!(list[0]["verified"], true, "{at}: {list:?}");
    assert!(list[0]["published_at"].is_string(), "{at}: {list:?}");
    let (audited, indexed) = copy.records();
    assert_eq!(audited, 1, "{at}: audited once");
    assert_eq!(
        indexed.map(|(hash, _)| hash).as_deref(),
        list[0]["hash"].as_str(),
        "{at}: indexed"
    );
    assert_intact(copy.path(), at);
}

/// Runs `cmd` and, once `trigger` exists, kills it after `after` unless it has exited.
fn kill_once_written(mut cmd: Command, trigger: &Path, after: Duration, at: &str) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while !trigger.exists() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(after);
    let run = match child.try_wait().unwrap() {
        Some(_) => Run::Finished,
        None => {
            child.kill().unwrap();
            Run::Killed
        }
    };
    let out = child.wait_with_output().unwrap();
    if run == Run::Finished {
        assert!(
            out.status.success(),
            "{at}: failed on its own\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    run
}

/// An uninterrupted publish: its answer, how long it took, and how long its writes took
/// (from `bundles/` appearing to the exit).
fn timed_publish(copy: &ReleaseCopy) -> (Value, Duration, Duration) {
    let mut child = copy
        .command(&["--format", "json", "bundle", "publish", DRAFT])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let bundles = copy.path().join("bundles");
    let mut writing = None;
    while child.try_wait().unwrap().is_none() {
        if writing.is_none() && bundles.exists() {
            writing = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let out = child.wait_with_output().unwrap();
    let (took, ended) = (started.elapsed(), Instant::now());
    assert!(
        out.status.success(),
        "the reference publish: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let writes = ended - writing.unwrap_or(ended);
    (serde_json::from_slice(&out.stdout).unwrap(), took, writes)
}

#[test]
fn bundle_publish_killed_at_random_moments_leaves_no_half_published_bundle() {
    let release = prepared_release();
    let draft = tree(&release.path().join(DRAFT));
    // The reference: one uninterrupted publish.
    let reference = ReleaseCopy::of(&release);
    let (published, took, writes) = timed_publish(&reference);
    assert_published(&reference, &draft, "the reference publish");

    // Most of a publish is its gates, which write nothing; the writes (the folder, the index
    // row, the audit entry) take milliseconds at the end, where a kill at a uniformly random
    // moment rarely lands. So every other trial waits for `bundles/` to appear and kills
    // within the writes (uniformly in [0, 1.1 × how long they took in the reference run]).
    let mut trials = Trials::new("bundle publish", 2, took);
    for trial in 0..trials.count {
        let copy = ReleaseCopy::of(&release);
        let cmd = copy.command(&["bundle", "publish", DRAFT]);
        let (kind, at, run) = if trial % 2 == 0 {
            let delay = trials.delay();
            let at = trials.at(trial, &format!("at {delay:?}"));
            let run = kill_after(cmd, delay, &at);
            ("at random", at, run)
        } else {
            let after = trials.within(writes);
            let at = trials.at(trial, &format!("{after:?} after bundles/ appeared"));
            let run = kill_once_written(cmd, &copy.path().join("bundles"), after, &at);
            ("in the writes", at, run)
        };
        assert_intact(copy.path(), &at);
        let (versions, leftovers) = copy.bundles_dir();
        let left = if versions.is_empty() {
            if leftovers.is_empty() {
                "before any write"
            } else {
                "while the folder was written"
            }
        } else {
            assert_eq!(versions, ["1.0.0"], "{at}: only whole versions are visible");
            assert!(
                tree(&copy.path().join("bundles/1.0.0")) == draft,
                "{at}: bundles/1.0.0 is whole"
            );
            let verified = copy.json(&["bundle", "verify", "1.0.0"], &format!("{at}: verify"));
            assert_eq!(verified["ok"], true, "{at}: {verified}");
            match copy.records() {
                (_, None) => "after the folder went into place, before the index",
                (0, Some(_)) => "after the index, before the audit entry",
                (_, Some(_)) => "after the audit entry",
            }
        };
        let list = copy.json(&["bundle", "list"], &format!("{at}: list"));
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|b| b["version"] == "1.0.0" && b["verified"] == true),
            "{at}: {list}"
        );
        trials.record(run, format!("{kind}: {left}"));

        let started = Instant::now();
        let again = copy.publish(&[], &format!("{at}: the re-run"));
        trials.ran(started.elapsed());
        assert_eq!(
            again, published,
            "{at}: the re-run answers as the reference"
        );
        assert_published(&copy, &draft, &at);
    }
    trials.report();
    println!(
        "crash: bundle publish: the reference run's writes took {:.0} ms",
        writes.as_secs_f64() * 1000.0
    );
}

#[test]
fn bundle_publish_finishes_a_publication_interrupted_after_its_folder_went_into_place() {
    let release = prepared_release();
    let draft_dir = release.path().join(DRAFT);
    let draft = tree(&draft_dir);

    // Killed right after the rename: the folder is in place (with a leftover temporary
    // folder from an earlier attempt), nothing is indexed or audited. Before resumption the
    // re-run failed its own version gate ("1.0.0 is not greater than the published 1.0.0").
    let copy = ReleaseCopy::of(&release);
    support::copy_dir(&draft_dir, &copy.path().join("bundles/1.0.0"));
    let leftover = copy.path().join("bundles/.1.0.0.tmp-Xy12Ab/policies");
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("tools.cedar"), "permit(principal, act").unwrap();
    assert_eq!(copy.records(), (0, None));
    let published = copy.publish(&[], "the resumed publish");
    assert_eq!(published["version"], "1.0.0");
    assert_eq!(published["path"], "bundles/1.0.0");
    // The gates as they were checked before the folder went into place.
    let gates = published["gates"].as_array().unwrap();
    assert!(gates.iter().all(|g| g["passed"] == true), "{published}");
    let version = gates.iter().find(|g| g["id"] == "version").unwrap();
    assert_eq!(version["detail"], "1.0.0: the first bundle", "{published}");
    assert_published(&copy, &draft, "resumed");

    // Publishing a published bundle again changes nothing and answers the same.
    let (_, indexed) = copy.records();
    assert_eq!(copy.publish(&[], "published again"), published);
    assert_published(&copy, &draft, "published again");
    assert_eq!(copy.records().1, indexed, "the index row is kept as it was");

    // Killed after the index row, before the copy and the audit entry: both are finished,
    // the row kept.
    let copy = ReleaseCopy::of(&release);
    support::copy_dir(&draft_dir, &copy.path().join("bundles/1.0.0"));
    let conn = rusqlite::Connection::open(copy.path().join(".mandate/mandate.db")).unwrap();
    conn.execute(
        "INSERT INTO bundles (version, hash, parent, published_at, published_by, copied_to)
         VALUES ('1.0.0', ?1, NULL, '2026-01-01T00:00:00Z', 'dana@acme.example', NULL)",
        [published["hash"].as_str().unwrap()],
    )
    .unwrap();
    drop(conn);
    let runtime = tempfile::tempdir().unwrap();
    let to = runtime.path().to_str().unwrap();
    let resumed = copy.publish(&["--to", to], "resumed with a copy");
    let copied = resumed["copied_to"].as_str().unwrap().to_owned();
    assert_eq!(
        mandate::api::read_bundle(Path::new(&copied)).unwrap(),
        mandate::api::read_bundle(&draft_dir).unwrap()
    );
    assert_published(&copy, &draft, "resumed with a copy");
    assert_eq!(
        copy.records().1.map(|(_, at)| at).as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
    // The copy from the first run is this bundle: not "already exists".
    assert_eq!(
        copy.publish(&["--to", to], "resumed with the copy made"),
        resumed
    );

    // A different bundle at that version (here: other approvals) is still refused, and left
    // as it is.
    let copy = ReleaseCopy::of(&release);
    let there = copy.path().join("bundles/1.0.0");
    support::copy_dir(&draft_dir, &there);
    std::fs::write(there.join("approvals.json"), "[]\n").unwrap();
    let (code, out, _) = {
        let out = copy
            .command(&["bundle", "publish", DRAFT])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("1.0.0 is not greater than the published 1.0.0"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(there.join("approvals.json")).unwrap(),
        b"[]\n"
    );
    assert_eq!(copy.records(), (0, None));
}
