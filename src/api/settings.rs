//! App settings kept in the user's config dir (not in a workspace), in `settings.json`: who
//! the app acts as, the theme, the app's own SMT solver and the recent workspaces.
//!
//! The shell passes its config dir; the core never asks Tauri for it. Settings are a
//! convenience, never a reason not to start: a file that is missing, unreadable or invalid
//! gives the defaults for what could not be read, and [`read`] names each problem (file,
//! line, what was wrong) so the Settings page can show it. Writes are atomic and serialised
//! within the process; keys this version does not know (a newer app's) are kept as they are,
//! and a file that is not a JSON object is copied to `settings.json.invalid` before the next
//! write replaces it, so nothing the user wrote is lost.
//!
//! Precedence. The acting identity: `actor` here, else `MANDATE_ACTOR`, else
//! `git config user.email`, else the login name — read again for every audited action, so a
//! change applies to the next one. The solver: `--solver` (CLI), `$CVC5`, the workspace's
//! `[analysis] solver`, then `solver` here, then what `scripts/deps.sh` installed, then `cvc5`
//! and `z3` on `PATH` (see [`crate::analysis::solver::discover`]): what a person or a
//! workspace names for a run beats a machine-wide default, and a named solver that does not
//! run is reported, never silently replaced.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{ApiError, ApiResult, Session};
use crate::analysis::solver;
pub use crate::analysis::solver::{SolverInfo, SolverKind};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::workspace::{write_atomic, Config, CONFIG_FILE};

pub const SETTINGS_FILE: &str = "settings.json";
/// Appended to the settings file's name for the copy kept of a file that did not parse.
pub const INVALID_SUFFIX: &str = ".invalid";
const MAX_RECENT: usize = 10;
/// Longest acting identity accepted (the longest email address).
const MAX_ACTOR_LEN: usize = 254;
/// How many inventory ids an unknown acting identity is offered.
const SUGGESTIONS: usize = 3;
/// Where a solver set here comes from, as [`SolverInfo::source`] says it.
pub const SOLVER_SOURCE: &str = solver::APP_SOURCE;

/// One writer at a time: every change reads, edits and replaces the whole file.
static WRITE: Mutex<()> = Mutex::new(());

/// The app's colour theme: `system` follows the operating system's light or dark setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Self; 3] = [Self::System, Self::Light, Self::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// `system`, `light` or `dark`; anything else is `invalid_argument`.
    pub fn parse(text: &str) -> ApiResult<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text.trim())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidArgument,
                    format!("unknown theme `{}`", text.trim()),
                    Some("the theme is one of `system`, `light` or `dark`"),
                )
            })
    }

    fn is_system(&self) -> bool {
        *self == Self::System
    }
}

/// `settings.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Most recent first.
    #[serde(default)]
    pub recent_workspaces: Vec<String>,
    /// Who the app acts as in the audit log and approvals (a person's inventory id or
    /// email); unset means `MANDATE_ACTOR`, else `git config user.email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Theme::is_system")]
    pub theme: Theme,
    /// The app's solver (an absolute path), used when neither `$CVC5` nor the workspace's
    /// `[analysis] solver` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solver: Option<String>,
    /// Keys this version does not know, kept as they are.
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

/// The settings as read, and what was wrong with the file.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub settings: Settings,
    /// Each problem of the file (`file` is `settings.json`); what it concerns fell back to
    /// its default.
    pub problems: Vec<Diagnostic>,
    /// The file is there but is not a JSON object: the next write keeps a copy of it.
    unparsed: bool,
}

/// Reads the settings, tolerating anything: a missing file gives the defaults, a bad value
/// its default, each with a problem saying what and where.
pub fn read(config_dir: &Path) -> Read {
    let path = super::settings_path(config_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::default(),
        Err(e) => {
            return Read {
                problems: vec![Diagnostic::whole_file(
                    SETTINGS_FILE,
                    Severity::Warning,
                    "settings::unreadable",
                    format!("cannot read `{}`: {e}", path.display()),
                    Some("the defaults are used; saving a setting replaces the file".into()),
                )],
                unparsed: true,
                ..Read::default()
            }
        }
    };
    parse(&text)
}

