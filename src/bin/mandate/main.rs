//! `mandate`: the command-line shell over `mandate::api`.

mod args;
mod commands;
mod output;

use std::path::PathBuf;

use clap::Parser as _;

/// mimalloc: a replay allocates small values on every core at once (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Process exit codes (DESIGN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Success, nothing found.
    Ok = 0,
    /// Findings: validation errors, changed decisions, failed verification or gate.
    Findings = 1,
    /// Usage or I/O error.
    Error = 2,
}

fn main() -> std::process::ExitCode {
    mandate::api::configure_worker_threads();
    // Cedar's parser recurses once per level of nesting: run on a thread with the stack that
    // the nesting limits assume (reserved, not committed, until used).
    let worker = std::thread::Builder::new()
        .name("mandate".into())
        .stack_size(mandate::api::CEDAR_STACK_SIZE)
        .spawn(run);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => run(),
    }
}

fn run() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    let code = match commands::run(&cli) {
        Ok(code) => code,
        Err(e) => {
            let shown = cli.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
            output::error(&e, cli.error_format, &shown);
            ExitCode::Error
        }
    };
    std::process::ExitCode::from(code as u8)
}
