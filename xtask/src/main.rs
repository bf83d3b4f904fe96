//! Project automation: `cargo xtask <command>`.
//!
//! The one entry a maintainer types. It links only the spec tooling
//! (tools/spec), which builds without the library, so `spec import`, `check`,
//! `diff` and `bump` work on a spec of record the library's build rejects.
//! Every other command belongs to a tool crate under tools/ and is handed to
//! `cargo run --package <tool>` with its arguments as given: the tool parses
//! them (its `--help` included) and its exit status is this command's.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};
use threatjammer_spec::{public_api, SpecCommand};

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
    Conformance(Forwarded),
    /// Serve the library's mock on a free loopback port until ended; prints its URL, then its key.
    Mock(Forwarded),
    /// Run the benchmarks briefly; print absolute figures and the ratios to their baselines.
    Perf(Forwarded),
    /// Print the library's public API, one item a line (--write: into its snapshot).
    PublicApi(public_api::Args),
    /// Build the crate on synthetic spec releases and check that spec diff's source ranks are what cargo-semver-checks finds.
    SemverModel(Forwarded),
    /// Build a fresh crate depending on this one, and one with only its runtime dependencies, from clean; print the ratio and where the time goes.
    BuildCost(Forwarded),
}

/// A command's arguments, untouched, for the tool that owns the command.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
struct Forwarded {
    /// The command's arguments (`--help` lists them).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs `command` of the tool `package` (each tool's binary takes the same
/// command names as xtask). On Unix the process becomes that `cargo run`,
/// which in turn becomes the tool: stdin, stdout, stderr, the environment,
/// signals and the exit status are the tool's, and a script that starts
/// `cargo xtask mock` in the background holds the mock's pid (.ci/run).
fn run_tool(package: &str, command: &str, forwarded: Forwarded) -> Result<ExitCode> {
    // The cargo that runs this xtask, as cargo tells its `run` children.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut process = Process::new(cargo);
    process
        .args(["run", "--quiet", "--package", package, "--manifest-path"])
        .arg(workspace_root().join("Cargo.toml"))
        .arg("--")
        .arg(command)
        .args(forwarded.args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = process.exec();
        Err(error).with_context(|| format!("running cargo run --package {package}"))
    }
    #[cfg(not(unix))]
    {
        let status = process
            .status()
            .with_context(|| format!("running cargo run --package {package}"))?;
        Ok(status
            .code()
            .map_or(ExitCode::FAILURE, |code| ExitCode::from(code as u8)))
    }
}

fn main() -> Result<ExitCode> {
    let root = workspace_root();
    match Cli::parse().command {
        Command::Spec { command } => threatjammer_spec::run(command, &root),
        Command::PublicApi(args) => {
            public_api::run(&args, &root)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformance(args) => run_tool("threatjammer-conformance", "conformance", args),
        Command::Mock(args) => run_tool("threatjammer-conformance", "mock", args),
        Command::SemverModel(args) => run_tool("threatjammer-semver-model", "semver-model", args),
        Command::Perf(args) => run_tool("threatjammer-bench", "perf", args),
        Command::BuildCost(args) => run_tool("threatjammer-bench", "build-cost", args),
    }
}
