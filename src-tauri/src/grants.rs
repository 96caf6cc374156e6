//! Which paths the window may name, and the native dialogs that widen that.
//!
//! The webview is not trusted with the file system. A command that takes a path accepts
//! one inside the open workspace (confined by `Session::resolve_path`: no `..`, no symlink
//! leading out), or one the user chose in a native dialog that the shell opened itself;
//! [`Grants`] remembers those for the run. The dialogs run here, not in JavaScript, so the
//! webview has no `dialog:` permission and cannot widen its own reach.
//!
//! End-to-end tests cannot drive a native dialog. `MANDATE_E2E_PICK`, read once at start-up
//! (nothing in the webview can set it), names a file: while it is set, every dialog answers
//! with the path written in that file instead of opening, and removes the file (no file is a
//! cancel). Only the e2e harness sets it; the answer file is written by the test process,
//! which the webview cannot reach.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use mandate::api::dto::{BuildRequest, ExportRequest, ReplayRequest};
use mandate::api::{AccessRequest, AnalyzeRequest, ApiError, ApiResult, Session};
use mandate::ErrorCode;
use serde::Deserialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt as _;

/// The environment variable of the end-to-end seam (see the module docs).
pub const E2E_PICK: &str = "MANDATE_E2E_PICK";

/// A kind of file a save dialog offers, as `SaveTarget.filters` sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

/// The native dialog to show.
#[derive(Debug, Clone)]
pub enum Dialog {
    File,
    Folder,
    Save {
        default_name: String,
        filters: Vec<FileFilter>,
    },
}

/// The paths the user chose in a dialog this run, and the e2e seam's answer file.
#[derive(Debug, Default)]
pub struct Grants {
    picked: Mutex<HashSet<PathBuf>>,
    e2e_answer: Option<PathBuf>,
}

impl Grants {
    /// Reads `MANDATE_E2E_PICK` (once: the grants live as long as the app).
    pub fn from_env() -> Self {
        Self::with_e2e_answer(std::env::var_os(E2E_PICK).map(PathBuf::from))
    }

    fn with_e2e_answer(e2e_answer: Option<PathBuf>) -> Self {
        Self {
            picked: Mutex::default(),
            e2e_answer,
        }
    }

