//! Mandate's integration tests: one binary, a module per concern.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod agents;
mod analysis;
mod bundles;
mod cli;
mod coverage;
mod explain;
mod frameworks_export;
mod frameworks_import;
mod insights;
mod policies;
mod replay_conformance;
mod replay_differential;
mod requests;
mod review;
mod simulate;
mod support;
mod watch;
mod workspace;
