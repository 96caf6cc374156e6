//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mandate",
    version,
    about = "Govern AI agents: inventory, Cedar policies, replay, framework mapping, signed bundles"
)]
pub struct Cli {
    /// Workspace folder (default: the nearest folder at or above the current one holding `mandate.toml`)
    #[arg(long, short = 'w', global = true, env = "MANDATE_WORKSPACE")]
    pub workspace: Option<PathBuf>,

    /// How results (diagnostics included) are printed
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// How a fatal error is printed
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// `error:` and `help:` lines, coloured on a terminal
    Human,
    /// the same, never coloured
    Plain,
    /// one JSON object: {code, message, help, diagnostics}
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: mandate.toml, inventory/, controls/, policies/ (from the control library), .mandate/
    Init {
        /// Folder to create the workspace in (created if missing)
        dir: PathBuf,
        /// Workspace name (default: the folder's name)
        #[arg(long)]
        name: Option<String>,
        /// Cedar namespace of the schema
        #[arg(long, default_value = "Mandate")]
        namespace: String,
    },
    /// Validate every policy against the workspace schema; exit 1 when there are errors
    Validate,
}
