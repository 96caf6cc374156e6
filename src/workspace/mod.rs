//! A workspace: the folder a team keeps in git (DESIGN.md §2).
//!
//! Owns the layout (which file is what), `mandate.toml`, atomic writes, and the
//! [`Fingerprints`] of files as this process last wrote them, so the watcher can tell the
//! app's own saves from edits made elsewhere.

mod config;
mod fingerprints;
mod library;
mod revision;

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

pub use config::{
    find_key, is_cedar_namespace, is_key_id, AnalysisConfig, Approvals, Config, Gates,
    InsightsConfig, SchemaConfig, SchemaMapping, SchemaMode, TrustedKey, TtlCeilings, CONFIG_FILE,
};
pub use fingerprints::{fingerprint, Fingerprint, Fingerprints};
pub use library::{with_namespace, POLICY_LIBRARY};
pub use revision::{revision, revision_at, Written, ABSENT};

use crate::diagnostics::Diagnostic;
use crate::error::{ErrorCode, IoError};

pub const SCHEMA_FILE: &str = "schema.cedarschema";
pub const POLICIES_DIR: &str = "policies";
pub const INVENTORY_DIR: &str = "inventory";
pub const CONTROLS_DIR: &str = "controls";
/// Machine-local state (SQLite); git-ignored.
pub const STATE_DIR: &str = ".mandate";
pub const DB_FILE: &str = ".mandate/mandate.db";
/// Prefix of the temporary files behind atomic writes; the watcher ignores them.
pub const TEMP_PREFIX: &str = ".mandate-tmp-";

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkspaceError {
    #[error("`{path}` is not a Mandate workspace")]
    #[diagnostic(code(mandate::workspace::not_found), help("create one with `mandate init {path}`, or pass the folder that holds `mandate.toml` with `--workspace`"))]
    NotFound { path: String },

    #[error("`{path}` already holds a Mandate workspace")]
    #[diagnostic(
        code(mandate::workspace::exists),
        help("open it instead, or choose an empty folder")
    )]
    Exists { path: String },

    #[error("`{path}` has {} problem(s): {}", diagnostics.len(), first_message(diagnostics))]
    #[diagnostic(
        code(mandate::workspace::config),
        help("fix `mandate.toml`; every problem is listed with its line")
    )]
    Config {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },

    #[error("`{path}` is outside the workspace")]
    #[diagnostic(
        code(mandate::workspace::outside),
        help("use a path relative to the workspace folder, without `..`")
    )]
    OutsideWorkspace { path: String },

    /// A save named a revision the file no longer has: it changed since it was read.
    #[error("`{path}` changed on disk since it was opened")]
    #[diagnostic(
        code(mandate::workspace::edit_conflict),
        help("nothing was written; reload the file to see the change made on disk (or run the command again), or overwrite it with your version")
    )]
    Conflict {
        path: String,
        /// The revision the file has now.
        current: String,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] IoError),
}

fn first_message(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .first()
        .map(|d| format!("line {}: {}", d.line, d.message))
        .unwrap_or_default()
}

impl WorkspaceError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::WorkspaceNotFound,
            Self::Exists { .. } => ErrorCode::WorkspaceExists,
            Self::Config { .. } => ErrorCode::ConfigInvalid,
            Self::OutsideWorkspace { .. } => ErrorCode::PathOutsideWorkspace,
            Self::Conflict { .. } => ErrorCode::EditConflict,
            Self::Io(_) => ErrorCode::Io,
        }
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Self::Config { diagnostics, .. } => diagnostics.clone(),
            _ => Vec::new(),
        }
    }
}

type Result<T> = std::result::Result<T, WorkspaceError>;

/// What a workspace file is, by its place in the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    Config,
    Schema,
    Policy,
    Inventory,
    Controls,
}

