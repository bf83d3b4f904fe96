//! The spec tooling behind `cargo xtask spec …` and `cargo xtask public-api`:
//! reading OpenAPI documents, applying the overlays, importing and checking
//! the spec of record, the semantic diff and the version bump it drives.
//!
//! Without its default `tools` feature it is only the semantic diff
//! ([`diff::compare`], [`diff::render`]) and [`spec_io::parse_document`]:
//! what the command-line tool's `spec check` needs.
//!
//! This crate does not depend on the `threatjammer` library, so that it builds
//! while the library does not: a spec of record the build script rejects is
//! repaired with these tools. What needs the library built (the rustdoc
//! listing of `public-api`, cargo-semver-checks in `bump`) runs cargo on it as
//! a separate process.

#[cfg(feature = "tools")]
pub mod bump;
pub mod diff;
#[cfg(feature = "tools")]
pub mod import;
#[cfg(feature = "tools")]
pub mod manifest;
#[cfg(feature = "tools")]
pub mod overlay;
#[cfg(feature = "tools")]
pub mod public_api;
#[cfg(feature = "tools")]
pub mod semver_checks;
pub mod spec_io;

#[cfg(feature = "tools")]
use anyhow::Result;
#[cfg(feature = "tools")]
use std::path::{Path, PathBuf};
#[cfg(feature = "tools")]
use std::process::ExitCode;

/// `cargo xtask spec …`.
#[cfg(feature = "tools")]
#[derive(clap::Subcommand)]
pub enum SpecCommand {
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
    /// Print the table of diff rules and their ranks (--write: into docs/regenerating.md).
    Rules {
        #[arg(long)]
        write: bool,
    },
}

/// Runs a `spec` command on the workspace at `root`.
#[cfg(feature = "tools")]
pub fn run(command: SpecCommand, root: &Path) -> Result<ExitCode> {
    let files = import::SpecFiles::in_workspace(root);
    match command {
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
        SpecCommand::Diff(args) => return diff::run(&args, root),
        SpecCommand::Bump(args) => bump::run(&args, root)?,
        SpecCommand::Rules { write } => diff::write_rules_table(root, write)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies the workspace at `repo` into `to`: what git tracks or would track
/// (not target/ or what else it ignores), links kept as links (the mock's
/// into tests/fixtures and openapi/). For tests that change openapi/ in a
/// copy and build it.
#[cfg(feature = "tools")]
pub fn copy_workspace(repo: &Path, to: &Path) -> Result<()> {
    use anyhow::{ensure, Context};
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .context("running git ls-files")?;
    ensure!(
        out.status.success(),
        "git ls-files failed in {}",
        repo.display()
    );
    for file in out.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = std::str::from_utf8(file).context("a file name that is not UTF-8")?;
        let (from, into) = (repo.join(file), to.join(file));
        if let Some(dir) = into.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        match std::fs::read_link(&from) {
            Ok(link) => std::os::unix::fs::symlink(link, &into)
                .with_context(|| format!("linking {}", into.display()))?,
            // Listed but deleted in the work tree: not part of the copy.
            Err(_) if !from.is_file() => {}
            Err(_) => drop(
                std::fs::copy(&from, &into)
                    .with_context(|| format!("copying {}", from.display()))?,
            ),
        }
    }
    Ok(())
}
