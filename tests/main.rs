//! Mandate's integration tests: one binary, a module per concern.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod agents;
mod analysis;
mod audit_cli;
mod bundle_gates;
mod bundles;
mod cli;
mod concurrency;
mod conflicts;
mod coverage;
mod crash;
mod dashboard;
mod demo;
mod explain;
mod frameworks_export;
mod frameworks_import;
mod fuzz_corpus;
mod hostile;
mod insights;
mod policies;
mod progress;
mod replay_conformance;
mod replay_differential;
mod requests;
mod review;
mod settings;
mod simulate;
mod support;
mod trust;
mod watch;
mod workspace;
