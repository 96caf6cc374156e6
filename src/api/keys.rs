//! Signing keys (`mandate keys`): private keys on this machine, outside any workspace;
//! trusted public keys in `mandate.toml`, each but the first justified by approvals from
//! already-trusted keys, kept as DSSE envelopes in `keys/trust/`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{SecondsFormat, Utc};
use ed25519_dalek::SigningKey;
use serde_json::json;

use super::{dto, ApiError, ApiResult, Session};
use crate::bundle::sign::{self, Envelope, KeyStore, LocalKey, Role, Statement};
use crate::bundle::verify::Trusted;
use crate::error::ErrorCode;
use crate::store::NewAuditEntry;
use crate::workspace::{Config, Workspace, CONFIG_FILE};

/// Where trust approvals are kept in a workspace.
pub const TRUST_DIR: &str = "keys/trust";

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

/// How trust stands for the keys `mandate.toml` lists and the pending proposals.
struct TrustState {
    config: Config,
    trusted: Vec<Trusted>,
    views: Vec<dto::TrustedKeyView>,
}

impl Session {
    /// `mandate.toml` as it is on disk now (trust changes rewrite it).
    fn fresh_config(&self) -> ApiResult<Config> {
        Ok(Workspace::open(self.root())?.config().clone())
    }

    /// The keys whose signatures count: the first key, then — until nothing changes — each
    /// listed key with enough valid trust approvals from keys already counted.
    pub(crate) fn trusted_keys(&self) -> ApiResult<Vec<Trusted>> {
        Ok(self.trust_state()?.trusted)
    }

