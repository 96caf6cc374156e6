//! The demo organisation, Acme: the workspace `make run` opens and `mandate demo DIR` writes.
//!
//! Its files are embedded from `examples/demo` at build time (the inventory, the controls,
//! the policies as the working copy has them and the revision production enforced, in
//! `revisions/production/`), so the binary needs nothing beside it. Generated files are never
//! embedded: the recorded traffic comes from [`traffic`], deterministic from a seed, and the
//! database from importing it. `build.rs` makes cargo re-embed when a file is added or removed.

pub mod traffic;

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::error::ErrorCode;

pub use traffic::{Options, Summary};

/// Where the generated traffic lives in the workspace.
pub const TRAFFIC_FILE: &str = "requests/traffic.jsonl";
/// The policies production enforced while the traffic was recorded (a folder of `.cedar`
/// files and its `links.toml`, a side `simulate` and `analyze` take as a path).
pub const PREVIOUS_REVISION: &str = "revisions/production";

static INVENTORY: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo/inventory");
static CONTROLS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo/controls");
static POLICIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo/policies");
static REVISIONS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo/revisions");

/// The files at the workspace's top level and in `requests/` (which holds generated traffic
/// besides its README, so it is not embedded whole).
const TOP: &[(&str, &str)] = &[
    (".gitignore", include_str!("../../examples/demo/.gitignore")),
    ("README.md", include_str!("../../examples/demo/README.md")),
    (
        "mandate.toml",
        include_str!("../../examples/demo/mandate.toml"),
    ),
    (
        "schema.cedarschema",
        include_str!("../../examples/demo/schema.cedarschema"),
    ),
    (
        "requests/README.md",
        include_str!("../../examples/demo/requests/README.md"),
    ),
];

/// Every file of the demo workspace: (workspace-relative path, bytes), sorted by path.
pub fn files() -> Vec<(String, &'static [u8])> {
    let mut out: Vec<(String, &'static [u8])> = TOP
        .iter()
        .map(|(path, text)| ((*path).to_owned(), text.as_bytes()))
        .collect();
    for (prefix, dir) in [
        ("inventory", &INVENTORY),
        ("controls", &CONTROLS),
        ("policies", &POLICIES),
        ("revisions", &REVISIONS),
    ] {
        collect(prefix, dir, &mut out);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(prefix: &str, dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        out.push((format!("{prefix}/{rel}"), file.contents()));
    }
    for sub in dir.dirs() {
        collect(prefix, sub, out);
    }
}

/// The text of one embedded file (`None` when there is none, or it is not UTF-8).
pub fn file_text(rel: &str) -> Option<&'static str> {
    files()
        .into_iter()
        .find(|(path, _)| path == rel)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

/// The files of one embedded folder (workspace-relative prefix, e.g. `policies/`), as
/// (path relative to that folder, text).
pub fn folder_texts(prefix: &str) -> Vec<(String, &'static str)> {
    files()
        .into_iter()
        .filter_map(|(path, bytes)| {
            let rel = path.strip_prefix(prefix)?.to_owned();
            Some((rel, std::str::from_utf8(bytes).ok()?))
        })
        .collect()
}

/// Writes every demo file under `root` (which must exist), each atomically.
pub fn write_files(root: &Path) -> Result<usize, DemoError> {
    let files = files();
    for (rel, bytes) in &files {
        let path = root.join(rel);
        crate::workspace::write_atomic(&path, bytes).map_err(|e| DemoError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(files.len())
}

/// Refuses a target that is not a new or empty folder.
pub fn check_target(dir: &Path) -> Result<(), DemoError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(DemoError::NotEmpty {
                    path: dir.display().to_string(),
                    workspace: dir.join(crate::workspace::CONFIG_FILE).exists(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || dir.is_file() => {
            Err(DemoError::NotEmpty {
                path: dir.display().to_string(),
                workspace: false,
            })
        }
        Err(e) => Err(DemoError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        }),
    }
}

/// A staging folder beside `dir` (same file system, so it can be renamed into place).
pub fn staging_dir(dir: &Path) -> Result<tempfile::TempDir, DemoError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| DemoError::Io {
        path: parent.display().to_string(),
        message: e.to_string(),
    })?;
    tempfile::Builder::new()
        .prefix(crate::workspace::TEMP_PREFIX)
        .tempdir_in(&parent)
        .map_err(|e| DemoError::Io {
            path: parent.display().to_string(),
            message: e.to_string(),
        })
}

/// Moves a finished staging folder to `dir` (absent or an empty folder). The rename is the
/// commit: until it happens `dir` holds nothing, so a failure midway leaves no half demo.
pub fn commit(staging: tempfile::TempDir, dir: &Path) -> Result<(), DemoError> {
    let from = staging.keep();
    let moved = std::fs::rename(&from, dir).or_else(|e| {
        // Windows will not rename over an empty folder: remove it first (a folder that
        // gained content meanwhile is not removed, and the rename then fails).
        if dir.is_dir() && std::fs::remove_dir(dir).is_ok() {
            std::fs::rename(&from, dir)
        } else {
            Err(e)
        }
    });
    moved.map_err(|e| {
        let _ = std::fs::remove_dir_all(&from);
        DemoError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        }
    })
}

/// What can go wrong writing the demo or generating its traffic.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DemoError {
    #[error("`{path}` is not empty")]
    #[diagnostic(
        code(mandate::demo::not_empty),
        help("the demo is written into a new or empty folder: name one that does not exist yet (e.g. `mandate demo acme-demo`); to regenerate only the traffic, use `mandate demo --traffic FILE`")
    )]
    NotEmpty {
        path: String,
        /// Whether the folder is a workspace already.
        workspace: bool,
    },
    #[error("cannot write `{path}`: {message}")]
    #[diagnostic(
        code(mandate::demo::write),
        help("check that you may write there and that the disk has room; nothing of the demo was kept")
    )]
    Write { path: String, message: String },
    #[error("cannot use `{path}`: {message}")]
    #[diagnostic(
        code(mandate::demo::io),
        help("check that the folder's parent exists and that you may write in it")
    )]
    Io { path: String, message: String },
    #[error("{what} `{value}` is out of range")]
    #[diagnostic(
        code(mandate::demo::argument),
        help("--requests takes 1 to 5,000,000 (default 50,000)")
    )]
    Argument { what: &'static str, value: String },
    /// The embedded demo does not load: a defect of the build, never of the user's input.
    #[error("the embedded demo is broken: {message}")]
    #[diagnostic(
        code(mandate::demo::embedded),
        help("rebuild Mandate from a clean checkout; `mandate --workspace examples/demo check` shows what is wrong")
    )]
    Embedded { message: String },
}

