//! Project automation: `cargo xtask <command>`.

mod build_cost;
mod bump;
mod conformance;
mod diff;
mod drift_overlay;
mod import;
mod mock;
mod overlay;
mod perf;
mod public_api;
mod semver_checks;
mod semver_model;
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
    /// Serve the library's mock on a free loopback port until ended; prints its URL, then its key.
    Mock(mock::Args),
    /// Run the benchmarks briefly; print absolute figures and the ratios to their baselines.
    Perf {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Seconds of paired measurement per comparison.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Skip the bulk benchmark (benches/bulk.rs): only the paired comparisons.
        #[arg(long, conflicts_with = "bulk_sizes")]
        no_bulk: bool,
        /// Input sizes of the bulk benchmark, one process each (peak RSS is per
        /// process): the 1,000,000 addresses and a tenth of that, to show
        /// that memory does not grow with the input.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        bulk_sizes: Vec<u64>,
    },
    /// Print the library's public API, one item a line (--write: into its snapshot).
    PublicApi(public_api::Args),
    /// Build the crate on synthetic spec releases and check that spec diff's source ranks are what cargo-semver-checks finds.
    SemverModel(semver_model::Args),
    /// Build a fresh crate depending on this one, and one with only its runtime dependencies, from clean; print the ratio and where the time goes.
    BuildCost {
        /// Clean builds of each side per profile; the sides take turns, medians count.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// The profiles to measure, in this order.
        #[arg(long = "profile", value_enum, default_values_t = [build_cost::Profile::Dev, build_cost::Profile::Release])]
        profiles: Vec<build_cost::Profile>,
        /// Set `[profile.dev.build-override]` and `[profile.release.build-override]`
        /// `opt-level` to this in every measured crate, as a user could in theirs.
        #[arg(long, value_name = "LEVEL")]
        build_override_opt_level: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Keep the scratch directory (baseline crate, target directories, timing reports).
        #[arg(long)]
        keep: bool,
        /// Measure this checkout instead of the workspace (to compare revisions).
        #[arg(long)]
        root: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Import an upstream OpenAPI document (a path or a URL) into openapi/ (strip prose, apply the overlays, canonical order).
    Import {
        upstream: PathBuf,
        /// A further overlay applied after openapi/'s own, such as one
        /// `conformance --drift` proposed; repeatable.
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Exit non-zero, printing the differing lines, when openapi/ is not what `import` would
    /// write from UPSTREAM (a path, or a URL such as a deployment's /openapi.json).
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
            SpecCommand::Import { upstream, overlays } => {
                let mut files = files;
                files.overlays.extend(overlays);
                import::import(&upstream, &files)?
            }
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
        Command::Mock(args) => mock::run(&args)?,
        Command::PublicApi(args) => public_api::run(&args, &workspace_root())?,
        Command::SemverModel(args) => {
            if !semver_model::run(&args, &workspace_root())? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Perf {
            json,
            seconds,
            no_bulk,
            bulk_sizes,
        } => {
            let sizes = if no_bulk { Vec::new() } else { bulk_sizes };
            perf::run(&workspace_root(), json, seconds, &sizes)?
        }
        Command::BuildCost {
            runs,
            profiles,
            build_override_opt_level,
            json,
            keep,
            root,
        } => build_cost::run(&build_cost::Options {
            root: root.unwrap_or_else(workspace_root),
            runs: runs.max(1),
            profiles,
            build_override_opt_level,
            json,
            keep,
        })?,
    }
    Ok(ExitCode::SUCCESS)
}