    fn trust_state(&self) -> ApiResult<TrustState> {
        let config = self.fresh_config()?;
        let needed_cap = config.gates.key_approvals.max(1);
        let mut trusted: Vec<Trusted> = config
            .trusted_keys
            .iter()
            .filter(|k| k.first)
            .take(1)
            .map(|k| Trusted {
                id: k.id.clone(),
                owner: k.owner.clone(),
            })
            .collect();
        let records: BTreeMap<String, Vec<Envelope>> = self.trust_records()?;
        let approvals_of = |id: &str, owner: &str, role: Role, trusted: &[Trusted]| {
            let mut owners = BTreeSet::new();
            for env in records.get(&record_name(id)).into_iter().flatten() {
                let Ok(s) = sign::open(env) else { continue };
                let by_trusted = trusted
                    .iter()
                    .any(|t| t.id == s.key && t.owner == s.signer && t.id != id);
                if s.role == role && s.subject == id && s.subject_name == owner && by_trusted {
                    owners.insert(s.signer);
                }
            }
            owners
        };
        let needed = |trusted: &[Trusted], id: &str| {
            let others: BTreeSet<&str> = trusted
                .iter()
                .filter(|t| t.id != id)
                .map(|t| t.owner.as_str())
                .collect();
            (others.len() as u32).clamp(1, needed_cap)
        };
        loop {
            let before = trusted.len();
            for key in &config.trusted_keys {
                if trusted.iter().any(|t| t.id == key.id) {
                    continue;
                }
                let got = approvals_of(&key.id, &key.owner, Role::Trust, &trusted).len() as u32;
                if got >= needed(&trusted, &key.id) {
                    trusted.push(Trusted {
                        id: key.id.clone(),
                        owner: key.owner.clone(),
                    });
                }
            }
            if trusted.len() == before {
                break;
            }
        }
        let local: BTreeSet<String> = local_keys()
            .map(|keys| keys.into_iter().map(|k| k.id).collect())
            .unwrap_or_default();
        let mut views = Vec::new();
        for key in &config.trusted_keys {
            let is_trusted = trusted.iter().any(|t| t.id == key.id);
            let trusts = approvals_of(&key.id, &key.owner, Role::Trust, &trusted);
            let untrusts = approvals_of(&key.id, &key.owner, Role::Untrust, &trusted);
            let status = if key.first && is_trusted {
                dto::KeyTrust::First
            } else if is_trusted && !untrusts.is_empty() {
                dto::KeyTrust::RemovalPending
            } else if is_trusted {
                dto::KeyTrust::Trusted
            } else {
                dto::KeyTrust::Unapproved
            };
            views.push(dto::TrustedKeyView {
                id: key.id.clone(),
                short_id: sign::short_id(&key.id),
                owner: key.owner.clone(),
                status,
                added_at: key.added_at.clone(),
                approvals: if status == dto::KeyTrust::RemovalPending {
                    untrusts.into_iter().collect()
                } else {
                    trusts.into_iter().collect()
                },
                needed: needed(&trusted, &key.id),
                local: local.contains(&key.id),
            });
        }
        // Proposals for keys not listed yet.
        for (name, envs) in &records {
            let Some(first) = envs.iter().find_map(|e| sign::open(e).ok()) else {
                continue;
            };
            if first.role != Role::Trust
                || record_name(&first.subject) != *name
                || config.trusted_keys.iter().any(|k| k.id == first.subject)
            {
                continue;
            }
            let approvals =
                approvals_of(&first.subject, &first.subject_name, Role::Trust, &trusted);
            views.push(dto::TrustedKeyView {
                id: first.subject.clone(),
                short_id: sign::short_id(&first.subject),
                owner: first.subject_name.clone(),
                status: dto::KeyTrust::Pending,
                added_at: None,
                approvals: approvals.into_iter().collect(),
                needed: needed(&trusted, &first.subject),
                local: local.contains(&first.subject),
            });
        }
        Ok(TrustState {
            config,
            trusted,
            views,
        })
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
        let pending_owner = self
            .trust_records()?
            .get(&record_name(&req.key))
            .and_then(|envs| envs.iter().find_map(|e| sign::open(e).ok()))
            .map(|s| s.subject_name);
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
        if req.remove && listed.is_none() {
            return Err(key_error(
                format!(
                    "`{}` is not listed in `{CONFIG_FILE}`",
                    sign::short_id(&req.key)
                ),
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
        // The first key of a workspace.
        if state.config.trusted_keys.is_empty() && !req.remove {
            let (local, signing) = self.signing_key(req.signer.as_deref(), Some(&req.key))?;
            if local.id != req.key {
                return Err(key_error(
                    "the first trusted key must be your own",
                    "run `mandate keys trust` with the id of a key on this machine (`mandate keys generate` makes one)",
                ));
            }
            self.append_trust(
                &req.key,
                &sign_statement(role, &req.key, &owner, &local, &signing, &req.comment),
            )?;
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
                message: "trusted as the workspace's first key: the one key trusted without approvals (recorded as `first = true`)".into(),
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
        self.append_trust(
            &req.key,
            &sign_statement(role, &req.key, &owner, &local, &signing, &req.comment),
        )?;
        let after = self.trust_state()?;
        let view = after.views.iter().find(|v| v.id == req.key).cloned();
        let (got, needed) = view
            .as_ref()
            .map_or((0, 1), |v| (v.approvals.len() as u32, v.needed));
        let applied = got >= needed;
        let message = if applied && req.remove {
            self.remove_trusted_key(&req.key)?;
            format!("removed: approved by {got} of {needed} trusted key holder(s)")
        } else if applied {
            // A key listed by hand counts from now on, through these approvals.
            if listed.is_none() {
                self.add_trusted_key(&req.key, &owner, false)?;
            }
            let alone = if needed == 1 && after.trusted.len() == 1 {
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
        let dir = std::fs::canonicalize(&store.dir).unwrap_or(store.dir.clone());
        let root = std::fs::canonicalize(self.root()).unwrap_or(self.root().to_path_buf());
        if dir.starts_with(&root) {
            return Err(key_error(
                format!("the keys folder `{}` is inside the workspace", store.dir.display()),
                "private keys must never be committed: point MANDATE_KEYS_DIR outside the workspace",
            ));
        }
        Ok(())
    }

    /// `keys/trust/*.json`: the signed trust changes, by file stem.
    fn trust_records(&self) -> ApiResult<BTreeMap<String, Vec<Envelope>>> {
        let mut out = BTreeMap::new();
        let mut problems = Vec::new();
        for entry in self.dir_entries(TRUST_DIR)? {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = file.strip_suffix(".json") else {
                continue;
            };
            let rel = format!("{TRUST_DIR}/{file}");
            let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                ApiError::new(ErrorCode::Io, format!("cannot read `{rel}`: {e}"), None)
            })?;
            match serde_json::from_str::<Vec<Envelope>>(&text) {
                Ok(envs) => {
                    out.insert(stem.to_owned(), envs);
                }
                Err(e) => problems.push(crate::diagnostics::Diagnostic::at_line(
                    &rel,
                    e.line(),
                    e.column(),
                    crate::diagnostics::Severity::Error,
                    "keys::trust_record",
                    format!("not a JSON array of signed trust statements: {e}"),
                    Some(
                        "trust records are written by `mandate keys trust`; restore it from git"
                            .into(),
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::ConfigInvalid,
                message: format!("{} trust record(s) do not parse", problems.len()),
                help: Some("restore them from git".into()),
                diagnostics: problems,
            });
        }
        Ok(out)
    }

    fn append_trust(&self, key: &str, env: &Envelope) -> ApiResult<()> {
        let mut records = self.trust_records()?;
        let list = records.entry(record_name(key)).or_default();
        list.push(env.clone());
        let text = serde_json::to_string_pretty(list)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string(), None))?;
        std::fs::create_dir_all(self.root().join(TRUST_DIR)).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("cannot create `{TRUST_DIR}/`: {e}"),
                None,
            )
        })?;
        self.workspace.write_file(
            &format!("{TRUST_DIR}/{}.json", record_name(key)),
            format!("{text}\n").as_bytes(),
        )?;
        Ok(())
    }

    fn add_trusted_key(&self, id: &str, owner: &str, first: bool) -> ApiResult<()> {
        self.edit_config(|doc| {
            let keys = doc
                .entry("trusted_keys")
                .or_insert(toml_edit::Item::ArrayOfTables(
                    toml_edit::ArrayOfTables::new(),
                ));
            if let Some(array) = keys.as_array_of_tables_mut() {
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
        self.workspace.write_file(CONFIG_FILE, out.as_bytes())?;
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

/// The file stem of a key's trust record: the first 16 hex digits of its id.
fn record_name(id: &str) -> String {
    id.strip_prefix("ed25519:")
        .unwrap_or(id)
        .chars()
        .take(16)
        .collect()
}

fn sign_statement(
    role: Role,
    subject: &str,
    subject_name: &str,
    local: &LocalKey,
    signing: &SigningKey,
    comment: &str,
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
        },
        signing,
    )
}
