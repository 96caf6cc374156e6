//! Verifying a bundle's own content: every file against the manifest, the author's
//! signature, and each approval against the trusted keys. The parent chain needs the
//! workspace's published bundles and is checked by the caller.
//!
//! Two kinds of approval problem, kept apart on purpose:
//!
//! - **Altered or malformed** (the envelope is not DSSE, its signature does not verify, it
//!   signs another bundle, it is not an approval, or it names a signer other than the
//!   trusted owner of its key): `approvals.json` was changed or forged. This is an
//!   integrity problem naming `approvals.json`, and verification fails with or without
//!   approvals being required — any altered byte fails.
//! - **Not counted** (a key not trusted here today, the author's own approval, a second
//!   approval by the same person): the approval is genuine but does not count. Verification
//!   fails only where approvals are required and too few count (`--require-approved`, the
//!   publish gate, `bundle list`). Trust is today's: removing a key stops its approvals
//!   counting, as it makes the bundles it *authored* fail.

use serde::{Deserialize, Serialize};

use super::manifest::Manifest;
use super::sign::{self, Envelope, Role, Statement};
use super::{BundleProblem, Files, APPROVALS, MANIFEST, SIGNATURES};

/// A key whose signatures count, with its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    pub id: String,
    pub owner: String,
}

/// One signature as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SignatureCheck {
    pub role: Role,
    /// Who the statement says signed.
    pub signer: String,
    pub key: String,
    pub at: String,
    pub comment: String,
    /// Counts: verifies, over this bundle, by a trusted key of that owner, and (for an
    /// approval) not the author's and not a second approval by the same owner.
    pub valid: bool,
    /// Why it does not count.
    pub problem: Option<String>,
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Verification {
    /// The manifest's sha256, when it could be read.
    pub hash: Option<String>,
    pub manifest: Option<Manifest>,
    /// Every altered, missing or unlisted file, manifest problems, and every approval in
    /// `approvals.json` that is altered or malformed (see the module docs).
    pub integrity: Vec<BundleProblem>,
    /// The author's signature; `None` when the bundle is not signed yet.
    pub author: Option<SignatureCheck>,
    pub approvals: Vec<SignatureCheck>,
    pub valid_approvals: u32,
}

impl Verification {
    /// Intact and signed by its author with a trusted key.
    pub fn intact_and_signed(&self) -> bool {
        self.integrity.is_empty() && self.author.as_ref().is_some_and(|a| a.valid)
    }
}

/// Checks a bundle's files, signature and approvals against `trusted`.
pub fn check(files: &Files, trusted: &[Trusted]) -> Verification {
    let (manifest, hash) = match Manifest::read(files) {
        Ok((m, h)) => (m, h),
        Err(problems) => {
            return Verification {
                hash: None,
                manifest: None,
                integrity: problems,
                author: None,
                approvals: Vec::new(),
                valid_approvals: 0,
            }
        }
    };
    let mut integrity = manifest.check_files(files);
    let author = match files.get(SIGNATURES) {
        None => None,
        Some(bytes) => match serde_json::from_slice::<Envelope>(bytes) {
            Ok(env) => Some(check_one(&env, Role::Author, &hash, &manifest, trusted).0),
            Err(e) => {
                integrity.push(BundleProblem::new(
                    SIGNATURES,
                    format!("is not a DSSE envelope: {e}"),
                ));
                None
            }
        },
    };
    // A signature over another hash: the manifest changed after it was signed (or the
    // signature was swapped).
    if let Some(bytes) = files.get(SIGNATURES) {
        if let Ok(statement) = serde_json::from_slice::<Envelope>(bytes)
            .map_err(|e| e.to_string())
            .and_then(|env| sign::open(&env))
        {
            if statement.subject != hash {
                integrity.push(BundleProblem::new(
                    MANIFEST,
                    format!(
                        "changed after it was signed: it hashes to {} but the author signed {}",
                        sign::short_hash(&hash),
                        sign::short_hash(&statement.subject)
                    ),
                ));
            }
        }
    }
    let mut approvals = Vec::new();
    if let Some(bytes) = files.get(APPROVALS) {
        match serde_json::from_slice::<Vec<Envelope>>(bytes) {
            Ok(list) => {
                for (i, env) in list.iter().enumerate() {
                    let (checked, altered) =
                        check_one(env, Role::Approval, &hash, &manifest, trusted);
                    if altered {
                        integrity.push(BundleProblem::new(
                            APPROVALS,
                            format!(
                                "approval {} ({}): {}",
                                i + 1,
                                who(&checked),
                                checked.problem.as_deref().unwrap_or_default()
                            ),
                        ));
                    }
                    approvals.push(checked);
                }
            }
            Err(e) => integrity.push(BundleProblem::new(
                APPROVALS,
                format!("is not a JSON array of DSSE envelopes: {e}"),
            )),
        }
    }
    // One approval per owner counts.
    let mut owners = std::collections::HashSet::new();
    for a in &mut approvals {
        if a.valid && !owners.insert(a.signer.clone()) {
            a.valid = false;
            a.problem = Some(format!(
                "not counted: a second approval by `{}` (one per person counts)",
                a.signer
            ));
        }
    }
    let valid_approvals = approvals.iter().filter(|a| a.valid).count() as u32;
    Verification {
        hash: Some(hash),
        manifest: Some(manifest),
        integrity,
        author,
        approvals,
        valid_approvals,
    }
}

