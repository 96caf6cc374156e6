//! # Mandate — govern AI agents as workloads
//!
//! Mandate's core: everything the desktop app and the `mandate` CLI do, without either.
//! Shells call only [`api`]; the core never sees Tauri.
//!
//! ## Module map
//! - [`api`]: the one surface shells call; DTOs in [`api::dto`] (exported to TypeScript).
//! - [`error`]: [`Error`] and the stable [`ErrorCode`]s the UI branches on.
//! - [`demo`]: the demo organisation (Acme) embedded from `examples/demo`, and its recorded
//!   traffic generated from a seed and decided by the revision production ran.
//! - [`diagnostics`]: a located problem (file, line, column, help) and offset→line mapping.
//! - [`workspace`]: the workspace folder, `mandate.toml`, layout, atomic writes, file
//!   revisions and the check that refuses a save over a file changed since it was read.
//! - [`frameworks`]: controls (`controls/controls.toml`); framework catalogs join later.
//! - [`inventory`]: agents, people and resources (TOML files); accountability checks;
//!   lifecycle transitions; bulk import and export.
//! - [`model`]: the Cedar schema (generated or the team's own) and the entities
//!   generated from the inventory.
//! - [`policy`]: load `policies/**/*.cedar`, apply `@id`, validate against the schema.
//! - [`replay`]: recorded requests (import into SQLite sets) and their evaluation through the
//!   scope index on all cores, one side or two; breakdown reports.
//! - [`review`]: review records (`reviews/*.toml`): a replay's changed decisions in groups,
//!   their acknowledgements and verdicts.
//! - [`store`]: SQLite (`.mandate/mandate.db`): migrations, the append-only audit log.
//! - [`watch`]: debounced file watching that reports outside edits as typed changes.
//!
//! ## Glossary
//! - **agent**: an AI workload with its own identity, owner team and accountable human.
//! - **control**: a practice the organisation enforces (`MND-…`), mapped to framework items
//!   and enforced by policies and inventory checks.
//! - **policy set**: the Cedar policies of a workspace, ids from `@id` or `policyN`.
//! - **recorded request**: an authorization request captured from production, with the
//!   decision that was made.
//! - **replay**: evaluating recorded requests against a baseline and a candidate policy set.
//! - **bundle**: a signed, versioned package of policies, schema, entities and evidence.
//! - **gate**: a check a bundle must pass before it is published.
//! - **evidence**: what shows a control works: validation, replay and analysis results.
//! - **revision**: the sha256 of a file's bytes (or `absent`); an editor saves naming the
//!   revision it loaded, and a file changed on disk since is an `edit_conflict`.
//!
//! ## House rules
//! - What is reviewed lives in files; what is recorded lives in the database.
//! - Writes are atomic; a file that fails to parse is reported and never overwritten.
//! - Every problem is reported, not only the first; errors carry a code and help.

pub mod analysis;
pub mod api;
pub mod bundle;
pub mod demo;
pub mod diagnostics;
pub mod error;
pub mod frameworks;
pub mod insights;
pub mod inventory;
pub mod model;
pub mod policy;
pub mod replay;
pub mod review;
pub mod store;
pub mod watch;
pub mod workspace;

pub use error::{Error, ErrorCode, Result};
