//! The app and the CLI on one workspace at once: several processes (and the app's threads)
//! writing one database wait for each other's locks. Every operation succeeds, and no user
//! sees "database is locked" or "busy".

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use mandate::api::{ReplayHooks, ReplayOptions, Session};
use mandate::store::Db;

use crate::support;

fn cli(ws: &Path, args: &[&str]) -> Command {
    let mut cmd = support::mandate_process();
    cmd.current_dir(ws)
        .args(["--workspace", ws.to_str().unwrap()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for a CLI process: it must succeed without a word about locks.
fn succeeds(child: Child, what: &str) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what}\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert_quiet(&stderr, what);
    stdout
}

fn assert_quiet(text: &str, what: &str) {
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("locked") && !lower.contains("busy"),
        "{what}: {text}"
    );
}

fn visible(ws: &Path, set: &str) -> i64 {
    Session::open(ws)
        .unwrap()
        .request_stats(set)
        .unwrap()
        .set
        .requests
}

#[test]
fn the_cli_importing_while_the_app_and_another_cli_write_all_succeed() {
    let ws = support::demo();
    let ws = ws.path();
    let data = tempfile::tempdir().unwrap();
    let big = data.path().join("big.jsonl");
    let total = support::demo_traffic(&big, 10) as i64;
    let demo_traffic = ws.join("requests/traffic.jsonl");
    succeeds(
        cli(
            ws,
            &[
                "requests",
                "import",
                "requests/traffic.jsonl",
                "--set",
                "prod",
            ],
        )
        .spawn()
        .unwrap(),
        "the first import",
    );

    // The CLI imports a large set...
    let mut import = cli(
        ws,
        &["requests", "import", big.to_str().unwrap(), "--set", "big"],
    )
    .spawn()
    .unwrap();
    let importing = Arc::new(AtomicBool::new(true));
    // ...while the app saves an agent (file and audit entry), replays a set (a run and 5,000
    // results in the database) and imports a set of its own, over and over...
    let app = {
        let importing = Arc::clone(&importing);
        let ws = ws.to_path_buf();
        let traffic = demo_traffic.clone();
        std::thread::spawn(move || -> usize {
            let session = Session::open(&ws).unwrap();
            let mut rounds = 0;
            while rounds < 2 || importing.load(Ordering::Relaxed) {
                session
                    .set_agent_fields(
                        "billing-bot",
                        &[format!("purpose=Refunds, round {rounds}")],
                        "app@acme.example",
                    )
                    .unwrap_or_else(|e| panic!("the app's save: {} ({})", e.message, e.code));
                let opts = ReplayOptions {
                    set: "prod".into(),
                    baseline: Some("@none".into()),
                    ..ReplayOptions::default()
                };
                session
                    .replay_set(&opts, "app@acme.example", ReplayHooks::default())
                    .unwrap_or_else(|e| panic!("the app's replay: {} ({})", e.message, e.code));
                session
                    .import_requests(&traffic, "app", false, "app@acme.example", &mut |_| {})
                    .unwrap_or_else(|e| panic!("the app's import: {} ({})", e.message, e.code));
                rounds += 1;
            }
            rounds
        })
    };
    // ...and a second CLI, once the first import has stored a batch, imports into the same
    // set (it waits for the first import, rather than removing its rows as a crashed run's)
    // and saves another agent.
    while stored_rows(ws, "big") == 0 {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the big import ended early"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let same_set = cli(
        ws,
        &[
            "requests",
            "import",
            "requests/traffic.jsonl",
            "--set",
            "big",
        ],
    )
    .spawn()
    .unwrap();
    // The big import is the clock: everyone stops once it is done.
    let mut saves = 0;
    while saves < 3 || import.try_wait().unwrap().is_none() {
        let save = cli(
            ws,
            &[
                "agents",
                "set",
                "faq-bot",
                &format!("purpose=Answers, save {saves}"),
            ],
        )
        .spawn()
        .unwrap();
        succeeds(save, "the second CLI's save");
        saves += 1;
    }
    importing.store(false, Ordering::Relaxed);
    let summary = succeeds(import, "the big import");
    assert!(summary.contains(&format!("{total} kept")), "{summary}");
    let summary = succeeds(same_set, "the import into the same set");
    assert!(summary.contains("5000 kept"), "{summary}");
    let rounds = app.join().unwrap();

    assert_eq!(visible(ws, "big"), total + 5000);
    let sets = Session::open(ws).unwrap().request_sets().unwrap();
    let big_set = sets.iter().find(|s| s.name == "big").unwrap();
    assert_eq!(big_set.imports, 2, "{big_set:?}");
    assert_eq!(visible(ws, "app"), 5000);
    assert_eq!(support::integrity_check(ws).unwrap(), ["ok"]);
    let session = Session::open(ws).unwrap();
    let audit = session.audit_log(10_000).unwrap();
    let count = |subject: &str| audit.iter().filter(|e| e.subject == subject).count();
    assert_eq!(count("agent:billing-bot"), rounds);
    assert_eq!(count("agent:faq-bot"), saves);
    println!(
        "concurrency: {total} requests imported by the CLI while the app ran {rounds} round(s) \
         (save, replay, import) and a second CLI saved {saves} time(s) and imported into the \
         same set"
    );
}

