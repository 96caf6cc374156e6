//! Signing keys (`mandate keys`): private keys on this machine, outside any workspace;
//! trusted public keys in `mandate.toml`, each but the first justified by approvals from
//! already-trusted keys, kept as DSSE envelopes in the hash-chained log `keys/trust.json`.
//!
//! The first (root) key is anchored in the log, not in `mandate.toml`: it is the key whose
//! own signed trust statement is the log's first entry (`previous` none, signed by the key
//! it trusts). `first = true` in `mandate.toml` only mirrors it for people; a flag on any
//! other key is reported at its line and ignored, so moving the flag by hand trusts nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{SecondsFormat, Utc};
use ed25519_dalek::SigningKey;
use serde_json::json;

use super::{dto, ApiError, ApiResult, Session};
use crate::bundle::sign::{self, Envelope, KeyStore, LocalKey, Role, Statement};
use crate::bundle::verify::Trusted;
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::ErrorCode;
use crate::store::NewAuditEntry;
use crate::workspace::{Config, Workspace, CONFIG_FILE};

/// The trust log: every signed trust change, in order, each chained to the one before.
pub const TRUST_LOG: &str = "keys/trust.json";

fn key_error(message: impl Into<String>, help: &str) -> ApiError {
    ApiError::new(ErrorCode::KeyRefused, message, Some(help))
}

/// The private keys folder (`MANDATE_KEYS_DIR`, else the user's config dir).
pub fn key_store() -> ApiResult<KeyStore> {
    KeyStore::default_dir().map(KeyStore::new).ok_or_else(|| {
        key_error(
            "no config folder for private keys on this machine",
            "set MANDATE_KEYS_DIR to a private folder outside any workspace",
        )
    })
}

/// Makes a new Ed25519 key pair for `owner` in the keys folder.
pub fn generate_key(owner: &str, name: Option<&str>) -> ApiResult<LocalKey> {
    key_store()?
        .generate(owner, name)
        .map_err(|e| key_error(e, "`mandate keys list` shows the keys on this machine"))
}

