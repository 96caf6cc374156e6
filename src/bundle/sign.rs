//! Ed25519 keys and the signatures over bundles and trust changes.
//!
//! Every signature is a **DSSE envelope** (the Dead Simple Signing Envelope that in-toto and
//! Sigstore use, <https://github.com/secure-systems-lab/dsse/blob/master/envelope.md>): the
//! payload is a [`Statement`] in canonical JSON; the signature is Ed25519 over DSSE's
//! pre-authentication encoding `PAE(payloadType, payload)`. A statement names what it
//! signs (`subject`: a bundle's manifest sha256, or a key id for a trust change), the role
//! (author, approval, trust, untrust), who signed it, with which key and when — so an
//! approval records its name and time inside the signature, not beside it.
//!
//! Private keys live outside the workspace, in the user's config dir (`MANDATE_KEYS_DIR`
//! overrides it): `NAME.pem` (PKCS#8, mode 0600) and `NAME.json` (id, owner, created_at).
//! They are never logged and never written into a bundle.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// DSSE `payloadType` of a Mandate statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.mandate.statement+json";
/// A statement's `_type`.
pub const STATEMENT_TYPE: &str = "mandate-statement/1";
/// The environment variable that overrides where private keys live.
pub const KEYS_DIR_ENV: &str = "MANDATE_KEYS_DIR";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// What a signature says about its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "SignatureRole")]
pub enum Role {
    /// The author signs the bundle they built.
    Author,
    /// A reviewer approves a bundle.
    Approval,
    /// A trusted key approves trusting another key.
    Trust,
    /// A trusted key approves removing a key.
    Untrust,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Approval => "approval",
            Self::Trust => "trust",
            Self::Untrust => "untrust",
        }
    }
}

/// The signed payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "SignedStatement")]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub role: Role,
    /// A bundle's hash (`sha256:…`) or, for trust changes, the key id (`ed25519:…`).
    pub subject: String,
    /// What the subject is, for people: `Acme 1.2.0`, or the trusted key's owner.
    pub subject_name: String,
    /// The signer's name (their key's owner).
    pub signer: String,
    /// The signer's key id.
    pub key: String,
    /// RFC 3339 UTC.
    pub at: String,
    #[serde(default)]
    pub comment: String,
    /// For trust changes: the sha256 of the previous entry of the trust log (`None` for the
    /// first), so entries cannot be reordered or slipped in between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// The hash an entry of the trust log is chained by: sha256 of its payload (base64 text).
pub fn entry_hash(envelope: &Envelope) -> String {
    super::sha256(envelope.payload.as_bytes())
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    pub keyid: String,
    /// Base64 Ed25519 signature over `PAE(payloadType, payload)`.
    pub sig: String,
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the statement's canonical JSON.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

/// DSSE's pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimals.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// A key's id: `ed25519:` and the 32-byte public key in hex — the id is the key.
pub fn key_id(key: &VerifyingKey) -> String {
    let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("ed25519:{hex}")
}

/// The short form people read: `ed25519:` and the first 12 hex digits.
pub fn short_id(id: &str) -> String {
    match id.strip_prefix("ed25519:") {
        Some(hex) if hex.chars().count() > 12 => {
            format!("ed25519:{}…", hex.chars().take(12).collect::<String>())
        }
        _ => id.to_owned(),
    }
}

/// The short form of a bundle hash: `sha256:` and the first 12 hex digits.
pub fn short_hash(hash: &str) -> String {
    match hash.strip_prefix("sha256:") {
        Some(hex) if hex.chars().count() > 12 => {
            format!("sha256:{}…", hex.chars().take(12).collect::<String>())
        }
        _ => hash.to_owned(),
    }
}

/// The public key a key id holds.
pub fn public_key(id: &str) -> Result<VerifyingKey, String> {
    let hex = id
        .strip_prefix("ed25519:")
        .ok_or_else(|| format!("key id `{id}` does not start with `ed25519:`"))?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("key id `{id}` is not `ed25519:` and 64 hex digits"));
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| format!("key id `{id}` is not hex"))?;
    }
    VerifyingKey::from_bytes(&bytes).map_err(|_| format!("key id `{id}` is not an Ed25519 point"))
}

/// Signs a statement into a DSSE envelope.
pub fn sign(statement: &Statement, key: &SigningKey) -> Envelope {
    let payload = serde_json_canonicalizer::to_vec(statement).unwrap_or_default();
    let sig: Signature = key.sign(&pae(PAYLOAD_TYPE, &payload));
    Envelope {
        payload: B64.encode(&payload),
        payload_type: PAYLOAD_TYPE.to_owned(),
        signatures: vec![EnvelopeSignature {
            keyid: key_id(&key.verifying_key()),
            sig: B64.encode(sig.to_bytes()),
        }],
    }
}

