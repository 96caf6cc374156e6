//! The SMT solver behind the analysis: found, probed for its version, and started as a
//! child process per worker with a time limit per query.
//!
//! cedar-policy-symcc targets cvc5 1.3 and later. Debian 12's `cvc5` is 1.0.3, which rejects
//! `bvnego`; symcc 0.8.1 rewrites `bvnego` away for old cvc5 (its encoder says so), and
//! measured here 1.0.3 answered every fixture, but it is not what symcc is tested with. The
//! setup script installs cvc5 1.4 from PyPI, which ships only Python bindings, behind a small
//! SMT-LIB front end (`scripts/solver/cvc5-smt.py`), and Z3 (the `z3-solver` wheel's binary;
//! it lacks cvc5's theory of finite sets, so queries over sets fail on it). All three speak
//! SMT-LIB on stdin and stdout, which is all symcc asks of a solver.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which solver a command runs, as its version line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SolverKind {
    Cvc5,
    Z3,
}

/// A solver that answered its version probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SolverInfo {
    pub kind: SolverKind,
    /// The command run (a path, or a name found on `PATH`).
    pub path: String,
    /// `1.4.2`, as the solver printed it.
    pub version: String,
    /// Where the path came from: `--solver`, `$CVC5`, `mandate.toml`, `PATH`.
    pub source: String,
    /// What a user should know about this solver (an old cvc5; z3's missing theory of sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub caveat: Option<String>,
}

/// No solver could be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("no SMT solver could be started: {}", tried.join("; "))]
#[diagnostic(
    code(mandate::analysis::solver),
    help("run `bash scripts/deps.sh` (it installs cvc5 1.4 and Z3 from PyPI into target/solver-venv), or point `$CVC5`, `[analysis] solver` in mandate.toml or the app's Settings → Solver at a cvc5 ≥ 1.1 or z3 binary")
)]
pub struct SolverMissing {
    /// Each candidate and why it was passed over.
    pub tried: Vec<String>,
    /// A solver was named (`--solver`, `$CVC5`, `[analysis] solver`, the app's Settings) and
    /// does not run; otherwise none was found anywhere.
    pub named: bool,
}

/// How long a version probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The solvers `make` installs, relative to the repository root (used when nothing else is
/// configured and the binary runs from a checkout).
const INSTALLED: [&str; 2] = ["target/solver-venv/bin/cvc5", "target/solver-venv/bin/z3"];

/// The desktop app's own solver (Settings → Solver): the shell sets it from its settings
/// file at start and when it changes; the CLI never does.
static APP_SOLVER: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Where a solver from the app's Settings comes from, as [`SolverInfo::source`] says it.
pub const APP_SOURCE: &str = "the app's Settings";

/// Sets (or clears) the app's solver, which [`discover`] tries after the workspace's.
pub fn set_app_solver(path: Option<String>) {
    let path = path.filter(|p| !p.trim().is_empty());
    *APP_SOLVER
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = path;
}

