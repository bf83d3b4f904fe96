//! `cargo xtask semver-model`, run by xtask as `cargo run --package
//! threatjammer-semver-model -- semver-model ARGS`: its own crate, so that
//! xtask compiles none of it for the other commands.

mod semver_model;
mod wire;

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
    /// Build the crate on synthetic spec releases and check that spec diff's source ranks are what cargo-semver-checks finds.
    SemverModel(semver_model::Args),
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the tool lives in tools/ of the workspace")
        .to_path_buf()
}

fn main() -> anyhow::Result<ExitCode> {
    let Command::SemverModel(args) = Cli::parse().command;
    Ok(if semver_model::run(&args, &workspace_root())? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