/// The keys on this machine (never their secrets).
pub fn local_keys() -> ApiResult<Vec<LocalKey>> {
    key_store()?
        .list()
        .map_err(|e| key_error(e, "fix or remove the file named"))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One key as the trust log leaves it.
#[derive(Debug, Clone, Default)]
struct KeyLog {
    owner: String,
    /// Trusted by the log.
    state: bool,
    /// Owners approving the change away from `state`, not yet enough.
    toward: BTreeSet<String>,
    /// Owners whose approvals made the last change.
    by: BTreeSet<String>,
}

/// How trust stands: `mandate.toml`, the log replayed, and what each key shows.
struct TrustState {
    config: Config,
    /// Listed in `mandate.toml` and trusted by the log.
    trusted: Vec<Trusted>,
    keys: BTreeMap<String, KeyLog>,
    views: Vec<dto::TrustedKeyView>,
    /// The hash the next log entry chains to.
    head: Option<String>,
    /// `first = true` flags in `mandate.toml` that the log does not bear out, and a log that
    /// records no first key, located.
    problems: Vec<Diagnostic>,
}

/// The workspace's first key as the trust log records it: its first entry, a trust
/// statement that chains to nothing and is signed by the key it trusts. `None` for an
/// empty log, or one whose first entry is anything else (then no key is trusted without
/// approvals).
fn log_root(log: &[Envelope]) -> Option<Trusted> {
    let s = sign::open(log.first()?).ok()?;
    (s.role == Role::Trust
        && s.previous.is_none()
        && s.key == s.subject
        && crate::workspace::is_key_id(&s.subject))
    .then_some(Trusted {
        id: s.subject,
        owner: s.subject_name,
    })
}

/// Byte span of the `first = …` line of the `[[trusted_keys]]` table holding `id` in
/// `text` (the id itself when the line is not found).
fn first_flag_span(text: &str, id: &str) -> (usize, usize) {
    let Some(at) = text.find(id) else {
        return (0, 0);
    };
    let table_start = text[..at].rfind("[[").unwrap_or(0);
    let table_end = text[at..].find("\n[").map_or(text.len(), |e| at + e);
    match crate::workspace::find_key(&text[table_start..table_end], "first") {
        (0, 0) => (at, at + id.len()),
        (start, end) => (table_start + start, table_start + end),
    }
}

/// Approvals a change of `id` needs: other trusted people, capped by `cap` (at least one).
fn needed(set: &[Trusted], id: &str, cap: u32) -> u32 {
    let others: BTreeSet<&str> = set
        .iter()
        .filter(|t| t.id != id)
        .map(|t| t.owner.as_str())
        .collect();
    u32::try_from(others.len())
        .unwrap_or(u32::MAX)
        .clamp(1, cap.max(1))
}

impl Session {
    /// `mandate.toml` as it is on disk now (trust changes rewrite it).
    pub(crate) fn fresh_config(&self) -> ApiResult<Config> {
        Ok(Workspace::open(self.root())?.config().clone())
    }

    /// The keys whose signatures count: listed in `mandate.toml` and trusted by the trust
    /// log (the first key from the start; every other through approvals).
    pub(crate) fn trusted_keys(&self) -> ApiResult<Vec<Trusted>> {
        Ok(self.trust_state()?.trusted)
    }

    /// Replays `keys/trust.json` in order. Each entry names the hash of the one before it,
    /// so entries cannot be moved, dropped from the middle or slipped in; an entry counts
    /// when its signer was trusted at that point of the log and is not the key it is about;
    /// a change applies when enough people approved it since the key's last change, so an
    /// old approval never counts twice.
    fn trust_state(&self) -> ApiResult<TrustState> {
        let config = self.fresh_config()?;
        let cap = config.gates.key_approvals;
        let log = self.trust_log()?;
        let mut set: Vec<Trusted> = Vec::new();
        let mut keys: BTreeMap<String, KeyLog> = BTreeMap::new();
        // The root comes from the log alone; `first = true` elsewhere is reported below.
        let root = log_root(&log);
        if let Some(first) = &root {
            set.push(first.clone());
            keys.insert(
                first.id.clone(),
                KeyLog {
                    owner: first.owner.clone(),
                    state: true,
                    ..KeyLog::default()
                },
            );
        }
        let mut head: Option<String> = None;
        let mut problems = Vec::new();
        for (i, env) in log.iter().enumerate() {
            let s = match sign::open(env) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("entry {}: {e}", i + 1));
                    break;
                }
            };
            if s.previous != head {
                problems.push(format!(
                    "entry {} does not follow entry {}: the log was reordered or edited",
                    i + 1,
                    i
                ));
                break;
            }
            head = Some(sign::entry_hash(env));
            if !matches!(s.role, Role::Trust | Role::Untrust)
                || !crate::workspace::is_key_id(&s.subject)
            {
                continue;
            }
            let signer_trusted =
                s.key != s.subject && set.iter().any(|t| t.id == s.key && t.owner == s.signer);
            let need = needed(&set, &s.subject, cap);
            let entry = keys.entry(s.subject.clone()).or_insert_with(|| KeyLog {
                owner: s.subject_name.clone(),
                ..KeyLog::default()
            });
            let wants = s.role == Role::Trust;
            if !signer_trusted || entry.owner != s.subject_name || wants == entry.state {
                continue;
            }
            entry.toward.insert(s.signer.clone());
            if u32::try_from(entry.toward.len()).unwrap_or(u32::MAX) >= need {
                entry.state = wants;
                entry.by = std::mem::take(&mut entry.toward);
                if wants {
                    set.push(Trusted {
                        id: s.subject.clone(),
                        owner: s.subject_name.clone(),
                    });
                } else {
                    set.retain(|t| t.id != s.subject);
                }
            }
        }
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ConfigInvalid,
                message: format!("`{TRUST_LOG}` is broken: {}", problems.join("; ")),
                help: Some(
                    "the trust log is written by `mandate keys trust`; restore it from git".into(),
                ),
                diagnostics: Vec::new(),
            });
        }
        let trusted: Vec<Trusted> = set
            .iter()
            .filter(|t| {
                config
                    .trusted_keys
                    .iter()
                    .any(|k| k.id == t.id && k.owner == t.owner)
            })
            .cloned()
            .collect();
        let flagged: Vec<_> = config
            .trusted_keys
            .iter()
            .filter(|k| k.first && root.as_ref().is_none_or(|r| r.id != k.id))
            .collect();
        let mut problems = Vec::new();
        if root.is_none() && !log.is_empty() {
            problems.push(Diagnostic::whole_file(
                TRUST_LOG,
                Severity::Error,
                "keys::no_root",
                "its first entry is not a key's own trust statement: no key is trusted without approvals, so no key is trusted",
                Some("restore the trust log from git; `mandate keys trust` writes it".to_owned()),
            ));
        }
        if !flagged.is_empty() {
            let text = self.workspace.read_file(CONFIG_FILE).unwrap_or_default();
            for key in flagged {
                let (start, end) = first_flag_span(&text, &key.id);
                let recorded = match &root {
                    Some(r) => format!(
                        "`{TRUST_LOG}` records `{}` of `{}` as the workspace's first key",
                        sign::short_id(&r.id),
                        r.owner
                    ),
                    None => format!("`{TRUST_LOG}` records no first key"),
                };
                problems.push(Diagnostic::at_span(
                    CONFIG_FILE,
                    &text,
                    start,
                    end,
                    Severity::Error,
                    "keys::first_flag",
                    format!(
                        "`first = true` on key `{}` of `{}`, but {recorded}: the flag is ignored and this key is not trusted without approvals",
                        key.id, key.owner
                    ),
                    Some(format!(
                        "remove this line: the first key is the one `{TRUST_LOG}` starts with, and only `mandate keys trust` (with approvals) trusts another"
                    )),
                ));
            }
        }
        let local: BTreeSet<String> = local_keys()
            .map(|keys| keys.into_iter().map(|k| k.id).collect())
            .unwrap_or_default();
        let mut views = Vec::new();
        for key in &config.trusted_keys {
            let log = keys.get(&key.id).cloned().unwrap_or_default();
            let is_trusted = trusted.iter().any(|t| t.id == key.id);
            let status = match (is_trusted, log.toward.is_empty()) {
                (true, false) => dto::KeyTrust::RemovalPending,
                (true, true) if root.as_ref().is_some_and(|r| r.id == key.id) => {
                    dto::KeyTrust::First
                }
                (true, true) => dto::KeyTrust::Trusted,
                (false, _) => dto::KeyTrust::Unapproved,
            };
            views.push(dto::TrustedKeyView {
                id: key.id.clone(),
                short_id: sign::short_id(&key.id),
                owner: key.owner.clone(),
                status,
                added_at: key.added_at.clone(),
                approvals: if status == dto::KeyTrust::Trusted {
                    log.by.into_iter().collect()
                } else {
                    log.toward.into_iter().collect()
                },
                needed: needed(&set, &key.id, cap),
                local: local.contains(&key.id),
            });
        }
        for (id, log) in &keys {
            if log.state || log.toward.is_empty() || config.trusted_keys.iter().any(|k| &k.id == id)
            {
                continue;
            }
            views.push(dto::TrustedKeyView {
                id: id.clone(),
                short_id: sign::short_id(id),
                owner: log.owner.clone(),
                status: dto::KeyTrust::Pending,
                added_at: None,
                approvals: log.toward.iter().cloned().collect(),
                needed: needed(&set, id, cap),
                local: local.contains(id),
            });
        }
        Ok(TrustState {
            config,
            trusted,
            keys,
            views,
            head,
            problems,
        })
    }

    /// [`generate_key`], refused when the keys folder is inside this workspace.
    pub fn generate_key(&self, owner: &str, name: Option<&str>) -> ApiResult<LocalKey> {
        self.check_keys_outside()?;
        generate_key(owner, name)
    }

    /// Local keys and how each listed or proposed key stands.
    pub fn keys(&self) -> ApiResult<dto::KeysView> {
        let store = key_store()?;
        let state = self.trust_state()?;
        Ok(dto::KeysView {
            keys_dir: store.dir.display().to_string(),
            local: store
                .list()
                .map_err(|e| key_error(e, "fix or remove the file named"))?,
            keys: state.views,
            problems: state.problems,
        })
    }

    /// Trusts (or, with `remove`, distrusts) a key, signed by one of this machine's keys.
    /// The workspace's first key is trusted on its own, recorded as the first. Every other
    /// change needs approvals from already-trusted keys of other people (`[gates]
    /// key_approvals`, capped by how many there are); until then it is pending.
    pub fn trust_key(
        &self,
        req: &dto::TrustKeyRequest,
        actor: &str,
    ) -> ApiResult<dto::TrustOutcome> {
        self.check_keys_outside()?;
        let state = self.trust_state()?;
        let role = if req.remove {
            Role::Untrust
        } else {
            Role::Trust
        };
        if !crate::workspace::is_key_id(&req.key) {
            return Err(key_error(
                format!("`{}` is not a key id", req.key),
                "give the full id `ed25519:` + 64 hex digits, as `mandate keys list` prints it",
            ));
        }
        let listed = state.config.trusted_keys.iter().find(|k| k.id == req.key);
        let pending_owner = state.keys.get(&req.key).map(|k| k.owner.clone());
        let local_owner = local_keys()
            .unwrap_or_default()
            .into_iter()
            .find(|k| k.id == req.key)
            .map(|k| k.owner);
        let owner = match (
            req.owner.as_deref().map(str::trim),
            listed,
            pending_owner.or(local_owner),
        ) {
            (Some(o), _, _) if !o.is_empty() => o.to_owned(),
            (_, Some(k), _) => k.owner.clone(),
            (_, _, Some(o)) => o,
            _ => {
                return Err(key_error(
                    format!("who holds `{}`?", sign::short_id(&req.key)),
                    "name the key's owner with --owner (a name or an email)",
                ))
            }
        };
        if req.remove && !state.trusted.iter().any(|t| t.id == req.key) {
            return Err(key_error(
                format!("`{}` is not trusted here", sign::short_id(&req.key)),
                "`mandate keys list` shows the trusted keys",
            ));
        }
        if !req.remove && state.trusted.iter().any(|t| t.id == req.key) {
            return Err(key_error(
                format!(
                    "`{}` of `{owner}` is already trusted",
                    sign::short_id(&req.key)
                ),
                "nothing to do",
            ));
        }
        // A key the log trusts but `mandate.toml` no longer lists (removed by hand): listed
        // again, as the log already decided.
        if !req.remove && listed.is_none() && state.keys.get(&req.key).is_some_and(|k| k.state) {
            let log_owner = state.keys[&req.key].owner.clone();
            let first = log_root(&self.trust_log()?).is_some_and(|r| r.id == req.key);
            self.add_trusted_key(&req.key, &log_owner, first)?;
            self.audit_trust(
                actor,
                "keys.trust.relist",
                &req.key,
                &log_owner,
                json!({"first": first}),
            )?;
            return Ok(dto::TrustOutcome {
                key: req.key.clone(),
                owner: log_owner,
                applied: true,
                approvals: 0,
                needed: 0,
                message: format!(
                    "listed again in `{CONFIG_FILE}`: `{TRUST_LOG}` already trusts it (no new approval was needed)"
                ),
            });
        }
        // The first key of a workspace: the trust log is empty, and its first entry will
        // anchor this key as the root.
        if state.head.is_none() && !req.remove {
            let (local, signing) = self.signing_key(req.signer.as_deref(), Some(&req.key))?;
            if local.id != req.key {
                return Err(key_error(
                    "the first trusted key must be your own",
                    "run `mandate keys trust` with the id of a key on this machine (`mandate keys generate` makes one)",
                ));
            }
            self.append_trust(&sign_statement(
                role,
                &req.key,
                &owner,
                &local,
                &signing,
                &req.comment,
                state.head.clone(),
            ))?;
            self.add_trusted_key(&req.key, &owner, true)?;
            self.audit_trust(
                actor,
                "keys.trust.first",
                &req.key,
                &owner,
                json!({"first": true}),
            )?;
            return Ok(dto::TrustOutcome {
                key: req.key.clone(),
                owner,
                applied: true,
                approvals: 1,
                needed: 1,
                message: format!("trusted as the workspace's first key: the one key trusted without approvals (the first entry of `{TRUST_LOG}`; `first = true` in `{CONFIG_FILE}` mirrors it)"),
            });
        }
        let (local, signing) = self.signing_key(req.signer.as_deref(), None)?;
        if !state.trusted.iter().any(|t| t.id == local.id) {
            return Err(key_error(
                format!(
                    "your key `{}` is not trusted here",
                    sign::short_id(&local.id)
                ),
                "only an already-trusted key can approve a trust change; ask a trusted key holder",
            ));
        }
        if local.id == req.key {
            return Err(key_error(
                "a key cannot approve its own trust change",
                "ask another trusted key holder to approve it",
            ));
        }
        if state
            .keys
            .get(&req.key)
            .is_some_and(|k| k.toward.contains(&local.owner))
        {
            return Err(key_error(
                format!(
                    "`{}` already approved this change of `{owner}`",
                    local.owner
                ),
                "one approval per person counts; another trusted key holder approves next",
            ));
        }
        let need = needed(&state.trusted, &req.key, state.config.gates.key_approvals);
        self.append_trust(&sign_statement(
            role,
            &req.key,
            &owner,
            &local,
            &signing,
            &req.comment,
            state.head.clone(),
        ))?;
        let after = self.trust_state()?;
        let log = after.keys.get(&req.key).cloned().unwrap_or_default();
        let applied = log.state != req.remove;
        let (got, needed) = if applied {
            (u32::try_from(log.by.len()).unwrap_or(u32::MAX), need)
        } else {
            (u32::try_from(log.toward.len()).unwrap_or(u32::MAX), need)
        };
        let message = if applied && req.remove {
            self.remove_trusted_key(&req.key)?;
            format!("removed: approved by {got} of {needed} trusted key holder(s)")
        } else if applied {
            // Listed (or a listing made by hand kept) under the owner the log trusts.
            self.add_trusted_key(&req.key, &log.owner, false)?;
            let alone = if needed == 1 && state.trusted.len() == 1 {
                " (by the only trusted key: add a second person before relying on two-person approval)"
            } else {
                ""
            };
            format!("trusted: approved by {got} of {needed} trusted key holder(s){alone}")
        } else {
            format!(
                "pending: {got} of {needed} approval(s); another trusted key holder runs `mandate keys trust {}{}`",
                req.key,
                if req.remove { " --remove" } else { "" }
            )
        };
        self.audit_trust(
            actor,
            if req.remove {
                "keys.untrust"
            } else {
                "keys.trust"
            },
            &req.key,
            &owner,
            json!({"approvals": got, "needed": needed, "applied": applied, "signer": local.owner}),
        )?;
        Ok(dto::TrustOutcome {
            key: req.key.clone(),
            owner,
            applied,
            approvals: got,
            needed,
            message,
        })
    }

    /// One of this machine's keys: the one named, else the only one, else the one `prefer`
    /// names, else the only trusted one.
    pub(super) fn signing_key(
        &self,
        which: Option<&str>,
        prefer: Option<&str>,
    ) -> ApiResult<(LocalKey, SigningKey)> {
        self.check_keys_outside()?;
        let store = key_store()?;
        let load = |name: &str| {
            store
                .load(name)
                .map_err(|e| key_error(e, "`mandate keys list` shows the keys on this machine"))
        };
        if let Some(name) = which {
            return load(name);
        }
        let keys = store
            .list()
            .map_err(|e| key_error(e, "fix or remove the file named"))?;
        if let [one] = keys.as_slice() {
            return load(&one.name);
        }
        if let Some(k) = prefer.and_then(|id| keys.iter().find(|k| k.id == id)) {
            return load(&k.name);
        }
        let trusted = self.trusted_keys()?;
        let mine: Vec<&LocalKey> = keys
            .iter()
            .filter(|k| trusted.iter().any(|t| t.id == k.id))
            .collect();
        match mine.as_slice() {
            [one] => load(&one.name),
            [] if keys.is_empty() => Err(key_error(
                format!(
                    "no signing key on this machine (in `{}`)",
                    store.dir.display()
                ),
                "run `mandate keys generate --owner YOU` first",
            )),
            _ => Err(key_error(
                format!("{} keys on this machine; which one signs?", keys.len()),
                "name it with --key (`mandate keys list` shows them)",
            )),
        }
    }

    /// Refuses a keys folder inside the workspace: private keys would end up in git.
    fn check_keys_outside(&self) -> ApiResult<()> {
        let store = key_store()?;
        let dir = std::fs::canonicalize(&store.dir)
            .or_else(|_| std::path::absolute(&store.dir))
            .unwrap_or(store.dir.clone());
        let root = std::fs::canonicalize(self.root()).unwrap_or(self.root().to_path_buf());
        if dir.starts_with(&root) {
            return Err(key_error(
                format!("the keys folder `{}` is inside the workspace", store.dir.display()),
                "private keys must never be committed: point MANDATE_KEYS_DIR outside the workspace",
            ));
        }
        Ok(())
    }

    /// `keys/trust.json`: the signed trust changes, in order.
    fn trust_log(&self) -> ApiResult<Vec<Envelope>> {
        let path = self.root().join(TRUST_LOG);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(ApiError::new(
                    ErrorCode::Io,
                    format!("cannot read `{TRUST_LOG}`: {e}"),
                    None,
                ))
            }
        };
        serde_json::from_str(&text).map_err(|e| ApiError {
            code: ErrorCode::ConfigInvalid,
            message: format!("`{TRUST_LOG}` does not parse"),
            help: Some(
                "the trust log is written by `mandate keys trust`; restore it from git".into(),
            ),
            diagnostics: vec![crate::diagnostics::Diagnostic::at_line(
                TRUST_LOG,
                e.line(),
                e.column(),
                crate::diagnostics::Severity::Error,
                "keys::trust_log",
                format!("not a JSON array of signed trust statements: {e}"),
                None,
            )],
        })
    }

    fn append_trust(&self, env: &Envelope) -> ApiResult<()> {
        let mut log = self.trust_log()?;
        log.push(env.clone());
        let text = serde_json::to_string_pretty(&log)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?;
        if let Some(dir) = self.root().join(TRUST_LOG).parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                ApiError::new(ErrorCode::Io, format!("cannot create `keys/`: {e}"), None)
            })?;
        }
        self.workspace
            .write_file(TRUST_LOG, format!("{text}\n").as_bytes())?;
        Ok(())
    }

    /// Lists `id` in `mandate.toml` as held by `owner`, as the trust log records it (a listing
    /// made by hand is kept, its owner set to the log's, and marked first when `first`).
    fn add_trusted_key(&self, id: &str, owner: &str, first: bool) -> ApiResult<()> {
        self.edit_config(|doc| {
            let keys = doc
                .entry("trusted_keys")
                .or_insert(toml_edit::Item::ArrayOfTables(
                    toml_edit::ArrayOfTables::new(),
                ));
            if let Some(array) = keys.as_array_of_tables_mut() {
                if let Some(t) = array
                    .iter_mut()
                    .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(id))
                {
                    // A key is trusted only when both name the same owner.
                    if t.get("owner").and_then(|v| v.as_str()) != Some(owner) {
                        t.insert("owner", toml_edit::value(owner));
                    }
                    if first {
                        t.insert("first", toml_edit::value(true));
                    }
                    return;
                }
                let mut t = toml_edit::Table::new();
                t.insert("id", toml_edit::value(id));
                t.insert("owner", toml_edit::value(owner));
                t.insert("added_at", toml_edit::value(now()));
                if first {
                    t.insert("first", toml_edit::value(true));
                }
                array.push(t);
            }
        })
    }

    fn remove_trusted_key(&self, id: &str) -> ApiResult<()> {
        self.edit_config(|doc| {
            if let Some(array) = doc
                .get_mut("trusted_keys")
                .and_then(|k| k.as_array_of_tables_mut())
            {
                array.retain(|t| t.get("id").and_then(|v| v.as_str()) != Some(id));
            }
        })
    }

    /// Rewrites `mandate.toml` through `edit`, keeping comments; the result must parse.
    fn edit_config(&self, edit: impl FnOnce(&mut toml_edit::DocumentMut)) -> ApiResult<()> {
        let text = self.workspace.read_file(CONFIG_FILE)?;
        let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| {
            ApiError::new(
                ErrorCode::ConfigInvalid,
                format!("`{CONFIG_FILE}` does not parse: {e}"),
                Some("fix it first; `mandate check` shows where"),
            )
        })?;
        edit(&mut doc);
        let out = doc.to_string();
        Config::parse(&out).map_err(|diagnostics| ApiError {
            code: ErrorCode::ConfigInvalid,
            message: format!("the edit would leave `{CONFIG_FILE}` invalid"),
            help: Some("fix the problems listed first".into()),
            diagnostics,
        })?;
        // Over the text just edited, never over an edit made in between.
        let read = crate::workspace::revision(text.as_bytes());
        self.workspace
            .write_file_at(CONFIG_FILE, out.as_bytes(), Some(&read))?;
        Ok(())
    }

    fn audit_trust(
        &self,
        actor: &str,
        action: &str,
        key: &str,
        owner: &str,
        detail: serde_json::Value,
    ) -> ApiResult<()> {
        let after = json!({"key": key, "owner": owner, "detail": detail});
        self.db()?.audit(&NewAuditEntry {
            at: Utc::now(),
            actor,
            action,
            subject: &format!("key:{}", sign::short_id(key)),
            before: None,
            after: Some(&after),
        })?;
        Ok(())
    }
}

fn sign_statement(
    role: Role,
    subject: &str,
    subject_name: &str,
    local: &LocalKey,
    signing: &SigningKey,
    comment: &str,
    previous: Option<String>,
) -> Envelope {
    sign::sign(
        &Statement {
            statement_type: sign::STATEMENT_TYPE.into(),
            role,
            subject: subject.to_owned(),
            subject_name: subject_name.to_owned(),
            signer: local.owner.clone(),
            key: local.id.clone(),
            at: now(),
            comment: comment.trim().to_owned(),
            previous,
        },
        signing,
    )
}