/// Opens an envelope: its statement, after checking the signature against the key the
/// statement names (and the envelope's key id). Whether that key is *trusted* is the
/// caller's question.
pub fn open(envelope: &Envelope) -> Result<Statement, String> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(format!(
            "payload type `{}` is not `{PAYLOAD_TYPE}`",
            envelope.payload_type
        ));
    }
    let payload = B64
        .decode(&envelope.payload)
        .map_err(|e| format!("payload is not base64: {e}"))?;
    let statement: Statement = serde_json::from_slice(&payload)
        .map_err(|e| format!("payload is not a Mandate statement: {e}"))?;
    if statement.statement_type != STATEMENT_TYPE {
        return Err(format!(
            "statement type `{}` is not `{STATEMENT_TYPE}`",
            statement.statement_type
        ));
    }
    let [one] = envelope.signatures.as_slice() else {
        return Err(format!(
            "{} signatures in one envelope; Mandate writes exactly one",
            envelope.signatures.len()
        ));
    };
    if one.keyid != statement.key {
        return Err(format!(
            "envelope key `{}` is not the statement's key `{}`",
            short_id(&one.keyid),
            short_id(&statement.key)
        ));
    }
    let key = public_key(&statement.key)?;
    let bytes = B64
        .decode(&one.sig)
        .map_err(|e| format!("signature is not base64: {e}"))?;
    let sig = Signature::from_slice(&bytes).map_err(|_| "signature is not 64 bytes".to_owned())?;
    key.verify_strict(&pae(PAYLOAD_TYPE, &payload), &sig)
        .map_err(|_| {
            format!(
                "the signature by `{}` does not verify: the statement or the signature was altered",
                short_id(&statement.key)
            )
        })?;
    Ok(statement)
}

/// A private key on this machine, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LocalKey {
    /// The file stem in the keys folder.
    pub name: String,
    pub id: String,
    pub owner: String,
    pub created_at: String,
    /// Where the private key is (never its content).
    pub path: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyMeta {
    id: String,
    owner: String,
    created_at: String,
}

/// The folder of private keys.
#[derive(Debug, Clone)]
pub struct KeyStore {
    pub dir: PathBuf,
}

