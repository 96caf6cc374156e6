//! Content fingerprints of workspace files as this process last saw or wrote them.
//!
//! The watcher compares a changed file's content with its fingerprint: equal means the
//! event is an echo of our own atomic save (or a touch that changed nothing), different
//! means someone else edited it. Comparing content rather than timing makes the check
//! immune to how late or how often the OS delivers events.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest as _, Sha256};

pub type Fingerprint = [u8; 32];

pub fn fingerprint(contents: &[u8]) -> Fingerprint {
    Sha256::digest(contents).into()
}

/// Shared between the workspace (which records its writes) and the watcher.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    inner: Arc<Mutex<HashMap<PathBuf, Fingerprint>>>,
}

impl Fingerprints {
    pub fn record(&self, path: &Path, fp: Fingerprint) {
        self.lock().insert(path.to_path_buf(), fp);
    }

    pub fn forget(&self, path: &Path) -> Option<Fingerprint> {
        self.lock().remove(path)
    }

    pub fn get(&self, path: &Path) -> Option<Fingerprint> {
        self.lock().get(path).copied()
    }

    /// Known files at or below `path`.
    pub fn known_under(&self, path: &Path) -> Vec<PathBuf> {
        self.lock()
            .keys()
            .filter(|k| k.starts_with(path))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Fingerprint>> {
        // A panic while holding the lock cannot leave the map half-updated (single inserts),
        // so a poisoned lock is still safe to use.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
