//! Watches a workspace folder and reports typed [`Change`]s through a callback.
//!
//! notify's events are debounced, then each touched path is compared with its
//! [`Fingerprints`] entry: a file whose content equals what this process last wrote (or
//! saw) is not a change, which is how the app's own atomic saves stay silent. The watcher
//! takes a callback, not an app handle, so tests collect changes into a `Vec` and the
//! desktop shell emits them as events.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::workspace::{classify, fingerprint, relative_to, FileClass, Fingerprints, STATE_DIR};

/// How long events settle before they are reported: short enough that the UI updates well
/// within a second, long enough to fold an editor's write-rename-chmod burst into one.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeKind {
    PolicyAdded,
    PolicyChanged,
    PolicyRemoved,
    InventoryChanged,
    ControlsChanged,
    SchemaChanged,
    ConfigChanged,
}

/// One file changed by something other than this app, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Change {
    pub kind: ChangeKind,
    /// Workspace-relative, `/`-separated.
    pub path: String,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WatchError {
    #[error("cannot watch `{path}`: {source}")]
    #[diagnostic(
        code(mandate::watch::start),
        help("on Linux, raise `fs.inotify.max_user_watches` if many folders are watched")
    )]
    Start {
        path: String,
        #[source]
        source: notify::Error,
    },
}

/// Keeps the watcher running; dropping it stops watching.
pub struct WatchHandle {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

impl std::fmt::Debug for WatchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WatchHandle")
    }
}

/// Starts watching `root`. `on_change` receives each batch of changes (sorted, de-duplicated);
/// its error is ignored, because a failed delivery (a closed window) must not stop the
/// watcher for the others.
pub fn watch<F>(
    root: &Path,
    fingerprints: Fingerprints,
    on_change: F,
) -> Result<WatchHandle, WatchError>
where
    F: Fn(Vec<Change>) -> Result<(), crate::Error> + Send + Sync + 'static,
{
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    snapshot(&root, &fingerprints);
    let state = Tracker {
        root: root.clone(),
        fingerprints,
    };
    let start_err = |source| WatchError::Start {
        path: root.display().to_string(),
        source,
    };
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let changes = match result {
            Ok(events) => {
                let rescan = events.iter().any(|e| e.need_rescan());
                let paths: BTreeSet<PathBuf> =
                    events.into_iter().flat_map(|e| e.event.paths).collect();
                if rescan {
                    state.rescan()
                } else {
                    state.diff(paths)
                }
            }
            // Lost events (queue overflow): compare everything rather than miss a change.
            Err(_) => state.rescan(),
        };
        if !changes.is_empty() {
            let _ = on_change(changes);
        }
    })
    .map_err(start_err)?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(start_err)?;
    Ok(WatchHandle {
        _debouncer: debouncer,
    })
}

struct Tracker {
    root: PathBuf,
    fingerprints: Fingerprints,
}

impl Tracker {
    /// Changes among `paths` (files or folders touched) against the fingerprints.
    fn diff(&self, paths: BTreeSet<PathBuf>) -> Vec<Change> {
        let mut candidates = BTreeSet::new();
        for path in paths {
            if ignored(&self.root, &path) {
                continue;
            }
            candidates.extend(self.fingerprints.known_under(&path));
            if path.is_dir() {
                candidates.extend(tracked_files(&self.root, &path));
            } else {
                candidates.insert(path);
            }
        }
        self.compare(candidates)
    }

    fn rescan(&self) -> Vec<Change> {
        let mut candidates: BTreeSet<PathBuf> = self
            .fingerprints
            .known_under(&self.root)
            .into_iter()
            .collect();
        candidates.extend(tracked_files(&self.root, &self.root));
        self.compare(candidates)
    }

    fn compare(&self, candidates: BTreeSet<PathBuf>) -> Vec<Change> {
        let mut out = BTreeSet::new();
        for path in candidates {
            let Some(rel) = relative_to(&self.root, &path) else {
                continue;
            };
            let Some(class) = classify(Path::new(&rel)) else {
                continue;
            };
            let before = self.fingerprints.get(&path);
            let now = std::fs::read(&path).ok().map(|b| fingerprint(&b));
            let status = match (before, now) {
                (None, Some(fp)) => {
                    self.fingerprints.record(&path, fp);
                    Status::Added
                }
                (Some(old), Some(fp)) if old != fp => {
                    self.fingerprints.record(&path, fp);
                    Status::Changed
                }
                (Some(_), None) => {
                    self.fingerprints.forget(&path);
                    Status::Removed
                }
                _ => continue,
            };
            out.insert(Change {
                kind: kind_of(class, status),
                path: rel,
            });
        }
        out.into_iter().collect()
    }
}

enum Status {
    Added,
    Changed,
    Removed,
}

fn kind_of(class: FileClass, status: Status) -> ChangeKind {
    match (class, status) {
        (FileClass::Policy, Status::Added) => ChangeKind::PolicyAdded,
        (FileClass::Policy, Status::Changed) => ChangeKind::PolicyChanged,
        (FileClass::Policy, Status::Removed) => ChangeKind::PolicyRemoved,
        (FileClass::Inventory, _) => ChangeKind::InventoryChanged,
        (FileClass::Controls, _) => ChangeKind::ControlsChanged,
        (FileClass::Schema, _) => ChangeKind::SchemaChanged,
        (FileClass::Config, _) => ChangeKind::ConfigChanged,
    }
}

/// Machine-local state and VCS internals never count as workspace changes.
fn ignored(root: &Path, path: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rel) => {
            rel.starts_with(STATE_DIR) || rel.starts_with(".git") || rel.starts_with("node_modules")
        }
        Err(_) => true,
    }
}

/// Files Mandate reads, at or below `dir`.
fn tracked_files(root: &Path, dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !ignored(root, e.path()) || e.path() == root)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            relative_to(root, e.path()).is_some_and(|rel| classify(Path::new(&rel)).is_some())
        })
        .map(|e| e.into_path())
        .collect()
}

/// Records the current content of every tracked file, so later events compare against it.
fn snapshot(root: &Path, fingerprints: &Fingerprints) {
    for path in tracked_files(root, root) {
        if let Ok(bytes) = std::fs::read(&path) {
            fingerprints.record(&path, fingerprint(&bytes));
        }
    }
}