impl KeyStore {
    /// `MANDATE_KEYS_DIR`, else `CONFIG_DIR/mandate/keys`.
    pub fn default_dir() -> Option<PathBuf> {
        match std::env::var_os(KEYS_DIR_ENV) {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
            _ => dirs::config_dir().map(|d| d.join("mandate").join("keys")),
        }
    }

    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Makes a key pair for `owner` named `name` (default: from the owner). Refuses to
    /// overwrite an existing key.
    pub fn generate(&self, owner: &str, name: Option<&str>) -> Result<LocalKey, String> {
        let owner = owner.trim();
        if owner.is_empty() {
            return Err("a key needs an owner (a name or an email)".into());
        }
        let name = name.map_or_else(|| file_safe(owner), str::to_owned);
        if !valid_name(&name) {
            return Err(format!(
                "`{name}` cannot name a key: use letters, digits, `-`, `_`, `.` and `@`"
            ));
        }
        let pem_path = self.dir.join(format!("{name}.pem"));
        if pem_path.exists() {
            return Err(format!(
                "a key `{name}` already exists at `{}`",
                pem_path.display()
            ));
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
        let key = SigningKey::from_bytes(&secret);
        secret.fill(0);
        let pem = key
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map_err(|e| format!("cannot encode the key: {e}"))?;
        create_private_dir(&self.dir)?;
        write_private(&pem_path, pem.as_bytes())?;
        let meta = KeyMeta {
            id: key_id(&key.verifying_key()),
            owner: owner.to_owned(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let meta_path = self.dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
        std::fs::write(&meta_path, text)
            .map_err(|e| format!("cannot write `{}`: {e}", meta_path.display()))?;
        Ok(self.local(&name, meta))
    }

    /// Every key in the folder, by name; a folder that does not exist has none.
    pub fn list(&self) -> Result<Vec<LocalKey>, String> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read `{}`: {e}", self.dir.display())),
        };
        let mut out = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file.strip_suffix(".json") else {
                continue;
            };
            if !self.dir.join(format!("{name}.pem")).is_file() {
                continue;
            }
            let text = std::fs::read_to_string(entry.path())
                .map_err(|e| format!("cannot read `{}`: {e}", entry.path().display()))?;
            let meta: KeyMeta = serde_json::from_str(&text)
                .map_err(|e| format!("`{}` does not parse: {e}", entry.path().display()))?;
            out.push(self.local(name, meta));
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Loads a private key by name or id (full or its start). Refuses a key file others
    /// may read, as ssh does.
    pub fn load(&self, which: &str) -> Result<(LocalKey, SigningKey), String> {
        let keys = self.list()?;
        let matches: Vec<&LocalKey> = keys
            .iter()
            .filter(|k| {
                k.name == which || k.id == which || (which.len() >= 12 && k.id.starts_with(which))
            })
            .collect();
        let local = match matches.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(format!(
                    "no key `{which}` in `{}` ({} key(s) there)",
                    self.dir.display(),
                    keys.len()
                ))
            }
            _ => {
                return Err(format!(
                    "`{which}` matches {} keys; give the full name",
                    matches.len()
                ))
            }
        };
        let path = Path::new(&local.path);
        check_private_mode(path)?;
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| format!("`{}` is not an Ed25519 PKCS#8 key: {e}", path.display()))?;
        if key_id(&key.verifying_key()) != local.id {
            return Err(format!(
                "`{}` does not hold the key its `.json` names ({})",
                path.display(),
                short_id(&local.id)
            ));
        }
        Ok((local, key))
    }

    fn local(&self, name: &str, meta: KeyMeta) -> LocalKey {
        LocalKey {
            name: name.to_owned(),
            id: meta.id,
            owner: meta.owner,
            created_at: meta.created_at,
            path: self.dir.join(format!("{name}.pem")).display().to_string(),
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

fn file_safe(owner: &str) -> String {
    let s: String = owner
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@') {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.trim_start_matches('.').to_owned()
}

fn create_private_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot restrict `{}`: {e}", dir.display()))?;
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

fn check_private_mode(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "`{}` may be read by others (mode {:o}); run `chmod 600` on it",
                path.display(),
                mode & 0o777
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(key: &SigningKey) -> Statement {
        Statement {
            statement_type: STATEMENT_TYPE.into(),
            role: Role::Approval,
            subject: "sha256:abc".into(),
            subject_name: "Acme 1.0.0".into(),
            signer: "bob".into(),
            key: key_id(&key.verifying_key()),
            at: "2026-11-23T10:00:00Z".into(),
            comment: String::new(),
            previous: None,
        }
    }

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // The DSSE protocol document's test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_signed_statement_opens_and_any_change_fails() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let env = sign(&statement(&key), &key);
        assert_eq!(open(&env).unwrap(), statement(&key));

        // Another statement under the same signature.
        let mut forged = statement(&key);
        forged.subject = "sha256:abd".into();
        let mut bad = env.clone();
        bad.payload = B64.encode(serde_json_canonicalizer::to_vec(&forged).unwrap());
        assert!(open(&bad).unwrap_err().contains("does not verify"));

        // A statement claiming another key.
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let mut claimed = statement(&key);
        claimed.key = key_id(&other.verifying_key());
        let mut bad = sign(&claimed, &key);
        bad.signatures[0].keyid = claimed.key.clone();
        assert!(open(&bad).unwrap_err().contains("does not verify"));
    }

    #[test]
    fn key_ids_round_trip_and_bad_ids_are_named() {
        let key = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
        let id = key_id(&key);
        assert_eq!(id.len(), "ed25519:".len() + 64);
        assert_eq!(public_key(&id).unwrap(), key);
        assert!(public_key("rsa:00").unwrap_err().contains("ed25519:"));
        assert!(public_key("ed25519:zz").unwrap_err().contains("64 hex"));
        assert_eq!(short_id(&id).chars().count(), "ed25519:".len() + 13);
        // Untrusted text never panics mid-character.
        assert_eq!(
            short_id("ed25519:aaaaaaaaaaaébbbb"),
            "ed25519:aaaaaaaaaaaé…"
        );
        assert_eq!(short_hash("sha256:ééééééééééééé"), "sha256:éééééééééééé…");
    }

    #[test]
    fn generated_keys_are_private_listed_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path().join("keys"));
        let k = store.generate("dana@acme.example", None).unwrap();
        assert_eq!(k.name, "dana@acme.example");
        assert!(store
            .generate("dana@acme.example", None)
            .unwrap_err()
            .contains("already exists"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&k.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (local, signing) = store.load("dana@acme.example").unwrap();
        assert_eq!(local, k);
        assert_eq!(key_id(&signing.verifying_key()), k.id);
        assert_eq!(store.load(&k.id[..20]).unwrap().0.name, k.name);
        assert_eq!(store.list().unwrap(), vec![k.clone()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&k.path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(store
                .load("dana@acme.example")
                .unwrap_err()
                .contains("chmod 600"));
        }
        assert!(store
            .load("nobody")
            .unwrap_err()
            .contains("no key `nobody`"));
    }
}
