//! `cargo xtask perf` and `cargo xtask build-cost`, run by xtask as `cargo run
//! --package threatjammer-bench -- <command> ARGS`: their own crate, so that
//! xtask compiles none of it for the other commands.

mod build_cost;
mod perf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(bin_name = "cargo xtask", about = "threatjammer project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the tool lives in tools/ of the workspace")
        .to_path_buf()
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Perf {
            json,
            seconds,
            no_bulk,
            bulk_sizes,
        } => {
            let sizes = if no_bulk { Vec::new() } else { bulk_sizes };
            perf::run(&workspace_root(), json, seconds, &sizes)
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
        }),
    }
}
