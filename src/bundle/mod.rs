//! Bundles (DESIGN.md §4): a reviewed change as a signed, versioned package a runtime can
//! trust — policies, schema, entities, controls, evidence, approvals and signatures.
//!
//! - [`manifest`]: the canonical manifest (RFC 8785) and the bundle hash.
//! - [`sign`]: Ed25519 keys and DSSE envelopes over the manifest hash (author and approvals).
//! - [`evidence`]: what a bundle carries to show it was checked (validation, replay, coverage,
//!   the approvals its scope needs).
//! - [`gates`]: the checks `publish` runs, each pass or fail with its detail.
//! - [`verify`]: hashes, signatures, approvals against trusted keys, the parent chain.
//! - [`archive`]: reading and writing a bundle as a directory or a zip, refusing hostile
//!   archives (zip-slip, symlinks, duplicates, bombs) before anything is written.
//! - [`export`]: the formats other engines run: a Cedarling policy store (`.cjar`), an AWS
//!   Verified Permissions CloudFormation template, a plain folder for the `cedar` CLI.
//!
//! A bundle in memory is [`Files`]: bundle-relative paths (`/`-separated) to bytes.

pub mod archive;
pub mod evidence;
pub mod export;
pub mod gates;
pub mod manifest;
pub mod sign;
pub mod verify;

use std::collections::BTreeMap;

pub use manifest::Manifest;

/// A bundle's files: bundle-relative `/`-separated path → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The canonical manifest.
pub const MANIFEST: &str = "manifest.json";
/// The author's signature (a DSSE envelope).
pub const SIGNATURES: &str = "signatures.json";
/// The reviewers' approvals (a JSON array of DSSE envelopes).
pub const APPROVALS: &str = "approvals.json";
/// Files the manifest does not list: they sign the manifest.
pub const UNLISTED: [&str; 3] = [MANIFEST, SIGNATURES, APPROVALS];
/// The file extension of a zipped bundle.
pub const ZIP_EXTENSION: &str = "mandate-bundle";
/// The manifest's `format`.
pub const FORMAT: &str = "mandate-bundle/1";

/// A problem with a bundle, naming the bundle file it is about.
#[derive(
    Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[error("{file}: {message}")]
#[ts(export)]
pub struct BundleProblem {
    /// Bundle-relative path (or the archive's own path for archive-level problems).
    pub file: String,
    pub message: String,
}

impl BundleProblem {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            message: message.into(),
        }
    }
}

/// sha256 of bytes as `sha256:HEX`.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256:{:x}", Sha256::digest(bytes))
}