impl DemoError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::NotEmpty { .. } => ErrorCode::WorkspaceExists,
            Self::Write { .. } | Self::Io { .. } => ErrorCode::Io,
            Self::Argument { .. } => ErrorCode::InvalidArgument,
            Self::Embedded { .. } => ErrorCode::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_are_the_workspace_without_generated_ones() {
        let files = files();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "mandate.toml",
            "schema.cedarschema",
            "inventory/people.toml",
            "inventory/resources.toml",
            "inventory/agents/support-triage.toml",
            "controls/controls.toml",
            "policies/links.toml",
            "policies/tools.cedar",
            "revisions/production/links.toml",
            "revisions/production/tools.cedar",
        ] {
            assert!(paths.contains(&expected), "{expected} missing: {paths:?}");
        }
        assert!(
            paths
                .iter()
                .all(|p| !p.starts_with(".mandate/") && *p != TRAFFIC_FILE),
            "{paths:?}"
        );
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, paths, "sorted, no duplicates");
    }

    #[test]
    fn a_non_empty_target_is_refused_and_an_empty_one_taken() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_target(&dir.path().join("new")).is_ok());
        assert!(check_target(dir.path()).is_ok());
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let err = check_target(dir.path()).unwrap_err();
        assert_eq!(err.error_code(), ErrorCode::WorkspaceExists);
        assert!(matches!(
            err,
            DemoError::NotEmpty {
                workspace: false,
                ..
            }
        ));
        let file = dir.path().join("notes.txt");
        assert_eq!(
            check_target(&file).unwrap_err().error_code(),
            ErrorCode::WorkspaceExists
        );
    }

    #[test]
    fn commit_moves_the_staging_folder_into_an_empty_target() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("acme");
        std::fs::create_dir(&target).unwrap();
        let staging = staging_dir(&target).unwrap();
        std::fs::write(staging.path().join("mandate.toml"), "name = \"x\"\n").unwrap();
        commit(staging, &target).unwrap();
        assert!(target.join("mandate.toml").is_file());
        let left: Vec<_> = std::fs::read_dir(parent.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("acme")]);
    }
}
