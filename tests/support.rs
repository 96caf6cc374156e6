//! Shared fixtures: temp workspaces made through the real api.

use std::path::{Path, PathBuf};

use mandate::api;

pub struct TempWorkspace {
    pub dir: tempfile::TempDir,
}

impl TempWorkspace {
    /// A fresh workspace from `mandate init` (library policies, starter schema).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        api::init_workspace(dir.path(), "Test workspace", "Acme", "tester@example.com").unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.file(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

pub fn mandate() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("mandate").unwrap();
    cmd.env_remove("MANDATE_WORKSPACE")
        .env("NO_COLOR", "1")
        .env("MANDATE_ACTOR", "tester@example.com");
    cmd
}

/// Recorded requests in a demo copy made by [`demo`]: a tenth of what `mandate demo`
/// generates, so the tests stay quick.
pub const DEMO_REQUESTS: usize = 5_000;

/// The demo's recorded traffic as the tests use it: [`DEMO_REQUESTS`] records from the
/// default seed, generated once per test process through the api.
pub fn demo_traffic_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut out = Vec::new();
        api::demo_traffic(DEMO_REQUESTS, api::DEMO_DEFAULT_SEED, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    })
}

/// A copy of `examples/demo` in a temp dir (without its local database), with its recorded
/// traffic ([`demo_traffic_text`]) in `requests/traffic.jsonl`.
pub fn demo() -> tempfile::TempDir {
    let dir = copy_of("examples/demo");
    std::fs::write(dir.path().join(api::DEMO_TRAFFIC_FILE), demo_traffic_text()).unwrap();
    dir
}

/// A copy of a workspace folder of the repository (`rel` from its root) in a temp dir,
/// without its local database and generated traffic (`make run` leaves both in the demo).
pub fn copy_of(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&src).unwrap();
        if rel.starts_with(".mandate") || rel == Path::new(api::DEMO_TRAFFIC_FILE) {
            continue;
        }
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// A copy of the demo workspace committed to a fresh git repository (for `git:HEAD` sides).
pub fn demo_in_git() -> tempfile::TempDir {
    let dir = demo();
    for args in [
        &["init", "-q"][..],
        &["add", "-A"][..],
        &["commit", "-q", "-m", "demo"][..],
    ] {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    dir
}

/// The CLI as a plain process, with [`mandate`]'s environment: for tests that kill it or run
/// several at once.
pub fn mandate_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mandate"));
    cmd.env_remove("MANDATE_WORKSPACE")
        .env("NO_COLOR", "1")
        .env("MANDATE_ACTOR", "tester@example.com");
    cmd
}

/// Writes `copies` copies of the demo's recorded traffic ([`DEMO_REQUESTS`] records each) to
/// `path` as JSON Lines, each copy's ids suffixed so no record duplicates another; returns
/// the count.
pub fn demo_traffic(path: &Path, copies: usize) -> usize {
    use std::io::Write as _;
    let text = demo_traffic_text();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut count = 0;
    for copy in 0..copies {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // Every line opens with its id: `{"id":"req-000000",…`.
            assert!(line.starts_with("{\"id\":\""), "{line}");
            let end = line[7..].find('"').unwrap() + 7;
            writeln!(out, "{}-{copy}{}", &line[..end], &line[end..]).unwrap();
            count += 1;
        }
    }
    out.flush().unwrap();
    count
}

/// `PRAGMA integrity_check` of a workspace's database, read directly (no migration); `None`
/// when there is no database yet.
pub fn integrity_check(ws: &Path) -> Option<Vec<String>> {
    let path = ws.join(".mandate/mandate.db");
    if !path.exists() {
        return None;
    }
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    Some(rows.collect::<Result<_, _>>().unwrap())
}

/// Copies a folder tree (everything, the database included).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The demo under git, ready for bundles: its traffic as set `prod`; the two gates the demo
/// fails on purpose (an agent without an accountable human, a few erroring requests) turned
/// off; dana (the first key) and bob trusted; a review approving the working copy against
/// nothing published. Each person has their own keys folder.
pub struct BundleFixture {
    pub ws: tempfile::TempDir,
    pub keys: tempfile::TempDir,
    pub dana: String,
    pub bob: String,
}

impl BundleFixture {
    pub fn path(&self) -> &Path {
        self.ws.path()
    }

    /// The CLI as `who` in the workspace, not yet started (see [`mandate_as`]).
    pub fn command(&self, who: &str, args: &[&str]) -> std::process::Command {
        mandate_as(self.path(), self.keys.path(), who, args)
    }

    /// Runs the CLI as `who` and returns (exit code, stdout, stderr).
    pub fn run(&self, who: &str, args: &[&str]) -> (i32, String, String) {
        let out = self.command(who, args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn ok(&self, who: &str, args: &[&str]) -> String {
        let (code, out, err) = self.run(who, args);
        assert_eq!(code, 0, "{args:?}\nstdout: {out}\nstderr: {err}");
        out
    }

    /// `--format json` output whatever the exit code (gates that fail exit 1).
    pub fn report(&self, who: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let (_, out, err) = self.run(who, &all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"))
    }

    pub fn json(&self, who: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(who, &all)).unwrap()
    }
}

/// The CLI as `who` (`who@acme.example`, with the keys folder `keys/who`) in the workspace
/// `ws`, not yet started.
pub fn mandate_as(ws: &Path, keys: &Path, who: &str, args: &[&str]) -> std::process::Command {
    let mut cmd = mandate_process();
    cmd.env("MANDATE_KEYS_DIR", keys.join(who))
        .env("MANDATE_ACTOR", format!("{who}@acme.example"))
        .current_dir(ws)
        .args(["--workspace", ws.to_str().unwrap()])
        .args(args);
    cmd
}

/// A [`BundleFixture`].
pub fn bundle_fixture() -> BundleFixture {
    let ws = demo_in_git();
    let config = ws.path().join("mandate.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[gates]\n",
        "[gates]\nrequire_accountable_human = false\nallow_replay_errors = true\n",
    );
    std::fs::write(&config, text).unwrap();
    let keys = tempfile::tempdir().unwrap();
    let mut f = BundleFixture {
        ws,
        keys,
        dana: String::new(),
        bob: String::new(),
    };
    f.ok(
        "dana",
        &[
            "requests",
            "import",
            "requests/traffic.jsonl",
            "--set",
            "prod",
        ],
    );
    f.dana = f.json(
        "dana",
        &["keys", "generate", "--owner", "dana@acme.example"],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.bob = f.json("bob", &["keys", "generate", "--owner", "bob@acme.example"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = f.json("dana", &["keys", "trust", &f.dana.clone()]);
    assert_eq!(first["applied"], true, "{first}");
    let bob = f.bob.clone();
    let second = f.json(
        "dana",
        &["keys", "trust", &bob, "--owner", "bob@acme.example"],
    );
    assert_eq!(second["applied"], true, "{second}");
    f.ok(
        "dana",
        &[
            "review",
            "open",
            "--set",
            "prod",
            "--baseline",
            "@none",
            "--name",
            "first",
        ],
    );
    f.ok(
        "dana",
        &[
            "review",
            "ack",
            "first",
            "--all",
            "--comment",
            "first release",
        ],
    );
    f.ok("bob", &["review", "verdict", "first", "approve"]);
    f
}
