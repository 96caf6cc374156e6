//! Mandate's integration tests: one binary, a module per concern.

mod cli;
mod support;
mod watch;
mod workspace;
