//! App settings kept in the user's config dir (not in a workspace): recent workspaces.
//!
//! The shell passes its config dir; the core never asks Tauri for it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ApiResult;
use crate::workspace::write_atomic;

pub const SETTINGS_FILE: &str = "settings.json";
const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Most recent first.
    #[serde(default)]
    pub recent_workspaces: Vec<String>,
    /// Who the app acts as in the audit log (a human's id or email); unset means
    /// `MANDATE_ACTOR`, else `git config user.email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

/// Reads the settings; a missing or unreadable file gives the defaults (settings are a
/// convenience, never a reason not to start).
pub fn load(config_dir: &Path) -> Settings {
    std::fs::read_to_string(super::settings_path(config_dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Puts `workspace` first in the recent list and saves atomically.
pub fn remember_workspace(config_dir: &Path, workspace: &Path) -> ApiResult<()> {
    let mut settings = load(config_dir);
    let entry = workspace.display().to_string();
    settings.recent_workspaces.retain(|w| *w != entry);
    settings.recent_workspaces.insert(0, entry);
    settings.recent_workspaces.truncate(MAX_RECENT);
    let text = serde_json::to_string_pretty(&settings).unwrap_or_default();
    write_atomic(&super::settings_path(config_dir), text.as_bytes())?;
    Ok(())
}

/// The acting identity: the settings' `actor`, else [`super::current_actor`].
pub fn actor(config_dir: &Path) -> String {
    load(config_dir)
        .actor
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(super::current_actor)
}

/// The most recent workspace that still exists.
pub fn last_workspace(config_dir: &Path) -> Option<PathBuf> {
    load(config_dir)
        .recent_workspaces
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.join(crate::workspace::CONFIG_FILE).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_most_recent_existing_workspace() {
        let cfg = tempfile::tempdir().unwrap();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("mandate.toml"), "name = \"a\"\n").unwrap();
        assert_eq!(last_workspace(cfg.path()), None);
        remember_workspace(cfg.path(), a.path()).unwrap();
        remember_workspace(cfg.path(), b.path()).unwrap();
        assert_eq!(load(cfg.path()).recent_workspaces.len(), 2);
        // b is newest but is not a workspace; a is returned.
        assert_eq!(last_workspace(cfg.path()), Some(a.path().to_path_buf()));
        remember_workspace(cfg.path(), a.path()).unwrap();
        assert_eq!(
            load(cfg.path()).recent_workspaces[0],
            a.path().display().to_string()
        );
        assert_eq!(load(cfg.path()).recent_workspaces.len(), 2);
    }
}