/// [`read`] without the problems.
pub fn load(config_dir: &Path) -> Settings {
    read(config_dir).settings
}

/// Reads the text of a settings file; see [`read`].
pub fn parse(text: &str) -> Read {
    let mut read = Read::default();
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            read.unparsed = true;
            read.problems.push(Diagnostic::whole_file(
                SETTINGS_FILE,
                Severity::Warning,
                "settings::not_an_object",
                "the settings file is not a JSON object",
                Some(unparsed_help()),
            ));
            return read;
        }
        Err(e) => {
            read.unparsed = true;
            read.problems.push(Diagnostic::at_line(
                SETTINGS_FILE,
                e.line(),
                e.column(),
                Severity::Warning,
                "settings::syntax",
                format!("the settings file is not valid JSON: {e}"),
                Some(unparsed_help()),
            ));
            return read;
        }
    };
    let problem = |key: &str, message: String, help: &str| {
        let start = text.find(&format!("\"{key}\"")).unwrap_or(0);
        Diagnostic::at_span(
            SETTINGS_FILE,
            text,
            start,
            start + key.len() + 2,
            Severity::Warning,
            "settings::invalid_value",
            message,
            Some(help.to_owned()),
        )
    };
    for (key, value) in object {
        match key.as_str() {
            "recent_workspaces" => match value {
                Value::Array(items) => {
                    for item in items {
                        match item {
                            Value::String(s) if !s.trim().is_empty() => {
                                if !read.settings.recent_workspaces.contains(&s) {
                                    read.settings.recent_workspaces.push(s);
                                }
                            }
                            other => read.problems.push(problem(
                                &key,
                                format!("a recent workspace is `{other}`, not a folder path"),
                                "it is left out of the list",
                            )),
                        }
                    }
                }
                other => read.problems.push(problem(
                    &key,
                    format!("`recent_workspaces` is `{other}`, not a list of folders"),
                    "the list starts empty",
                )),
            },
            "actor" => match value {
                Value::Null => {}
                Value::String(s) => match check_actor(&s) {
                    Ok(actor) => read.settings.actor = actor,
                    Err(e) => read.problems.push(problem(
                        &key,
                        e.message,
                        "the app acts as MANDATE_ACTOR or git's user.email instead",
                    )),
                },
                other => read.problems.push(problem(
                    &key,
                    format!("`actor` is `{other}`, not a name"),
                    "the app acts as MANDATE_ACTOR or git's user.email instead",
                )),
            },
            "theme" => match value.as_str().map(Theme::parse) {
                Some(Ok(theme)) => read.settings.theme = theme,
                _ => read.problems.push(problem(
                    &key,
                    format!(
                        "unknown theme `{}`",
                        value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_owned)
                    ),
                    "the theme is one of `system`, `light` or `dark`; `system` is used",
                )),
            },
            "solver" => match value {
                Value::Null => {}
                Value::String(s) => match check_solver_path(&s) {
                    Ok(path) => read.settings.solver = Some(path),
                    Err(e) => read.problems.push(problem(
                        &key,
                        e.message,
                        "it is not used; choose the solver again in Settings",
                    )),
                },
                other => read.problems.push(problem(
                    &key,
                    format!("`solver` is `{other}`, not a path"),
                    "it is not used; choose the solver again in Settings",
                )),
            },
            _ => {
                let start = text.find(&format!("\"{key}\"")).unwrap_or(0);
                read.problems.push(Diagnostic::at_span(
                    SETTINGS_FILE,
                    text,
                    start,
                    start + key.len() + 2,
                    Severity::Info,
                    "settings::unknown_key",
                    format!("unknown setting `{key}`"),
                    Some("kept as it is (a newer Mandate may have written it)".into()),
                ));
                read.settings.other.insert(key, value);
            }
        }
    }
    crate::diagnostics::sort(&mut read.problems);
    read
}