/// Classifies a workspace-relative path; `None` for files Mandate does not read.
pub fn classify(rel: &Path) -> Option<FileClass> {
    let mut parts = rel.components().filter_map(|c| match c {
        Component::Normal(s) => s.to_str(),
        _ => None,
    });
    let first = parts.next()?;
    let name = rel.file_name()?.to_str()?;
    if name.starts_with(TEMP_PREFIX) {
        return None;
    }
    let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
    let nested = parts.next().is_some();
    match (first, nested) {
        (CONFIG_FILE, false) => Some(FileClass::Config),
        (SCHEMA_FILE, false) => Some(FileClass::Schema),
        (POLICIES_DIR, true) if ext == "cedar" => Some(FileClass::Policy),
        (INVENTORY_DIR, true) if ext == "toml" => Some(FileClass::Inventory),
        (CONTROLS_DIR, true) if ext == "toml" => Some(FileClass::Controls),
        // Imported frameworks (`mandate frameworks import`) belong with the controls.
        (crate::frameworks::catalog::FRAMEWORKS_DIR, true) if ext == "json" => {
            Some(FileClass::Controls)
        }
        _ => None,
    }
}

/// An open workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    config: Config,
    fingerprints: Fingerprints,
    /// Held from a checked write's comparison to its rename, so two saves of this process
    /// never both pass the check against the same revision.
    write_lock: Arc<Mutex<()>>,
}

