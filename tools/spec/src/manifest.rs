//! The crate's version as the workspace's root Cargo.toml states it: what
//! `spec diff` suggests the next version from and `spec bump` rewrites. Its own
//! module so that `diff` and `bump` both read it without importing each other.

use anyhow::{anyhow, Context, Result};
use semver::Version;
use std::path::Path;
use toml_edit::DocumentMut;

/// The crate version in the workspace's root Cargo.toml.
pub fn current_version(root: &Path) -> Result<Version> {
    let manifest = read_toml(&root.join("Cargo.toml"))?;
    package_version(&manifest)
}

pub fn read_toml(path: &Path) -> Result<DocumentMut> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse::<DocumentMut>()
        .with_context(|| format!("parsing {}", path.display()))
}

pub fn package_version(manifest: &DocumentMut) -> Result<Version> {
    let text = manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .ok_or_else(|| anyhow!("Cargo.toml has no literal package.version to bump"))?;
    Version::parse(text)
        .with_context(|| format!("package.version {text:?} is not a semantic version"))
}
