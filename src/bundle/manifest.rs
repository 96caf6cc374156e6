//! The manifest: what a bundle is and the sha256 of every file in it, as canonical JSON
//! (RFC 8785, JSON Canonicalization Scheme), so the same bundle always hashes the same.
//! The bundle's hash — what signatures, approvals and a child's `parent` name — is the
//! sha256 of `manifest.json`'s bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{sha256, BundleProblem, Files, FORMAT, MANIFEST, UNLISTED};

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "BundleFileEntry")]
pub struct FileEntry {
    /// `sha256:HEX` of the file's bytes.
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// Who built the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "BundleAuthor")]
pub struct Author {
    /// The owner name of the author's key.
    pub name: String,
    /// The author's key id (`ed25519:HEX`).
    pub key: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "BundleManifest")]
pub struct Manifest {
    /// `mandate-bundle/1`.
    pub format: String,
    /// The workspace's name.
    pub name: String,
    /// Semantic version, greater than every published one.
    pub version: String,
    /// The Cedar language version the policies are written for.
    pub cedar_language_version: String,
    /// The workspace's Cedar namespace.
    pub namespace: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub author: Author,
    /// The hash of the bundle published before this one; `None` for the first.
    pub parent: Option<String>,
    /// What changed, in the author's words.
    pub summary: String,
    /// Every file except `manifest.json`, `signatures.json` and `approvals.json`.
    pub files: BTreeMap<String, FileEntry>,
}

impl Manifest {
    /// Lists every file of `files` that the manifest covers.
    pub fn list(files: &Files) -> BTreeMap<String, FileEntry> {
        files
            .iter()
            .filter(|(path, _)| !UNLISTED.contains(&path.as_str()))
            .map(|(path, bytes)| {
                (
                    path.clone(),
                    FileEntry {
                        sha256: sha256(bytes),
                        size: bytes.len() as u64,
                    },
                )
            })
            .collect()
    }

    /// The canonical bytes (RFC 8785) written as `manifest.json`.
    pub fn canonical(&self) -> Vec<u8> {
        // A struct of strings and integers always serialises.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }

    /// The bundle's hash: sha256 of the canonical manifest.
    pub fn hash(&self) -> String {
        sha256(&self.canonical())
    }

    /// Reads `manifest.json` from a bundle's files: it must parse, be canonical and name
    /// the format this build reads. Every problem is returned.
    pub fn read(files: &Files) -> Result<(Self, String), Vec<BundleProblem>> {
        let Some(bytes) = files.get(MANIFEST) else {
            return Err(vec![BundleProblem::new(
                MANIFEST,
                "missing: a bundle starts with its manifest",
            )]);
        };
        let manifest: Self = serde_json::from_slice(bytes).map_err(|e| {
            vec![BundleProblem::new(
                MANIFEST,
                format!("does not parse (line {}): {e}", e.line()),
            )]
        })?;
        let mut problems = Vec::new();
        if manifest.canonical() != *bytes {
            problems.push(BundleProblem::new(
                MANIFEST,
                "is not canonical JSON (RFC 8785): it was edited or rewritten after it was built",
            ));
        }
        if manifest.format != FORMAT {
            problems.push(BundleProblem::new(
                MANIFEST,
                format!("format `{}` is not `{FORMAT}`", manifest.format),
            ));
        }
        if chrono::DateTime::parse_from_rfc3339(&manifest.created_at).is_err() {
            problems.push(BundleProblem::new(
                MANIFEST,
                format!(
                    "created_at `{}` is not an RFC 3339 time",
                    manifest.created_at.escape_debug()
                ),
            ));
        }
        if semver::Version::parse(&manifest.version).is_err() {
            problems.push(BundleProblem::new(
                MANIFEST,
                format!("version `{}` is not a semantic version", manifest.version),
            ));
        }
        if problems.is_empty() {
            Ok((manifest, sha256(bytes)))
        } else {
            Err(problems)
        }
    }

    /// Compares the listed hashes with the files: every changed, missing or unlisted file.
    pub fn check_files(&self, files: &Files) -> Vec<BundleProblem> {
        let actual = Self::list(files);
        let mut problems = Vec::new();
        for (path, want) in &self.files {
            match actual.get(path) {
                None => problems.push(BundleProblem::new(
                    path.as_str(),
                    "listed in the manifest but missing",
                )),
                Some(got) if got.sha256 != want.sha256 => problems.push(BundleProblem::new(
                    path.as_str(),
                    format!(
                        "altered: its sha256 is {} but the manifest lists {}",
                        got.sha256, want.sha256
                    ),
                )),
                Some(_) => {}
            }
        }
        for path in actual.keys() {
            if !self.files.contains_key(path) {
                problems.push(BundleProblem::new(
                    path.as_str(),
                    "not listed in the manifest (added after the bundle was built)",
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: &Files) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            name: "Acme".into(),
            version: "1.2.0".into(),
            cedar_language_version: "4.4".into(),
            namespace: "Acme".into(),
            created_at: "2026-11-23T10:00:00Z".into(),
            author: Author {
                name: "dana@acme.example".into(),
                key: "ed25519:00".into(),
            },
            parent: None,
            summary: "Tighten TTLs ✓".into(),
            files: Manifest::list(files),
        }
    }

    #[test]
    fn canonical_form_is_sorted_compact_and_stable() {
        let mut files = Files::new();
        files.insert("schema.cedarschema".into(), b"namespace Acme {}".to_vec());
        files.insert(
            "policies/a.cedar".into(),
            b"permit(principal, action, resource);".to_vec(),
        );
        files.insert(MANIFEST.into(), b"ignored".to_vec());
        let m = manifest(&files);
        assert_eq!(m.files.len(), 2, "manifest.json is not listed in itself");
        let text = String::from_utf8(m.canonical()).unwrap();
        // RFC 8785: keys sorted by code unit, no whitespace, non-ASCII kept as UTF-8.
        assert!(text.starts_with(r#"{"author":{"key":"ed25519:00","name":"dana@acme.example"},"cedar_language_version":"4.4","created_at":"#), "{text}");
        assert!(text.contains(r#""summary":"Tighten TTLs ✓""#), "{text}");
        assert!(!text.contains(' ') || text.contains("Tighten TTLs"));
        assert_eq!(m.hash(), sha256(text.as_bytes()));

        files.insert(MANIFEST.into(), m.canonical());
        let (back, hash) = Manifest::read(&files).unwrap();
        assert_eq!(back, m);
        assert_eq!(hash, m.hash());
        assert!(back.check_files(&files).is_empty());
    }

    #[test]
    fn every_altered_missing_or_added_file_is_named() {
        let mut files = Files::new();
        files.insert("a.cedar".into(), b"x".to_vec());
        files.insert("b.cedar".into(), b"y".to_vec());
        let m = manifest(&files);
        files.insert("a.cedar".into(), b"X".to_vec());
        files.remove("b.cedar");
        files.insert("c.cedar".into(), b"z".to_vec());
        let problems = m.check_files(&files);
        let named: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(named, ["a.cedar", "b.cedar", "c.cedar"]);
        assert!(
            problems[0].message.starts_with("altered"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("missing"));
        assert!(problems[2].message.contains("not listed"));
    }

    #[test]
    fn a_pretty_printed_manifest_is_refused() {
        let files = Files::new();
        let m = manifest(&files);
        let mut with = Files::new();
        with.insert(MANIFEST.into(), serde_json::to_vec_pretty(&m).unwrap());
        let problems = Manifest::read(&with).unwrap_err();
        assert!(problems[0].message.contains("canonical"), "{problems:?}");
    }
}