    /// Shows `dialog` (blocking: call it off the main thread) and grants the path chosen;
    /// `None` when the user cancels.
    pub fn pick<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        title: &str,
        dialog: Dialog,
    ) -> ApiResult<Option<String>> {
        let chosen = match &self.e2e_answer {
            Some(file) => take_answer(file)?,
            None => native(app, title, dialog)?,
        };
        chosen.map(|path| self.grant(path)).transpose()
    }

    fn grant(&self, path: PathBuf) -> ApiResult<String> {
        let text = path.to_str().map(str::to_owned).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                format!("`{}` is not valid UTF-8", path.display()),
                Some("choose a file whose path is plain text"),
            )
        })?;
        self.picked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path);
        Ok(text)
    }

    fn granted(&self, path: &Path) -> bool {
        path.is_absolute()
            && self
                .picked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(path)
    }

    /// A folder to open as the workspace: only one chosen in the folder dialog.
    pub fn workspace_folder(&self, path: &str) -> ApiResult<PathBuf> {
        let path = PathBuf::from(path);
        if self.granted(&path) {
            return Ok(path);
        }
        Err(ApiError::new(
            ErrorCode::PathOutsideWorkspace,
            format!("`{}` was not chosen in the folder dialog", path.display()),
            Some("open a workspace with Open… and choose its folder"),
        ))
    }

    /// A file the user chose in the file dialog this run, and nothing typed (the app's solver,
    /// which analyses run).
    pub fn chosen_file(&self, path: &str) -> ApiResult<String> {
        if self.granted(Path::new(path)) {
            return Ok(path.to_owned());
        }
        Err(ApiError::new(
            ErrorCode::PathOutsideWorkspace,
            format!("`{path}` was not chosen in the file dialog"),
            Some("choose the solver with Choose… (the system file dialog)"),
        ))
    }

    /// A path a command reads or writes: one chosen in a dialog as it is, else a path inside
    /// the open workspace (relative to it, or absolute under it), confined to it.
    pub fn path(&self, session: &Session, path: &str) -> ApiResult<PathBuf> {
        let asked = Path::new(path.trim());
        if self.granted(asked) {
            return Ok(asked.to_path_buf());
        }
        session.resolve_path(asked).map_err(|e| match e.code {
            ErrorCode::PathOutsideWorkspace => ApiError::new(
                e.code,
                format!("`{path}` is outside the workspace"),
                Some("a path typed in must be inside the workspace, without `..`; choose one outside it in the system dialog (the Browse…, File…, Folder… or Choose… button beside the field)"),
            ),
            _ => e,
        })
    }

    /// [`Grants::path`] as text, for the requests that carry paths as strings.
    pub fn path_text(&self, session: &Session, path: &str) -> ApiResult<String> {
        self.path(session, path).map(|p| p.display().to_string())
    }

    /// A bundle argument: a published version as it is, else a path ([`Grants::path`]).
    pub fn bundle(&self, session: &Session, spec: &str) -> ApiResult<String> {
        if is_version(spec) {
            Ok(spec.to_owned())
        } else {
            self.path_text(session, spec)
        }
    }

    /// A side of a comparison (`git:REV`, `@none`, `@published`, `@bundle:VERSION`, or a
    /// policy file or folder, also as `@bundle:PATH`) with its path confined.
    pub fn side(&self, session: &Session, spec: Option<String>) -> ApiResult<Option<String>> {
        let Some(spec) = spec else { return Ok(None) };
        let s = spec.trim();
        if let Some(rev) = s.strip_prefix("git:") {
            // A revision is handed to git as an argument: never let it pass for an option.
            return if rev.starts_with('-') {
                Err(ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("`{s}` is not a git revision"),
                    Some("name a revision such as `git:HEAD` or `git:main~3`"),
                ))
            } else {
                Ok(Some(spec))
            };
        }
        if s.is_empty() || s == "@none" || s == "@published" {
            return Ok(Some(spec));
        }
        if let Some(bundle) = s.strip_prefix("@bundle:") {
            return Ok(Some(format!("@bundle:{}", self.bundle(session, bundle)?)));
        }
        self.path_text(session, s).map(Some)
    }

    /// A replay request with its sides confined.
    pub fn replay(&self, session: &Session, mut r: ReplayRequest) -> ApiResult<ReplayRequest> {
        r.baseline = self.side(session, r.baseline)?;
        r.candidate = self.side(session, r.candidate)?;
        Ok(r)
    }

    /// An analysis request with its sides confined; the window never names the solver.
    pub fn analysis(&self, session: &Session, mut r: AnalyzeRequest) -> ApiResult<AnalyzeRequest> {
        no_solver(r.solver.as_deref())?;
        r.baseline = self.side(session, r.baseline)?;
        r.candidate = self.side(session, r.candidate)?;
        Ok(r)
    }

    /// An access request with its sides confined; the window never names the solver.
    pub fn access(&self, session: &Session, mut r: AccessRequest) -> ApiResult<AccessRequest> {
        no_solver(r.solver.as_deref())?;
        r.baseline = self.side(session, r.baseline)?;
        r.candidate = self.side(session, r.candidate)?;
        Ok(r)
    }

    /// An export request whose output file is confined.
    pub fn export(&self, session: &Session, mut r: ExportRequest) -> ApiResult<ExportRequest> {
        r.out = self.path_text(session, &r.out)?;
        Ok(r)
    }

    /// A build request whose output (when named) is confined.
    pub fn build(&self, session: &Session, mut r: BuildRequest) -> ApiResult<BuildRequest> {
        r.out = match r.out.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(out) => Some(self.path_text(session, out)?),
            None => None,
        };
        Ok(r)
    }
}

/// A solver is a program to run: only `mandate.toml`, `$CVC5` or the PATH may name it.
fn no_solver(solver: Option<&str>) -> ApiResult<()> {
    match solver.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(()),
        Some(s) => Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("the window cannot name a solver (`{s}`)"),
            Some("set `[analysis] solver` in mandate.toml, or `$CVC5`"),
        )),
    }
}

/// Whether `spec` reads as a published version (`1.4.0`, `2.0.0-rc.1`), not a path.
fn is_version(spec: &str) -> bool {
    spec.starts_with(|c: char| c.is_ascii_digit())
        && spec
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// The e2e seam's answer: the path in `file`, which is removed; no file is a cancel.
fn take_answer(file: &Path) -> ApiResult<Option<PathBuf>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(file, &e)),
    };
    std::fs::remove_file(file).map_err(|e| io(file, &e))?;
    let answer = text.trim();
    Ok((!answer.is_empty()).then(|| PathBuf::from(answer)))
}

fn io(file: &Path, e: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("cannot take the answer in `{}`: {e}", file.display()),
        None,
    )
}