fn unparsed_help() -> String {
    format!(
        "the defaults are used; the next change in Settings keeps a copy as `{SETTINGS_FILE}{INVALID_SUFFIX}` and writes a new file"
    )
}

/// Reads the settings, lets `change` edit them and writes them back atomically.
fn update(
    config_dir: &Path,
    change: impl FnOnce(&mut Settings) -> ApiResult<()>,
) -> ApiResult<Settings> {
    let _one_writer = WRITE.lock().unwrap_or_else(PoisonError::into_inner);
    let Read {
        mut settings,
        unparsed,
        ..
    } = read(config_dir);
    change(&mut settings)?;
    let path = super::settings_path(config_dir);
    if unparsed {
        let mut aside = path.clone().into_os_string();
        aside.push(INVALID_SUFFIX);
        // Unreadable files cannot be copied either; they are replaced all the same.
        let _ = std::fs::copy(&path, PathBuf::from(aside));
    }
    let text = serde_json::to_string_pretty(&settings)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?;
    write_atomic(&path, format!("{text}\n").as_bytes())?;
    Ok(settings)
}

/// Puts `workspace` first in the recent list and saves atomically.
pub fn remember_workspace(config_dir: &Path, workspace: &Path) -> ApiResult<()> {
    let entry = workspace.display().to_string();
    update(config_dir, |s| {
        s.recent_workspaces.retain(|w| *w != entry);
        s.recent_workspaces.insert(0, entry);
        s.recent_workspaces.truncate(MAX_RECENT);
        Ok(())
    })
    .map(drop)
}

/// Takes `workspace` off the recent list; `not_found` when it is not on it.
pub fn forget_workspace(config_dir: &Path, workspace: &str) -> ApiResult<()> {
    update(config_dir, |s| {
        let before = s.recent_workspaces.len();
        s.recent_workspaces.retain(|w| w != workspace);
        if s.recent_workspaces.len() == before {
            return Err(not_recent(workspace));
        }
        Ok(())
    })
    .map(drop)
}

/// `workspace` when it is on the recent list (which only the app writes, each entry a folder
/// the user once opened); `not_found` otherwise.
pub fn recent_workspace(config_dir: &Path, workspace: &str) -> ApiResult<PathBuf> {
    load(config_dir)
        .recent_workspaces
        .iter()
        .find(|w| *w == workspace)
        .map(PathBuf::from)
        .ok_or_else(|| not_recent(workspace))
}

fn not_recent(workspace: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("`{workspace}` is not on the list of recent workspaces"),
        Some("open it with Open workspace… and choose its folder"),
    )
}

/// The most recent workspace that still exists.
pub fn last_workspace(config_dir: &Path) -> Option<PathBuf> {
    load(config_dir)
        .recent_workspaces
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.join(CONFIG_FILE).is_file())
}

// ---- The acting identity ----

/// Where the acting identity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActorSource {
    /// Set in the app's Settings (`settings.json`).
    Settings,
    /// `MANDATE_ACTOR`.
    Environment,
    /// `git config user.email`.
    Git,
    /// The login name (`$USER`), when nothing else names anyone.
    Login,
}

/// `actor` trimmed, `None` when blank; `invalid_argument` for control or invisible
/// characters or more than 254 characters (an identity ends up in signed approvals and the
/// audit log, where such characters would hide who acted).
pub fn check_actor(actor: &str) -> ApiResult<Option<String>> {
    let actor = actor.trim();
    if actor.is_empty() {
        return Ok(None);
    }
    let help = Some("use a person's id from inventory/people.toml (`dana`) or their email");
    if let Some(c) = actor
        .chars()
        .find(|c| c.is_control() || super::is_hidden_char(*c))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!(
                "the acting identity has a control or invisible character (U+{:04X})",
                u32::from(c)
            ),
            help,
        ));
    }
    if actor.chars().count() > MAX_ACTOR_LEN {
        return Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("the acting identity is longer than {MAX_ACTOR_LEN} characters"),
            help,
        ));
    }
    Ok(Some(actor.to_owned()))
}