/// Rows stored in `set` so far, visible or not (an import in progress).
fn stored_rows(ws: &Path, set: &str) -> i64 {
    let conn = rusqlite::Connection::open(ws.join(".mandate/mandate.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn.query_row(
        "SELECT count(*) FROM requests r JOIN request_sets s ON s.id = r.set_id WHERE s.name = ?1",
        [set],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn processes_opening_a_fresh_database_at_once_migrate_it_once() {
    const ROUNDS: usize = 3;
    const PROCESSES: usize = 6;
    for round in 0..ROUNDS {
        let ws = support::demo();
        let ws = ws.path();
        assert!(!ws.join(".mandate").exists());
        // Half read (`requests list`), half write (an agent save's audit entry) first thing.
        let children: Vec<Child> = (0..PROCESSES)
            .map(|i| {
                if i % 2 == 0 {
                    cli(ws, &["--format", "json", "requests", "list"])
                } else {
                    // Each its own agent: saves of one file at once are edit conflicts.
                    let agent = ["faq-bot", "kb-answerer", "ticket-tagger"][i / 2 % 3];
                    cli(
                        ws,
                        &["agents", "set", agent, &format!("purpose=Answers {i}")],
                    )
                }
                .spawn()
                .unwrap()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            succeeds(child, &format!("round {round}, process {i}"));
        }
        assert_migrated_once(&ws.join(".mandate/mandate.db"));
    }
}

/// Regression: connections racing to switch a fresh database to WAL got `SQLITE_BUSY` at once
/// ("database is locked"), without the busy handler.
#[test]
fn threads_racing_to_open_a_fresh_database_neither_fail_busy_nor_migrate_twice() {
    const ROUNDS: usize = 20;
    const THREADS: usize = 8;
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let path = Arc::new(dir.path().join(".mandate/mandate.db"));
        let start = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (path, start) = (Arc::clone(&path), Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    Db::open(&path).map(drop).map_err(|e| {
                        let debug = format!("{e:?}");
                        let e = mandate::Error::from(e);
                        format!("{e} ({}): {debug}", e.error_code())
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        assert_migrated_once(&path);
    }
}

fn assert_migrated_once(path: &Path) {
    let db = Db::open(path).unwrap();
    assert_eq!(db.schema_version().unwrap(), Db::latest_version());
    assert_eq!(db.integrity_check().unwrap(), ["ok"]);
    drop(db);
    let conn = rusqlite::Connection::open(path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, Db::latest_version(), "each migration recorded once");
}