fn app_solver() -> Option<String> {
    APP_SOLVER
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// The solvers someone named, in the order they win, each with where it came from:
/// `explicit` (`--solver`), `env` (`$CVC5`), `configured` (the workspace's `[analysis]
/// solver`, a relative path with a `/` taken from `root`), `app` (the app's Settings). A run's
/// own choice beats the workspace's, which beats the machine-wide app default.
pub fn named_candidates(
    explicit: Option<&str>,
    env: Option<&str>,
    configured: Option<&str>,
    app: Option<&str>,
    root: Option<&Path>,
) -> Vec<(String, String)> {
    let named = |p: Option<&str>| p.filter(|p| !p.trim().is_empty()).map(str::to_owned);
    let mut candidates: Vec<(String, String)> = Vec::new();
    if let Some(p) = named(explicit) {
        candidates.push((p, "--solver".into()));
    }
    if let Some(p) = named(env) {
        candidates.push((p, "$CVC5".into()));
    }
    if let Some(p) = named(configured) {
        let path = match root {
            Some(r) if Path::new(&p).is_relative() && p.contains('/') => {
                r.join(&p).display().to_string()
            }
            _ => p,
        };
        candidates.push((path, "mandate.toml [analysis] solver".into()));
    }
    if let Some(p) = named(app) {
        candidates.push((p, APP_SOURCE.into()));
    }
    candidates
}

/// Finds the solver to use: `explicit` (`--solver`), then `$CVC5`, then `configured`
/// (`[analysis] solver`), then the app's Settings ([`set_app_solver`]), then what the setup
/// script installed, then `cvc5` and `z3` on `PATH`. The first of those named is used (with
/// its caveat) or reported, never replaced; among the ones found, a solver with a caveat
/// (cvc5 before 1.1, z3) is used only when nothing better answers.
pub fn discover(
    explicit: Option<&str>,
    configured: Option<&str>,
    root: Option<&Path>,
) -> Result<SolverInfo, SolverMissing> {
    let env = std::env::var("CVC5").ok();
    let app = app_solver();
    let mut candidates =
        named_candidates(explicit, env.as_deref(), configured, app.as_deref(), root);
    // A solver someone named is used or reported, never silently replaced by another.
    if let Some((path, source)) = candidates.first().cloned() {
        return match probe(&path) {
            Ok((kind, version)) => Ok(SolverInfo {
                caveat: caveat(kind, &version),
                kind,
                path,
                version,
                source,
            }),
            Err(why) => Err(SolverMissing {
                tried: vec![format!("`{path}` ({source}): {why}")],
                named: true,
            }),
        };
    }
    // A repository checkout's installed solvers: beside the running binary's `target/`, and
    // under the current directory.
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        // target/debug/mandate → the checkout.
        if let Some(checkout) = exe.ancestors().nth(3) {
            roots.push(checkout.to_path_buf());
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    for r in &roots {
        for rel in INSTALLED {
            let p = r.join(rel);
            if p.is_file() {
                candidates.push((
                    p.display().to_string(),
                    "installed by scripts/deps.sh".into(),
                ));
            }
        }
    }
    candidates.push(("cvc5".into(), "PATH".into()));
    candidates.push(("z3".into(), "PATH".into()));

    let mut tried = Vec::new();
    let mut fallback: Option<SolverInfo> = None;
    for (path, source) in candidates {
        match probe(&path) {
            Ok((kind, version)) => {
                let info = SolverInfo {
                    caveat: caveat(kind, &version),
                    kind,
                    path,
                    version,
                    source,
                };
                if info.caveat.is_none() {
                    return Ok(info);
                }
                tried.push(format!(
                    "`{}` ({}): {}",
                    info.path,
                    info.source,
                    info.caveat.clone().unwrap_or_default()
                ));
                fallback.get_or_insert(info);
            }
            Err(why) => tried.push(format!("`{path}` ({source}): {why}")),
        }
    }
    fallback.ok_or(SolverMissing {
        tried,
        named: false,
    })
}

/// Runs `path --version` and reads which solver it is.
pub fn probe(path: &str) -> Result<(SolverKind, String), String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "not found".to_owned(),
            _ => format!("cannot start: {e}"),
        })?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > PROBE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`--version` did not answer within {} s",
                    PROBE_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot read its output: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_version(&text).ok_or_else(|| {
        format!(
            "`--version` printed no cvc5 or Z3 version: `{}`",
            text.lines().next().unwrap_or("").trim()
        )
    })
}

/// `This is cvc5 version 1.4.2 …` or `Z3 version 4.13.4 - 64 bit`.
pub fn parse_version(text: &str) -> Option<(SolverKind, String)> {
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    let version_after = |marker: &str| -> Option<String> {
        let rest = &line[line.find(marker)? + marker.len()..];
        let v: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        (!v.is_empty()).then_some(v)
    };
    if line.contains("cvc5") {
        return Some((SolverKind::Cvc5, version_after("version")?));
    }
    if line.starts_with("Z3") {
        return Some((SolverKind::Z3, version_after("version")?));
    }
    None
}