/// Who an approval names: its signer, else (when it could not be opened) its claimed key.
pub fn who(check: &SignatureCheck) -> String {
    if !check.signer.is_empty() {
        format!("`{}`", check.signer)
    } else if !check.key.is_empty() {
        format!("key `{}`", sign::short_id(&check.key))
    } else {
        "no key named".to_owned()
    }
}

/// A reason a signature does not count.
enum Problem {
    /// The envelope or statement was altered, forged or is malformed: verification fails.
    Altered(String),
    /// Genuine, but it does not count (not trusted here, the author's own approval).
    NotCounted(String),
}

/// Checks one envelope of the expected role over `hash`; the flag is whether it is altered
/// or malformed (rather than merely not counted).
fn check_one(
    env: &Envelope,
    role: Role,
    hash: &str,
    manifest: &Manifest,
    trusted: &[Trusted],
) -> (SignatureCheck, bool) {
    let statement = match sign::open(env) {
        Ok(s) => s,
        Err(problem) => {
            let claimed = env
                .signatures
                .first()
                .map(|s| s.keyid.clone())
                .unwrap_or_default();
            let check = SignatureCheck {
                role,
                signer: String::new(),
                key: claimed,
                at: String::new(),
                comment: String::new(),
                valid: false,
                problem: Some(problem),
            };
            return (check, true);
        }
    };
    let (problem, altered) = match statement_problem(&statement, role, hash, manifest, trusted) {
        None => (None, false),
        Some(Problem::Altered(p)) => (Some(p), true),
        Some(Problem::NotCounted(p)) if role == Role::Approval => {
            (Some(format!("not counted: {p}")), false)
        }
        Some(Problem::NotCounted(p)) => (Some(p), false),
    };
    let check = SignatureCheck {
        role: statement.role,
        valid: problem.is_none(),
        problem,
        signer: statement.signer,
        key: statement.key,
        at: statement.at,
        comment: statement.comment,
    };
    (check, altered)
}

