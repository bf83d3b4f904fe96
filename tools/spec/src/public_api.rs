//! `public-api`: a published crate's public API (the library's unless
//! `--package` names another, such as `threatjammer-mock`) as a sorted
//! listing, one item a line.
//!
//! The listing is what a user of the crate writes against: items, fields,
//! variants, methods and the trait impls the crate itself writes. Blanket,
//! auto-trait and derived impls are left out: they follow from the rest and
//! would bury a real change under hundreds of lines. xtask/tests/public_api.rs
//! compares it with snapshots/public_api.snap, so every change to the API, and
//! every `spec bump`, shows up in review.

use anyhow::{bail, ensure, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The checked-in listing, an insta snapshot (xtask/tests/public_api.rs).
pub const SNAPSHOT: &str = "snapshots/public_api.snap";

/// The rustdoc JSON format that public-api 0.52.1 reads. A toolchain that
/// writes another one needs the public-api pin moved along with it.
const FORMAT_VERSION: u64 = 57;

/// The crate listed unless `--package` says otherwise.
const LIBRARY: &str = "threatjammer";

/// The library's features whose items are listed too: those that add API
/// (`axum` adds none; `dynamic` and `schemars` are for tools and derive what the
/// listing leaves out).
const LIBRARY_FEATURES: &str = "cache,tower,redis";

#[derive(clap::Args)]
pub struct Args {
    /// Write the listing to snapshots/public_api.snap instead of printing it
    /// (the library's only; another crate's snapshot is its test's).
    #[arg(long)]
    write: bool,
    /// The workspace package to list.
    #[arg(long, default_value = LIBRARY)]
    package: String,
}

pub fn run(args: &Args, root: &Path) -> Result<()> {
    ensure!(
        !args.write || args.package == LIBRARY,
        "--write writes the library's snapshot; accept another crate's with its test"
    );
    let listing = listing_of(root, &args.package)?;
    if args.write {
        write_snapshot(root, &listing)?;
        println!("wrote {SNAPSHOT}");
    } else {
        print!("{listing}");
    }
    Ok(())
}

/// Builds the library's rustdoc JSON and renders its public API.
pub fn listing(root: &Path) -> Result<String> {
    listing_of(root, LIBRARY)
}

/// The public API of the workspace package `package`.
pub fn listing_of(root: &Path, package: &str) -> Result<String> {
    let json = rustdoc_json(root, package)?;
    check_format(&json)?;
    let api = public_api::Builder::from_rustdoc_json(&json)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .omit_auto_derived_impls(true)
        .build()
        .with_context(|| format!("reading {}", json.display()))?;
    Ok(api.to_string())
}

/// Writes the listing the way insta stores it, so the test accepts the file as
/// its snapshot (insta compares the part below the header).
pub fn write_snapshot(root: &Path, listing: &str) -> Result<()> {
    let path = root.join(SNAPSHOT);
    let text =
        format!("---\nsource: xtask/tests/public_api.rs\nexpression: listing\n---\n{listing}");
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// The listing in the checked-in snapshot, without insta's header.
pub fn snapshot_listing(root: &Path) -> Result<String> {
    let path = root.join(SNAPSHOT);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .with_context(|| format!("{} has no insta header", path.display()))?;
    Ok(body.to_string())
}

fn rustdoc_json(root: &Path, package: &str) -> Result<PathBuf> {
    let krate = package.replace('-', "_");
    // Its own target directory: the test runs this from inside `cargo test`,
    // whose cargo holds the lock of the workspace's target directory.
    let target = root.join("target").join("public-api");
    // The variable cargo sets for what it runs, so a test finds the cargo that
    // runs it even where none is on PATH.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["rustdoc", "--quiet", "--lib", "--package", package])
        .args(if package == LIBRARY {
            &["--features", LIBRARY_FEATURES][..]
        } else {
            &[]
        })
        .arg("--target-dir")
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        // JSON output is unstable; the project builds on stable only. Naming the
        // crate lets rustdoc of this one crate use it and nothing else.
        .env("RUSTC_BOOTSTRAP", &krate)
        .status()
        .context("running cargo rustdoc")?;
    if !status.success() {
        bail!("cargo rustdoc failed ({status})");
    }
    Ok(target.join("doc").join(format!("{krate}.json")))
}

/// A format public-api does not know may still parse, and list the wrong thing.
fn check_format(json: &Path) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Header {
        format_version: u64,
    }
    let text =
        std::fs::read_to_string(json).with_context(|| format!("reading {}", json.display()))?;
    let header: Header =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", json.display()))?;
    ensure!(
        header.format_version == FORMAT_VERSION,
        "{} is rustdoc JSON format {}; the pinned public-api reads format {FORMAT_VERSION} \
         (move the pin in tools/spec/Cargo.toml to a release that reads the new format)",
        json.display(),
        header.format_version
    );
    Ok(())
}
