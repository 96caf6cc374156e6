//! Verifying a bundle's own content: every file against the manifest, the author's
//! signature, and each approval against the trusted keys. The parent chain needs the
//! workspace's published bundles and is checked by the caller.

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
    /// Every altered, missing or unlisted file, and manifest problems.
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
            Ok(env) => Some(check_one(&env, Role::Author, &hash, &manifest, trusted)),
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
                for env in &list {
                    approvals.push(check_one(env, Role::Approval, &hash, &manifest, trusted));
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
                "a second approval by `{}`: one per person counts",
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

/// Checks one envelope of the expected role over `hash`.
fn check_one(
    env: &Envelope,
    role: Role,
    hash: &str,
    manifest: &Manifest,
    trusted: &[Trusted],
) -> SignatureCheck {
    let statement = match sign::open(env) {
        Ok(s) => s,
        Err(problem) => {
            let claimed = env
                .signatures
                .first()
                .map(|s| s.keyid.clone())
                .unwrap_or_default();
            return SignatureCheck {
                role,
                signer: String::new(),
                key: claimed,
                at: String::new(),
                comment: String::new(),
                valid: false,
                problem: Some(problem),
            };
        }
    };
    let problem = statement_problem(&statement, role, hash, manifest, trusted);
    SignatureCheck {
        role: statement.role,
        valid: problem.is_none(),
        problem,
        signer: statement.signer,
        key: statement.key,
        at: statement.at,
        comment: statement.comment,
    }
}

fn statement_problem(
    s: &Statement,
    role: Role,
    hash: &str,
    manifest: &Manifest,
    trusted: &[Trusted],
) -> Option<String> {
    if s.role != role {
        return Some(format!(
            "a `{}` signature where an `{}` belongs",
            s.role.as_str(),
            role.as_str()
        ));
    }
    if s.subject != hash {
        return Some(format!(
            "signs another bundle ({}), not this one ({hash})",
            s.subject
        ));
    }
    let Some(key) = trusted.iter().find(|t| t.id == s.key) else {
        return Some(format!(
            "key `{}` of `{}` is not trusted in this workspace",
            sign::short_id(&s.key),
            s.signer
        ));
    };
    if key.owner != s.signer {
        return Some(format!(
            "signed as `{}` but key `{}` belongs to `{}`",
            s.signer,
            sign::short_id(&s.key),
            key.owner
        ));
    }
    match role {
        Role::Author if s.key != manifest.author.key || s.signer != manifest.author.name => {
            Some(format!(
                "signed by `{}` but the manifest names `{}` as the author",
                s.signer, manifest.author.name
            ))
        }
        Role::Approval if s.key == manifest.author.key || s.signer == manifest.author.name => {
            Some(format!(
                "`{}` is the author: an author cannot approve their own bundle (two-person rule)",
                s.signer
            ))
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
                sign::sign(&statement(Role::Approval, &hash, "bob", &carol), &carol),
                sign::sign(
                    &statement(Role::Approval, "sha256:other", "carol", &carol),
                    &carol,
                ),
            ],
        );
        let v = check(&files, &trust);
        assert!(v.integrity.is_empty(), "{:?}", v.integrity);
        assert!(v.intact_and_signed());
        assert_eq!(v.valid_approvals, 1, "{:#?}", v.approvals);
        let problems: Vec<String> = v
            .approvals
            .iter()
            .map(|a| a.problem.clone().unwrap_or_default())
            .collect();
        assert!(problems[0].contains("two-person rule"), "{}", problems[0]);
        assert_eq!(problems[1], "");
        assert!(
            problems[2].contains("second approval by `bob`"),
            "{}",
            problems[2]
        );
        assert!(problems[3].contains("not trusted"), "{}", problems[3]);
        assert!(
            problems[4].contains("belongs to `carol`"),
            "{}",
            problems[4]
        );
        assert!(
            problems[5].contains("signs another bundle"),
            "{}",
            problems[5]
        );
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