impl Workspace {
    /// Opens the workspace whose `mandate.toml` is in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        let config_path = dir.join(CONFIG_FILE);
        if !config_path.is_file() {
            return Err(WorkspaceError::NotFound {
                path: dir.display().to_string(),
            });
        }
        let root = dir
            .canonicalize()
            .map_err(|e| IoError::new("open", dir, e))?;
        if crate::diagnostics::link_out_of_workspace(CONFIG_FILE, &config_path).is_some() {
            return Err(WorkspaceError::OutsideWorkspace {
                path: CONFIG_FILE.to_owned(),
            });
        }
        let text = read_to_string(&config_path)?;
        let config = Config::parse(&text).map_err(|diagnostics| WorkspaceError::Config {
            path: config_path.display().to_string(),
            diagnostics,
        })?;
        Ok(Self {
            root,
            config,
            fingerprints: Fingerprints::default(),
            write_lock: Arc::default(),
        })
    }

    /// Writes a new workspace into `dir` (created if missing): `mandate.toml`, the starter
    /// schema, inventory and controls files, the policy library and a `.gitignore`.
    /// Refuses a folder that already has a `mandate.toml`. The database is the caller's.
    pub fn init(dir: &Path, name: &str, namespace: &str) -> Result<Self> {
        if dir.join(CONFIG_FILE).exists() {
            return Err(WorkspaceError::Exists {
                path: dir.display().to_string(),
            });
        }
        if !is_cedar_namespace(namespace) {
            return Err(WorkspaceError::Config {
                path: dir.join(CONFIG_FILE).display().to_string(),
                diagnostics: vec![Diagnostic::whole_file(
                    CONFIG_FILE,
                    crate::diagnostics::Severity::Error,
                    "config::value",
                    format!("`namespace` is not a Cedar namespace: `{namespace}`"),
                    Some("use identifiers joined by `::`, e.g. `Acme`".to_owned()),
                )],
            });
        }
        for sub in [
            POLICIES_DIR,
            INVENTORY_DIR,
            "inventory/agents",
            CONTROLS_DIR,
            STATE_DIR,
        ] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| IoError::new("create", &dir.join(sub), e))?;
        }
        // Files are written config-last: a folder without `mandate.toml` is not a workspace,
        // so an interrupted init never leaves something that opens half-made.
        let mut files: Vec<(String, String)> = vec![
            // A save killed between writing its temporary file and renaming it leaves the
            // temporary file behind; loaders ignore it, and so should git.
            (".gitignore".into(), format!(".mandate/\n{TEMP_PREFIX}*\n")),
            (SCHEMA_FILE.into(), library::starter_schema(namespace)),
            (
                "inventory/people.toml".into(),
                library::PEOPLE_TEMPLATE.into(),
            ),
            (
                "inventory/resources.toml".into(),
                library::RESOURCES_TEMPLATE.into(),
            ),
            (
                "inventory/agents/README.md".into(),
                library::AGENTS_README.into(),
            ),
            (
                "controls/controls.toml".into(),
                crate::frameworks::LIBRARY.into(),
            ),
        ];
        for (path, text) in POLICY_LIBRARY {
            files.push((
                format!("{POLICIES_DIR}/{path}"),
                library::with_namespace(text, namespace),
            ));
        }
        files.push((CONFIG_FILE.into(), config::render_initial(name, namespace)));
        for (rel, text) in &files {
            write_atomic(&dir.join(rel), text.as_bytes())?;
        }
        Self::open(dir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn fingerprints(&self) -> &Fingerprints {
        &self.fingerprints
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    pub fn schema_path(&self) -> PathBuf {
        self.root.join(SCHEMA_FILE)
    }

    /// Resolves a workspace-relative path, refusing absolute paths, `..` and symlinks that
    /// lead outside the workspace.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf> {
        let outside = || WorkspaceError::OutsideWorkspace {
            path: rel.to_owned(),
        };
        let path = Path::new(rel);
        if rel.is_empty()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(outside());
        }
        let full = self.root.join(path);
        // The deepest existing ancestor must stay inside the (canonical) root. `lstat`, not
        // `exists`: a dangling symlink exists too, and where it would lead is unknown.
        let mut probe = full.as_path();
        loop {
            if probe.symlink_metadata().is_ok() {
                let real = match probe.canonicalize() {
                    Ok(real) => real,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(outside()),
                    Err(e) => return Err(IoError::new("resolve", probe, e).into()),
                };
                if !real.starts_with(&self.root) {
                    return Err(outside());
                }
                break;
            }
            match probe.parent() {
                Some(parent) => probe = parent,
                None => break,
            }
        }
        Ok(full)
    }

    /// Resolves a path named outside the core (the desktop window): relative to the
    /// workspace, or absolute and under its root; then as [`Workspace::resolve`] does, so
    /// `..` and symlinks leading out are refused.
    pub fn resolve_path(&self, path: &Path) -> Result<PathBuf> {
        if !path.is_absolute() {
            return match path.to_str() {
                Some(rel) => self.resolve(rel),
                None => Err(WorkspaceError::OutsideWorkspace {
                    path: path.display().to_string(),
                }),
            };
        }
        match relative_to(&self.root, path) {
            Some(rel) => self.resolve(&rel),
            None => Err(WorkspaceError::OutsideWorkspace {
                path: path.display().to_string(),
            }),
        }
    }

    /// Workspace-relative form of an absolute path under the root, with `/` separators.
    pub fn relative(&self, path: &Path) -> Option<String> {
        relative_to(&self.root, path)
    }

    /// Writes a workspace file atomically and records its fingerprint first, so the watcher
    /// does not report the app's own save as an outside change.
    pub fn write_file(&self, rel: &str, contents: &[u8]) -> Result<()> {
        let path = self.resolve(rel)?;
        self.fingerprints.record(&path, fingerprint(contents));
        write_atomic(&path, contents)
    }

    /// Writes a workspace file atomically as [`Workspace::write_file`] does, but only when
    /// it is still at revision `expected` (see [`revision`]); any revision with `None`.
    /// A file at another revision is a [`WorkspaceError::Conflict`] and is left untouched.
    pub fn write_file_at(
        &self,
        rel: &str,
        contents: &[u8],
        expected: Option<&str>,
    ) -> Result<Written> {
        let path = self.resolve(rel)?;
        // A panic while holding the lock left no state behind it: still safe to use.
        let _serial = self
            .write_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        revision::write_checked(&path, rel, contents, expected, || {
            self.fingerprints.record(&path, fingerprint(contents));
        })
    }

    /// Reads a workspace file as UTF-8.
    pub fn read_file(&self, rel: &str) -> Result<String> {
        read_to_string(&self.resolve(rel)?)
    }

    /// Reads a workspace file as UTF-8 with its revision (of the very bytes read).
    pub fn read_file_revision(&self, rel: &str) -> Result<(String, String)> {
        let path = self.resolve(rel)?;
        let bytes = std::fs::read(&path).map_err(|e| IoError::new("read", &path, e))?;
        let rev = revision(&bytes);
        let text = String::from_utf8(bytes).map_err(|e| {
            IoError::new(
                "read",
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
            )
        })?;
        Ok((text, rev))
    }

    /// The revision of a workspace file as it is now ([`ABSENT`] when there is none).
    pub fn revision_of(&self, rel: &str) -> Result<String> {
        revision_at(&self.resolve(rel)?)
    }
}