fn statement_problem(
    s: &Statement,
    role: Role,
    hash: &str,
    manifest: &Manifest,
    trusted: &[Trusted],
) -> Option<Problem> {
    if s.role != role {
        return Some(Problem::Altered(format!(
            "a `{}` signature where an `{}` belongs",
            s.role.as_str(),
            role.as_str()
        )));
    }
    if s.subject != hash {
        return Some(Problem::Altered(format!(
            "signs another bundle ({}), not this one ({hash})",
            s.subject
        )));
    }
    let Some(key) = trusted.iter().find(|t| t.id == s.key) else {
        return Some(Problem::NotCounted(format!(
            "key `{}` of `{}` is not trusted in this workspace",
            sign::short_id(&s.key),
            s.signer
        )));
    };
    if key.owner != s.signer {
        return Some(Problem::Altered(format!(
            "signed as `{}` but key `{}` belongs to `{}`",
            s.signer,
            sign::short_id(&s.key),
            key.owner
        )));
    }
    match role {
        Role::Author if s.key != manifest.author.key || s.signer != manifest.author.name => {
            Some(Problem::Altered(format!(
                "signed by `{}` but the manifest names `{}` as the author",
                s.signer, manifest.author.name
            )))
        }
        Role::Approval if s.key == manifest.author.key || s.signer == manifest.author.name => {
            Some(Problem::NotCounted(format!(
                "`{}` is the author: an author cannot approve their own bundle (two-person rule)",
                s.signer
            )))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;

    use super::*;
    use crate::bundle::manifest::Author;
    use crate::bundle::FORMAT;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn statement(role: Role, subject: &str, signer: &str, k: &SigningKey) -> Statement {
        Statement {
            statement_type: sign::STATEMENT_TYPE.into(),
            role,
            subject: subject.into(),
            subject_name: "Acme 1.0.0".into(),
            signer: signer.into(),
            key: sign::key_id(&k.verifying_key()),
            at: "2026-11-23T10:00:00Z".into(),
            comment: String::new(),
            previous: None,
        }
    }

    fn bundle(author: &SigningKey) -> (Files, String) {
        let mut files = Files::new();
        files.insert(
            "policies/a.cedar".into(),
            b"permit(principal, action, resource);".to_vec(),
        );
        let m = Manifest {
            format: FORMAT.into(),
            name: "Acme".into(),
            version: "1.0.0".into(),
            cedar_language_version: "4.4".into(),
            namespace: "Acme".into(),
            created_at: "2026-11-23T10:00:00Z".into(),
            author: Author {
                name: "dana".into(),
                key: sign::key_id(&author.verifying_key()),
            },
            parent: None,
            summary: String::new(),
            files: Manifest::list(&files),
        };
        files.insert(MANIFEST.into(), m.canonical());
        let hash = m.hash();
        let env = sign::sign(&statement(Role::Author, &hash, "dana", author), author);
        files.insert(SIGNATURES.into(), serde_json::to_vec(&env).unwrap());
        (files, hash)
    }

    fn trusted(pairs: &[(&SigningKey, &str)]) -> Vec<Trusted> {
        pairs
            .iter()
            .map(|(k, o)| Trusted {
                id: sign::key_id(&k.verifying_key()),
                owner: (*o).into(),
            })
            .collect()
    }

    fn approve(files: &mut Files, envs: &[Envelope]) {
        files.insert(APPROVALS.into(), serde_json::to_vec(envs).unwrap());
    }

    #[test]
    fn approvals_count_once_per_trusted_person_and_never_the_author() {
        let (dana, bob, eve, carol) = (key(1), key(2), key(3), key(4));
        let (mut files, hash) = bundle(&dana);
        let trust = trusted(&[(&dana, "dana"), (&bob, "bob"), (&carol, "carol")]);
        approve(
            &mut files,
            &[
                sign::sign(&statement(Role::Approval, &hash, "dana", &dana), &dana),
                sign::sign(&statement(Role::Approval, &hash, "bob", &bob), &bob),
                sign::sign(&statement(Role::Approval, &hash, "bob", &bob), &bob),
                sign::sign(&statement(Role::Approval, &hash, "eve", &eve), &eve),
            ],
        );
        let v = check(&files, &trust);
        // Genuine approvals that do not count are not integrity problems.
        assert!(v.integrity.is_empty(), "{:?}", v.integrity);
        assert!(v.intact_and_signed());
        assert_eq!(v.valid_approvals, 1, "{:#?}", v.approvals);
        let problems: Vec<String> = v
            .approvals
            .iter()
            .map(|a| a.problem.clone().unwrap_or_default())
            .collect();
        assert!(
            problems[0].starts_with("not counted: ") && problems[0].contains("two-person rule"),
            "{}",
            problems[0]
        );
        assert_eq!(problems[1], "");
        assert_eq!(
            problems[2],
            "not counted: a second approval by `bob` (one per person counts)"
        );
        assert!(
            problems[3].starts_with("not counted: ") && problems[3].contains("not trusted"),
            "{}",
            problems[3]
        );
    }

    #[test]
    fn altered_forged_or_malformed_approvals_fail_naming_approvals_json() {
        let (dana, bob, carol) = (key(1), key(2), key(4));
        let (mut files, hash) = bundle(&dana);
        let trust = trusted(&[(&dana, "dana"), (&bob, "bob"), (&carol, "carol")]);
        let mut flipped = sign::sign(&statement(Role::Approval, &hash, "carol", &carol), &carol);
        let sig = &mut flipped.signatures[0].sig;
        let c = if sig.starts_with('A') { "B" } else { "A" };
        sig.replace_range(0..1, c);
        approve(
            &mut files,
            &[
                sign::sign(&statement(Role::Approval, &hash, "bob", &bob), &bob),
                // Carol's key, claiming to be bob.
                sign::sign(&statement(Role::Approval, &hash, "bob", &carol), &carol),
                // Another bundle's approval, copied in.
                sign::sign(
                    &statement(Role::Approval, "sha256:other", "carol", &carol),
                    &carol,
                ),
                // An author signature where an approval belongs.
                sign::sign(&statement(Role::Author, &hash, "carol", &carol), &carol),
                flipped,
            ],
        );
        let v = check(&files, &trust);
        assert!(!v.intact_and_signed());
        assert_eq!(v.valid_approvals, 1, "{:#?}", v.approvals);
        let named: Vec<(&str, &str)> = v
            .integrity
            .iter()
            .map(|p| (p.file.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(named.len(), 4, "{named:#?}");
        assert!(named.iter().all(|(f, _)| *f == APPROVALS), "{named:#?}");
        assert!(named[0]
            .1
            .starts_with("approval 2 (`bob`): signed as `bob` but key"));
        assert!(named[0].1.ends_with("belongs to `carol`"), "{}", named[0].1);
        assert!(
            named[1]
                .1
                .starts_with("approval 3 (`carol`): signs another bundle"),
            "{}",
            named[1].1
        );
        assert!(
            named[2]
                .1
                .starts_with("approval 4 (`carol`): a `author` signature"),
            "{}",
            named[2].1
        );
        assert!(
            named[3].1.starts_with("approval 5 (key `ed25519:")
                && named[3].1.contains("does not verify"),
            "{}",
            named[3].1
        );
        // Not a JSON array of envelopes at all.
        files.insert(APPROVALS.into(), b"[{\"payload\": 1}]".to_vec());
        let v = check(&files, &trust);
        assert_eq!(v.integrity.len(), 1);
        assert_eq!(v.integrity[0].file, APPROVALS);
        assert!(v.integrity[0]
            .message
            .contains("is not a JSON array of DSSE envelopes"));
        // An empty list, as `bundle build` writes it, is fine.
        files.insert(APPROVALS.into(), b"[]\n".to_vec());
        let v = check(&files, &trust);
        assert!(v.intact_and_signed(), "{:?}", v.integrity);
        assert_eq!(v.valid_approvals, 0);
    }

    #[test]
    fn an_untrusted_author_or_a_flipped_byte_fails() {
        let (dana, bob) = (key(1), key(2));
        let (mut files, _) = bundle(&dana);
        let v = check(&files, &trusted(&[(&bob, "bob")]));
        assert!(!v.intact_and_signed());
        assert!(v.author.unwrap().problem.unwrap().contains("not trusted"));

        let trust = trusted(&[(&dana, "dana")]);
        assert!(check(&files, &trust).intact_and_signed());
        files.get_mut("policies/a.cedar").unwrap()[0] ^= 1;
        let v = check(&files, &trust);
        assert_eq!(v.integrity.len(), 1);
        assert_eq!(v.integrity[0].file, "policies/a.cedar");

        // A flipped byte in the signature envelope.
        let (mut files, _) = bundle(&dana);
        let sig = files.get_mut(SIGNATURES).unwrap();
        let at = sig.windows(6).position(|w| w == b"\"sig\":").unwrap() + 8;
        sig[at] = if sig[at] == b'A' { b'B' } else { b'A' };
        let v = check(&files, &trust);
        assert!(!v.intact_and_signed());
        assert!(v
            .author
            .unwrap()
            .problem
            .unwrap()
            .contains("does not verify"));
    }
}