fn native<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    dialog: Dialog,
) -> ApiResult<Option<PathBuf>> {
    let builder = app.dialog().file().set_title(title);
    let chosen = match dialog {
        Dialog::File => builder.blocking_pick_file(),
        Dialog::Folder => builder.blocking_pick_folder(),
        Dialog::Save {
            default_name,
            filters,
        } => filters
            .iter()
            .fold(builder.set_file_name(default_name), |b, f| {
                let extensions: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
                b.add_filter(&f.name, &extensions)
            })
            .blocking_save_file(),
    };
    chosen.map(|p| p.into_path()).transpose().map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("the dialog answered no path: {e}"),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        mandate::api::init_workspace(&ws, "T", "Acme", "t@example.com").unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        let session = Session::open(&ws).unwrap();
        (dir, session)
    }

    fn outside<T: std::fmt::Debug>(r: ApiResult<T>) -> bool {
        matches!(r, Err(e) if e.code == ErrorCode::PathOutsideWorkspace)
    }

    #[test]
    fn paths_inside_the_workspace_pass_confined_and_others_only_when_picked() {
        let (dir, session) = workspace();
        let grants = Grants::default();
        let root = session.root().to_path_buf();
        assert_eq!(
            grants.path(&session, "requests/a.jsonl").unwrap(),
            root.join("requests/a.jsonl")
        );
        let inside = root.join("policies/tools.cedar");
        assert_eq!(
            grants.path(&session, inside.to_str().unwrap()).unwrap(),
            inside
        );
        let away = dir.path().join("outside/a.jsonl");
        let away_text = away.to_str().unwrap();
        for refused in [
            away_text,
            "../outside/a.jsonl",
            "/etc/passwd",
            "policies/../../x",
        ] {
            assert!(
                outside(grants.path(&session, refused)),
                "`{refused}` passed"
            );
        }
        grants.grant(away.clone()).unwrap();
        assert_eq!(grants.path(&session, away_text).unwrap(), away);
        // A grant is that path, not its folder nor a neighbour.
        assert!(outside(grants.path(&session, &format!("{away_text}.bak"))));
        assert!(outside(
            grants.path(&session, dir.path().join("outside").to_str().unwrap())
        ));
    }

    #[test]
    fn only_a_picked_folder_opens_as_the_workspace() {
        let (dir, _session) = workspace();
        let grants = Grants::default();
        let ws = dir.path().join("ws");
        assert!(outside(grants.workspace_folder(ws.to_str().unwrap())));
        grants.grant(ws.clone()).unwrap();
        assert_eq!(grants.workspace_folder(ws.to_str().unwrap()).unwrap(), ws);
        // Relative grants never match: a dialog answers absolute paths.
        assert!(outside(grants.workspace_folder("ws")));
    }

    #[test]
    fn sides_keep_their_names_and_confine_their_paths() {
        let (dir, session) = workspace();
        let grants = Grants::default();
        let root = session.root().display().to_string();
        let side = |s: &str| grants.side(&session, Some(s.to_owned()));
        for kept in [
            "git:HEAD",
            "git:main~3",
            "@none",
            "@published",
            "@bundle:1.2.0",
            "",
        ] {
            assert_eq!(side(kept).unwrap().as_deref(), Some(kept));
        }
        assert_eq!(grants.side(&session, None).unwrap(), None);
        assert_eq!(side("policies").unwrap(), Some(format!("{root}/policies")));
        assert_eq!(
            side("@bundle:.mandate/drafts/1.0.0").unwrap(),
            Some(format!("@bundle:{root}/.mandate/drafts/1.0.0"))
        );
        let away = dir.path().join("outside").display().to_string();
        assert!(outside(side(&away)));
        assert!(outside(side(&format!("@bundle:{away}"))));
        assert!(outside(side("@bundle:../x")));
        let option = side("git:--output=/tmp/x");
        assert!(matches!(option, Err(e) if e.code == ErrorCode::InvalidArgument));
    }

    #[test]
    fn the_window_never_names_a_solver() {
        let (_dir, session) = workspace();
        let grants = Grants::default();
        let request = AnalyzeRequest {
            solver: Some("/bin/sh".into()),
            ..AnalyzeRequest::default()
        };
        let refused = grants.analysis(&session, request);
        assert!(matches!(refused, Err(e) if e.code == ErrorCode::InvalidArgument));
        assert!(grants.analysis(&session, AnalyzeRequest::default()).is_ok());
    }

    #[test]
    fn versions_are_not_paths() {
        for v in ["1.0.0", "2.0.0-rc.1", "1.0.0+build.5"] {
            assert!(is_version(v), "{v}");
        }
        for p in [
            "bundles/1.0.0",
            "v1.0.0",
            "../1.0.0",
            "",
            "/1.0.0",
            ".mandate",
        ] {
            assert!(!is_version(p), "{p}");
        }
    }

    #[test]
    fn the_e2e_seam_answers_once_from_its_file_and_grants_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pick");
        let grants = Grants::with_e2e_answer(Some(file.clone()));
        assert_eq!(take_answer(&file).unwrap(), None);
        let chosen = dir.path().join("out.csv");
        std::fs::write(&file, format!("{}\n", chosen.display())).unwrap();
        let answer = take_answer(&file).unwrap().unwrap();
        assert_eq!(answer, chosen);
        assert!(!file.exists(), "the answer is taken once");
        grants.grant(answer).unwrap();
        assert!(grants.granted(&chosen));
    }
}
