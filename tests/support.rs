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

/// A copy of `examples/demo` in a temp dir (without its local database).
pub fn demo() -> tempfile::TempDir {
    copy_of("examples/demo")
}

/// A copy of a workspace folder of the repository (`rel` from its root) in a temp dir,
/// without its local database.
pub fn copy_of(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&src).unwrap();
        if rel.starts_with(".mandate") {
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
