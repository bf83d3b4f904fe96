//! Project automation: `cargo xtask <command>`.

mod bump;
mod conformance;
mod diff;
mod import;
mod overlay;
mod spec_io;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "threatjammer project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with the spec of record under openapi/.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// Replay tests/fixtures through the client (mock servers, or --base-url) and check each exchange.
    Conformance(conformance::Args),
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Import an upstream OpenAPI document into openapi/ (strip prose, apply the overlay, canonical order).
    Import { upstream: PathBuf },
    /// Exit non-zero, printing the differing lines, when openapi/ is not what `import` would write.
    Check { upstream: PathBuf },
    /// Say what changed between two OpenAPI documents and whom it breaks.
    Diff(diff::DiffArgs),
    /// Import a new upstream document, record the diff in CHANGELOG.md and bump the crate version.
    Bump(bump::BumpArgs),
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let files = import::SpecFiles::in_workspace(&workspace_root());
    match cli.command {
        Command::Conformance(args) => return conformance::run(args, &workspace_root()),
        Command::Spec { command } => match command {
            SpecCommand::Import { upstream } => import::import(&upstream, &files)?,
            SpecCommand::Check { upstream } => match import::check(&upstream, &files)? {
                None => println!("openapi/ is current with {}", upstream.display()),
                Some(diff) => {
                    let semantic = diff::drift_summary(&upstream, &files);
                    eprintln!(
                        "openapi/ has drifted from {}:\n\n{semantic}\n{diff}",
                        upstream.display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
            },
            SpecCommand::Diff(args) => return diff::run(&args, &workspace_root()),
            SpecCommand::Bump(args) => bump::run(&args, &workspace_root())?,
        },
    }
    Ok(ExitCode::SUCCESS)
}