/// What is known about this solver version that a user should read.
pub fn caveat(kind: SolverKind, version: &str) -> Option<String> {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    match kind {
        SolverKind::Cvc5 if (major, minor) < (1, 1) => Some(format!(
            "cvc5 {version} predates `bvnego` (cvc5 1.1) and symcc's target (cvc5 1.3): symcc 0.8.1 avoids `bvnego` for it and it answered Mandate's fixtures, but symcc is not tested with it; prefer cvc5 ≥ 1.3 (`bash scripts/deps.sh`)"
        )),
        SolverKind::Z3 => Some(
            "z3 has no theory of finite sets: queries on policies with sets, `in` over sets or `contains` fail (cvc5 ≥ 1.3 answers them)".into(),
        ),
        SolverKind::Cvc5 => None,
    }
}

impl SolverInfo {
    /// The command line that starts one interactive solver with `limit` per query.
    pub fn command(&self, limit: Duration) -> tokio::process::Command {
        let ms = limit.as_millis().max(1);
        let mut cmd = tokio::process::Command::new(&self.path);
        match self.kind {
            SolverKind::Cvc5 => cmd
                .args(["--lang", "smt"])
                .arg(format!("--tlimit-per={ms}")),
            SolverKind::Z3 => cmd.args(["-in", "-smt2"]).arg(format!("-t:{ms}")),
        };
        // A query cancelled or timed out drops its solver: the process goes with it.
        cmd.kill_on_drop(true);
        cmd
    }

    /// `cvc5 1.4.2 (target/solver-venv/bin/cvc5)`.
    pub fn describe(&self) -> String {
        let name = match self.kind {
            SolverKind::Cvc5 => "cvc5",
            SolverKind::Z3 => "z3",
        };
        format!(
            "{name} {} (`{}`, from {})",
            self.version, self.path, self.source
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_either_solver() {
        assert_eq!(
            parse_version("This is cvc5 version 1.4.2 (Python bindings, SMT-LIB front end)\n"),
            Some((SolverKind::Cvc5, "1.4.2".into()))
        );
        assert_eq!(
            parse_version("This is cvc5 version 1.0.3\ncompiled with GCC\n"),
            Some((SolverKind::Cvc5, "1.0.3".into()))
        );
        assert_eq!(
            parse_version("Z3 version 4.13.4 - 64 bit\n"),
            Some((SolverKind::Z3, "4.13.4".into()))
        );
        assert_eq!(parse_version("GNU bash, version 5.2\n"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn old_cvc5_and_z3_carry_their_caveats_and_modern_cvc5_does_not() {
        assert!(caveat(SolverKind::Cvc5, "1.0.3")
            .unwrap()
            .contains("bvnego"));
        assert_eq!(caveat(SolverKind::Cvc5, "1.1.0"), None);
        assert_eq!(caveat(SolverKind::Cvc5, "1.4.2"), None);
        assert!(caveat(SolverKind::Z3, "5.4.1").unwrap().contains("sets"));
    }

    #[test]
    fn named_solvers_win_in_order_run_env_workspace_then_app() {
        let root = Path::new("/ws");
        let all = named_candidates(
            Some("/run/cvc5"),
            Some("/env/cvc5"),
            Some("tools/cvc5"),
            Some("/app/cvc5"),
            Some(root),
        );
        let sources: Vec<&str> = all.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            sources,
            [
                "--solver",
                "$CVC5",
                "mandate.toml [analysis] solver",
                APP_SOURCE
            ]
        );
        // The workspace's relative path is taken from its root.
        assert_eq!(all[2].0, "/ws/tools/cvc5");
        // With nothing else named, the app's setting is the first (and so the one used).
        let app_only = named_candidates(None, Some("  "), None, Some("/app/cvc5"), Some(root));
        assert_eq!(
            app_only,
            vec![("/app/cvc5".to_owned(), APP_SOURCE.to_owned())]
        );
        assert!(named_candidates(None, None, None, None, None).is_empty());
    }

    #[test]
    fn a_named_solver_that_does_not_exist_is_reported_with_the_others() {
        let err = probe("/nonexistent/solver").unwrap_err();
        assert_eq!(err, "not found");
    }
}