/// Sets (or, with `None` or a blank name, clears) the acting identity. It is not refused for
/// naming nobody in the inventory: the Settings page warns instead (see [`view`]).
pub fn set_actor(config_dir: &Path, actor: Option<&str>) -> ApiResult<()> {
    let actor = actor.map(check_actor).transpose()?.flatten();
    update(config_dir, |s| {
        s.actor = actor;
        Ok(())
    })
    .map(drop)
}

/// Who is acting without a setting: `MANDATE_ACTOR`, else `git config user.email`, else the
/// login name.
pub fn default_actor() -> (String, ActorSource) {
    if let Ok(actor) = std::env::var("MANDATE_ACTOR") {
        if !actor.trim().is_empty() {
            return (actor.trim().to_owned(), ActorSource::Environment);
        }
    }
    let git = std::process::Command::new("git")
        .args(["config", "user.email"])
        .output();
    if let Ok(out) = git {
        let email = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if out.status.success() && !email.is_empty() {
            return (email, ActorSource::Git);
        }
    }
    let login = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    (login, ActorSource::Login)
}

/// The setting when there is one, else what `fallback` finds (only then asked).
pub fn resolve_actor(
    setting: Option<&str>,
    fallback: impl FnOnce() -> (String, ActorSource),
) -> (String, ActorSource) {
    match setting.map(str::trim).filter(|a| !a.is_empty()) {
        Some(actor) => (actor.to_owned(), ActorSource::Settings),
        None => fallback(),
    }
}

/// The acting identity: the settings' `actor`, else [`default_actor`]. Read from the file
/// each time, so a change applies to the very next audited action.
pub fn actor(config_dir: &Path) -> String {
    resolve_actor(load(config_dir).actor.as_deref(), default_actor).0
}

/// Who the app acts as, where that comes from, and whether the workspace knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActingIdentity {
    pub actor: String,
    pub source: ActorSource,
    /// `actor` in `settings.json`.
    pub setting: Option<String>,
    /// Who the app acts as without the setting, and from where.
    pub default_actor: String,
    pub default_source: ActorSource,
    /// The identity checked against the open workspace's people; `None` without a workspace.
    pub person: Option<PersonCheck>,
}

/// An acting identity looked up in `inventory/people.toml` (by id or email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonCheck {
    /// The inventory id of the person named; `None` when nobody matches.
    pub id: Option<String>,
    pub name: Option<String>,
    /// What to know before acting as this identity (not in the inventory, departed).
    pub warning: Option<String>,
    /// With no match, the closest inventory ids, best first.
    pub suggestions: Vec<String>,
}

