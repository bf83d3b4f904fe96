//! `cargo xtask conformance` and `cargo xtask mock`, run by xtask as `cargo
//! run --package threatjammer-conformance -- <command> ARGS`. The only tool
//! that links the library, so it is the only one a broken spec of record stops.

mod conformance;
mod drift_overlay;
mod mock;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(bin_name = "cargo xtask", about = "threatjammer project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay tests/fixtures through the client (mock servers, or --base-url) and check each exchange.
    Conformance(conformance::Args),
    /// Serve the library's mock on a free loopback port until ended; prints its URL, then its key.
    Mock(mock::Args),
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the tool lives in tools/ of the workspace")
        .to_path_buf()
}

fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Conformance(args) => conformance::run(args, &workspace_root()),
        Command::Mock(args) => {
            mock::run(&args)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