/// `path` relative to `root` with `/` separators, when it is under `root`.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(parts.join("/"))
}

/// Reads a file as UTF-8, naming the file on failure.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| IoError::new("read", path, e).into())
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, flushed to
/// disk, then renamed over the target. Readers see the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    persist(flushed_temp(path, contents)?, path)
}

/// A temporary file beside `path` holding `contents`, flushed to disk (dropping it deletes it).
fn flushed_temp(path: &Path, contents: &[u8]) -> Result<tempfile::NamedTempFile> {
    use std::io::Write as _;
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).map_err(|e| IoError::new("create", dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    // A temporary file is created 0600. A new file gets what a plain create would (0666 less
    // the umask); a replaced one keeps its permission bits exactly (set after creating, as
    // `fchmod` ignores the umask), never setuid or setgid.
    #[cfg(unix)]
    let kept = {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
        std::fs::metadata(path)
            .ok()
            .map(|m| std::fs::Permissions::from_mode(m.permissions().mode() & 0o777))
    };
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| IoError::new("create a temporary file in", dir, e))?;
    #[cfg(unix)]
    if let Some(mode) = kept {
        tmp.as_file()
            .set_permissions(mode)
            .map_err(|e| IoError::new("set the mode of", path, e))?;
    }
    tmp.write_all(contents)
        .map_err(|e| IoError::new("write", path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| IoError::new("flush", path, e))?;
    Ok(tmp)
}

/// Renames a flushed temporary file over `path`, durably.
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.persist(path)
        .map_err(|e| IoError::new("replace", path, e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(parent_dir(path)) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_layout() {
        let c = |s: &str| classify(Path::new(s));
        assert_eq!(c("mandate.toml"), Some(FileClass::Config));
        assert_eq!(c("schema.cedarschema"), Some(FileClass::Schema));
        assert_eq!(c("policies/a/b.cedar"), Some(FileClass::Policy));
        assert_eq!(c("policies/notes.md"), None);
        assert_eq!(c("policies/.mandate-tmp-x1.cedar"), None);
        assert_eq!(c("inventory/agents/bot.toml"), Some(FileClass::Inventory));
        assert_eq!(c("controls/controls.toml"), Some(FileClass::Controls));
        assert_eq!(c("frameworks/acme-policy.json"), Some(FileClass::Controls));
        assert_eq!(c("frameworks/notes.txt"), None);
        assert_eq!(c("sub/mandate.toml"), None);
        assert_eq!(c(".mandate/mandate.db"), None);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_the_mode_or_follows_the_umask() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // What a plain create gives under this process's umask.
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"x").unwrap();
        let new = dir.path().join("new.txt");
        write_atomic(&new, b"one").unwrap();
        assert_eq!(mode(&new), mode(&plain), "a new file is not left 0600");
        // A replaced file keeps its mode, whatever it was, bits the umask would clear too.
        for kept in [0o640, 0o664, 0o777] {
            std::fs::set_permissions(&new, std::fs::Permissions::from_mode(kept)).unwrap();
            write_atomic(&new, b"two").unwrap();
            assert_eq!(mode(&new), kept, "{kept:o}");
        }
        assert_eq!(std::fs::read(&new).unwrap(), b"two");
        // Never setuid or setgid.
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o6755)).unwrap();
        write_atomic(&new, b"three").unwrap();
        let all = std::fs::metadata(&new).unwrap().permissions().mode() & 0o7777;
        assert_eq!(all, 0o755);
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap_or_default(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    /// A fresh workspace in `<temp>/ws`, beside an `<temp>/outside` folder holding `secret.txt`.
    fn workspace_beside_outside() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&dir.path().join("ws"), "T", "Acme").unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/secret.txt"), "s").unwrap();
        (dir, ws)
    }

    fn is_outside<T: std::fmt::Debug>(r: Result<T>) -> bool {
        matches!(r, Err(WorkspaceError::OutsideWorkspace { .. }))
    }

    #[test]
    fn resolve_refuses_parent_dirs_absolute_and_empty_paths() {
        let (_dir, ws) = workspace_beside_outside();
        for rel in [
            "",
            "..",
            "../outside/secret.txt",
            "policies/../../outside/secret.txt",
            // Even a `..` that would come back inside: the path is refused as written.
            "policies/../mandate.toml",
            "/etc/passwd",
        ] {
            assert!(is_outside(ws.resolve(rel)), "`{rel}` was not refused");
        }
        assert_eq!(
            ws.resolve("./policies/tools.cedar").unwrap(),
            ws.root().join("policies/tools.cedar")
        );
        // A file that does not exist yet, in a folder that does not either, is fine.
        assert!(ws.resolve("policies/new/a.cedar").is_ok());
    }

    #[test]
    fn resolve_path_takes_relative_or_absolute_under_the_root_only() {
        let (dir, ws) = workspace_beside_outside();
        let inside = ws.root().join("policies/tools.cedar");
        assert_eq!(ws.resolve_path(&inside).unwrap(), inside);
        assert_eq!(
            ws.resolve_path(Path::new("policies/tools.cedar")).unwrap(),
            inside
        );
        let real = dir.path().canonicalize().unwrap();
        let outside = real.join("outside/secret.txt");
        assert!(is_outside(ws.resolve_path(&outside)));
        assert!(is_outside(
            ws.resolve_path(&ws.root().join("../outside/secret.txt"))
        ));
        assert!(is_outside(ws.resolve_path(ws.root())));
    }

    #[cfg(unix)]
    #[test]
    fn resolve_refuses_symlinks_that_lead_out_of_the_workspace() {
        use std::os::unix::fs::symlink;
        let (dir, ws) = workspace_beside_outside();
        let outside = dir.path().join("outside");
        let root = ws.root().to_path_buf();
        let policies = root.join("policies");
        symlink(&outside, policies.join("out")).unwrap();
        symlink(outside.join("secret.txt"), policies.join("secret.cedar")).unwrap();
        symlink(outside.join("not-yet"), policies.join("dangling.cedar")).unwrap();
        symlink(policies.join("tools.cedar"), policies.join("alias.cedar")).unwrap();
        for rel in [
            "policies/out",
            "policies/out/secret.txt",
            // Not there yet, but written through the link it would land outside.
            "policies/out/new.cedar",
            "policies/out/deeper/new.cedar",
            "policies/secret.cedar",
            "policies/dangling.cedar",
        ] {
            assert!(is_outside(ws.resolve(rel)), "`{rel}` was not refused");
        }
        assert!(is_outside(ws.read_file("policies/out/secret.txt")));
        assert!(is_outside(ws.write_file("policies/out/new.cedar", b"x")));
        assert!(!outside.join("new.cedar").exists());
        // A link that stays inside is an ordinary path.
        assert_eq!(
            ws.resolve("policies/alias.cedar").unwrap(),
            root.join("policies/alias.cedar")
        );
        assert!(is_outside(
            ws.resolve_path(&root.join("policies/out/secret.txt"))
        ));
    }
}