/// Looks `actor` up among `humans` (by id, or by email ignoring case).
pub fn check_person(actor: &str, humans: &[crate::inventory::Human]) -> PersonCheck {
    let found = humans
        .iter()
        .find(|h| h.id == actor || h.email.eq_ignore_ascii_case(actor));
    if let Some(h) = found {
        let warning = h.departed.then(|| {
            format!(
                "`{}` ({}) has left the organisation in the inventory: approvals and audit entries will name someone who can no longer answer for them",
                h.id, h.name
            )
        });
        return PersonCheck {
            id: Some(h.id.clone()),
            name: Some(h.name.clone()),
            warning,
            suggestions: Vec::new(),
        };
    }
    let lowered = actor.to_lowercase();
    let mut scored: Vec<(f64, &str)> = humans
        .iter()
        .filter(|h| !h.departed)
        .map(|h| {
            let by_id = strsim::normalized_damerau_levenshtein(&lowered, &h.id.to_lowercase());
            let by_email =
                strsim::normalized_damerau_levenshtein(&lowered, &h.email.to_lowercase());
            (by_id.max(by_email), h.id.as_str())
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let warning = if humans.is_empty() {
        format!("`{actor}` is not in the inventory: inventory/people.toml lists nobody yet")
    } else {
        format!(
            "`{actor}` is not a person in inventory/people.toml: approvals and audit entries will name someone the inventory does not know"
        )
    };
    PersonCheck {
        id: None,
        name: None,
        warning: Some(warning),
        suggestions: scored
            .into_iter()
            .take(SUGGESTIONS)
            .map(|(_, id)| id.to_owned())
            .collect(),
    }
}

fn acting_identity(settings: &Settings, session: Option<&Session>) -> ActingIdentity {
    let (default_actor, default_source) = default_actor();
    let (actor, source) = resolve_actor(settings.actor.as_deref(), || {
        (default_actor.clone(), default_source)
    });
    let person = session.map(|s| check_person(&actor, &s.load_inventory().0.people.humans));
    ActingIdentity {
        actor,
        source,
        setting: settings.actor.clone(),
        default_actor,
        default_source,
        person,
    }
}

// ---- The solver ----

/// An absolute path, trimmed, without control characters; `invalid_argument` otherwise.
fn check_solver_path(path: &str) -> ApiResult<String> {
    let path = path.trim();
    if path.chars().any(char::is_control) || !Path::new(path).is_absolute() {
        return Err(ApiError::new(
            ErrorCode::InvalidArgument,
            format!("the solver path `{path}` is not an absolute path"),
            Some("choose the solver's executable (cvc5 or z3); `cvc5` and `z3` on PATH are found without a setting"),
        ));
    }
    Ok(path.to_owned())
}

/// Runs `path --version` and reads which solver it is; `solver_unavailable` with what went
/// wrong when it does not run or is not cvc5 or Z3.
pub fn check_solver(path: &str) -> ApiResult<SolverInfo> {
    let path = check_solver_path(path)?;
    match solver::probe(&path) {
        Ok((kind, version)) => Ok(SolverInfo {
            caveat: solver::caveat(kind, &version),
            kind,
            path,
            version,
            source: SOLVER_SOURCE.to_owned(),
        }),
        Err(why) => Err(ApiError::new(
            ErrorCode::SolverUnavailable,
            format!("`{path}` does not run as an SMT solver: {why}"),
            Some("choose a cvc5 (1.1 or later) or z3 executable; `bash scripts/deps.sh` installs cvc5 1.4 into target/solver-venv"),
        )),
    }
}

/// Sets the app's solver after checking that it runs (nothing is saved when it does not),
/// or clears it with `None`. Call [`apply`] after it for analyses to use it.
pub fn set_solver_path(config_dir: &Path, path: Option<&str>) -> ApiResult<Option<SolverInfo>> {
    let info = path
        .filter(|p| !p.trim().is_empty())
        .map(check_solver)
        .transpose()?;
    let solver = info.as_ref().map(|i| i.path.clone());
    update(config_dir, |s| {
        s.solver = solver;
        Ok(())
    })?;
    Ok(info)
}

/// Makes the settings' solver the app-wide default that analyses fall back to (see the
/// module docs for the order). The desktop shell calls this at start and after a change.
pub fn apply(config_dir: &Path) {
    solver::set_app_solver(load(config_dir).solver);
}

/// The solver an analysis of `session`'s workspace (or of loose files, without one) would
/// use now, found and probed as an analysis finds it; `solver_unavailable` with every
/// candidate tried and why it was passed over.
pub fn solver_in_use(session: Option<&Session>) -> ApiResult<SolverInfo> {
    let configured = session.and_then(|s| s.workspace.config().analysis.solver.clone());
    solver::discover(None, configured.as_deref(), session.map(Session::root)).map_err(|e| {
        ApiError::new(
            ErrorCode::SolverUnavailable,
            e.to_string(),
            miette::Diagnostic::help(&e)
                .map(|h| h.to_string())
                .as_deref(),
        )
    })
}

// ---- The Settings page ----

/// A workspace on the recent list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecentWorkspace {
    pub path: String,
    /// From its `mandate.toml`; `None` when that is missing or does not parse.
    pub name: Option<String>,
    /// The folder still holds a `mandate.toml`.
    pub exists: bool,
    /// It is the workspace open now.
    pub open: bool,
}

/// Everything the Settings page shows, read fresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsView {
    /// The settings file's full path.
    pub file: String,
    pub actor: ActingIdentity,
    pub theme: Theme,
    /// The app's solver path (absolute), if set.
    pub solver: Option<String>,
    /// Most recent first.
    pub recent: Vec<RecentWorkspace>,
    /// What was wrong with the settings file (each fell back to its default).
    pub problems: Vec<Diagnostic>,
}

/// The settings, the acting identity checked against `session`'s inventory, and the recent
/// workspaces as they are on disk now.
pub fn view(config_dir: &Path, session: Option<&Session>) -> SettingsView {
    let Read {
        settings, problems, ..
    } = read(config_dir);
    let open = session.map(|s| s.root().display().to_string());
    let recent = settings
        .recent_workspaces
        .iter()
        .map(|path| {
            let config = Path::new(path).join(CONFIG_FILE);
            let name = std::fs::read_to_string(&config)
                .ok()
                .and_then(|text| Config::parse(&text).ok())
                .map(|c| c.name);
            RecentWorkspace {
                path: path.clone(),
                name,
                exists: config.is_file(),
                open: open.as_deref() == Some(path.as_str()),
            }
        })
        .collect();
    SettingsView {
        file: super::settings_path(config_dir).display().to_string(),
        actor: acting_identity(&settings, session),
        theme: settings.theme,
        solver: settings.solver.clone(),
        recent,
        problems,
    }
}

/// Saves the theme (`system`, `light` or `dark`).
pub fn set_theme(config_dir: &Path, theme: &str) -> ApiResult<Theme> {
    let theme = Theme::parse(theme)?;
    update(config_dir, |s| {
        s.theme = theme;
        Ok(())
    })?;
    Ok(theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(id: &str, email: &str) -> crate::inventory::Human {
        crate::inventory::Human {
            id: id.into(),
            name: id.to_uppercase(),
            email: email.into(),
            team: None,
            departed: false,
            departed_on: None,
        }
    }

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

    #[test]
    fn every_setting_round_trips_and_unknown_keys_are_kept() {
        let cfg = tempfile::tempdir().unwrap();
        std::fs::write(
            super::super::settings_path(cfg.path()),
            r#"{"recent_workspaces": [], "from_a_newer_app": {"x": 1}}"#,
        )
        .unwrap();
        set_actor(cfg.path(), Some("  dana@acme.example ")).unwrap();
        set_theme(cfg.path(), "dark").unwrap();
        remember_workspace(cfg.path(), Path::new("/w/one")).unwrap();
        let read = read(cfg.path());
        assert_eq!(read.settings.actor.as_deref(), Some("dana@acme.example"));
        assert_eq!(read.settings.theme, Theme::Dark);
        assert_eq!(read.settings.recent_workspaces, vec!["/w/one".to_owned()]);
        assert_eq!(
            read.settings.other.get("from_a_newer_app"),
            Some(&serde_json::json!({"x": 1}))
        );
        // The unknown key is reported, as information only.
        assert_eq!(read.problems.len(), 1);
        assert_eq!(read.problems[0].code, "settings::unknown_key");
        assert_eq!(read.problems[0].severity, Severity::Info);
        // Clearing removes the key from the file; `system` is the default and not written.
        set_actor(cfg.path(), None).unwrap();
        set_theme(cfg.path(), "system").unwrap();
        let text = std::fs::read_to_string(super::super::settings_path(cfg.path())).unwrap();
        assert!(!text.contains("actor"), "{text}");
        assert!(!text.contains("theme"), "{text}");
        assert!(text.contains("from_a_newer_app"), "{text}");
    }

    #[test]
    fn a_file_that_is_not_json_gives_defaults_a_located_problem_and_is_kept_aside() {
        let cfg = tempfile::tempdir().unwrap();
        let path = super::super::settings_path(cfg.path());
        std::fs::write(&path, "{\n  \"theme\": \"dark\",\n  oops\n}\n").unwrap();
        let read = read(cfg.path());
        assert_eq!(read.settings, Settings::default());
        assert_eq!(read.problems.len(), 1);
        assert_eq!(read.problems[0].code, "settings::syntax");
        assert_eq!(read.problems[0].line, 3);
        assert!(read.problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains(".invalid"));
        // The app still starts: nothing here fails, and the first write keeps the bad file.
        set_theme(cfg.path(), "light").unwrap();
        let kept = std::fs::read_to_string(cfg.path().join("settings.json.invalid")).unwrap();
        assert!(kept.contains("oops"));
        assert_eq!(load(cfg.path()).theme, Theme::Light);
        assert!(super::read(cfg.path()).problems.is_empty());
    }

    #[test]
    fn bad_values_fall_back_one_by_one_with_a_problem_on_their_line() {
        let text = "{\n  \"theme\": \"purple\",\n  \"actor\": \"dana\\u0007\",\n  \"solver\": \"bin/cvc5\",\n  \"recent_workspaces\": [\"/w/a\", 3]\n}";
        let read = parse(text);
        assert_eq!(read.settings.theme, Theme::System);
        assert_eq!(read.settings.actor, None);
        assert_eq!(read.settings.solver, None);
        assert_eq!(read.settings.recent_workspaces, vec!["/w/a".to_owned()]);
        let lines: Vec<(u32, &str)> = read
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[0], (2, "unknown theme `purple`"));
        assert_eq!(lines[1].0, 3);
        assert!(lines[1].1.contains("U+0007"), "{lines:?}");
        assert_eq!(lines[2].0, 4);
        assert!(lines[2].1.contains("not an absolute path"), "{lines:?}");
        assert_eq!(
            lines[3],
            (5, "a recent workspace is `3`, not a folder path")
        );
        assert!(read
            .problems
            .iter()
            .all(|p| p.severity == Severity::Warning));
        assert!(!read.unparsed);
    }

    #[test]
    fn themes_are_validated_with_a_coded_error() {
        assert_eq!(Theme::parse("dark").unwrap(), Theme::Dark);
        assert_eq!(Theme::parse(" light ").unwrap(), Theme::Light);
        let err = Theme::parse("Dark mode").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert_eq!(err.message, "unknown theme `Dark mode`");
        assert!(err.help.unwrap().contains("`system`, `light` or `dark`"));
        let cfg = tempfile::tempdir().unwrap();
        assert!(set_theme(cfg.path(), "blue").is_err());
        // Refused: nothing was written.
        assert!(!super::super::settings_path(cfg.path()).exists());
    }

    #[test]
    fn the_setting_wins_over_the_environment_and_git_and_blank_means_unset() {
        let mut asked = false;
        let fallback = || (String::from("env@x"), ActorSource::Environment);
        assert_eq!(
            resolve_actor(Some(" rhea "), || {
                asked = true;
                fallback()
            }),
            ("rhea".to_owned(), ActorSource::Settings)
        );
        assert!(
            !asked,
            "the fallback (git) is not run when the setting names someone"
        );
        assert_eq!(
            resolve_actor(Some("  "), fallback),
            ("env@x".to_owned(), ActorSource::Environment)
        );
        assert_eq!(
            resolve_actor(None, || ("dana@git".into(), ActorSource::Git)),
            ("dana@git".to_owned(), ActorSource::Git)
        );
        let cfg = tempfile::tempdir().unwrap();
        set_actor(cfg.path(), Some("rhea")).unwrap();
        assert_eq!(actor(cfg.path()), "rhea");
    }

    #[test]
    fn actors_with_hidden_characters_or_too_long_are_refused() {
        let cfg = tempfile::tempdir().unwrap();
        let err = set_actor(cfg.path(), Some("dana\u{202e}moc")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert!(err.message.contains("U+202E"), "{}", err.message);
        let long = "a".repeat(MAX_ACTOR_LEN + 1);
        assert_eq!(
            set_actor(cfg.path(), Some(&long)).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(check_actor("   ").unwrap(), None);
    }

    #[test]
    fn an_unknown_actor_is_warned_about_with_the_closest_ids() {
        let humans = vec![
            human("dana", "dana@acme.example"),
            human("sam", "sam@acme.example"),
            human("rhea", "rhea@acme.example"),
            human("daniel", "daniel@acme.example"),
        ];
        let found = check_person("DANA@acme.example", &humans);
        assert_eq!(found.id.as_deref(), Some("dana"));
        assert_eq!(found.warning, None);
        let typo = check_person("dnaa", &humans);
        assert_eq!(typo.id, None);
        assert!(typo.warning.unwrap().contains("not a person"));
        assert_eq!(typo.suggestions.len(), 3);
        assert_eq!(typo.suggestions[0], "dana");
        let mut departed = humans.clone();
        departed[1].departed = true;
        let gone = check_person("sam", &departed);
        assert_eq!(gone.id.as_deref(), Some("sam"));
        assert!(gone.warning.unwrap().contains("left the organisation"));
        let nobody = check_person("dana", &[]);
        assert!(nobody.warning.unwrap().contains("lists nobody"));
        assert!(nobody.suggestions.is_empty());
    }

    #[test]
    fn a_solver_that_does_not_exist_is_a_coded_error_and_is_not_saved() {
        let cfg = tempfile::tempdir().unwrap();
        let missing = cfg.path().join("no-such-cvc5");
        let err = check_solver(missing.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::SolverUnavailable);
        assert!(err.message.ends_with("not found"), "{}", err.message);
        assert!(err.help.unwrap().contains("cvc5"));
        let err = set_solver_path(cfg.path(), missing.to_str()).unwrap_err();
        assert_eq!(err.code, ErrorCode::SolverUnavailable);
        assert_eq!(load(cfg.path()).solver, None);
        let relative = check_solver("bin/cvc5").unwrap_err();
        assert_eq!(relative.code, ErrorCode::InvalidArgument);
    }

    #[cfg(unix)]
    #[test]
    fn a_solver_that_answers_its_version_probe_is_read_and_saved() {
        use std::os::unix::fs::PermissionsExt as _;
        let cfg = tempfile::tempdir().unwrap();
        let fake = cfg.path().join("fake-cvc5");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho 'This is cvc5 version 1.0.3 [git tag 1.0.3]'\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let info = set_solver_path(cfg.path(), fake.to_str()).unwrap().unwrap();
        assert_eq!(info.kind, solver::SolverKind::Cvc5);
        assert_eq!(info.version, "1.0.3");
        assert_eq!(info.source, SOLVER_SOURCE);
        assert!(info.caveat.unwrap().contains("bvnego"));
        assert_eq!(
            load(cfg.path()).solver.as_deref(),
            Some(fake.to_str().unwrap())
        );
        set_solver_path(cfg.path(), None).unwrap();
        assert_eq!(load(cfg.path()).solver, None);
    }

    #[test]
    fn forgetting_and_opening_recent_workspaces_only_names_listed_ones() {
        let cfg = tempfile::tempdir().unwrap();
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(
            ws.path().join("mandate.toml"),
            "name = \"Acme\"\nnamespace = \"Acme\"\n",
        )
        .unwrap();
        remember_workspace(cfg.path(), Path::new("/gone/away")).unwrap();
        remember_workspace(cfg.path(), ws.path()).unwrap();
        let v = view(cfg.path(), None);
        assert_eq!(v.recent.len(), 2);
        assert_eq!(v.recent[0].name.as_deref(), Some("Acme"));
        assert!(v.recent[0].exists);
        assert!(!v.recent[1].exists);
        assert_eq!(v.recent[1].name, None);
        assert_eq!(v.actor.person, None);
        let listed = ws.path().display().to_string();
        assert_eq!(
            recent_workspace(cfg.path(), &listed).unwrap(),
            ws.path().to_path_buf()
        );
        assert_eq!(
            recent_workspace(cfg.path(), "/etc").unwrap_err().code,
            ErrorCode::NotFound
        );
        forget_workspace(cfg.path(), "/gone/away").unwrap();
        assert_eq!(load(cfg.path()).recent_workspaces, vec![listed]);
        assert_eq!(
            forget_workspace(cfg.path(), "/gone/away").unwrap_err().code,
            ErrorCode::NotFound
        );
    }
}
