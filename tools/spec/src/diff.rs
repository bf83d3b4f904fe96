//! `spec diff`: what changed between two OpenAPI documents, and whom it breaks.
//!
//! Either side may be an upstream document or a spec of record. The changes are
//! ranked for this crate's generated client (see `rules`), and the ranks give the
//! crate's next version.

mod keywords;
pub mod render;
mod report;
pub mod rules;
pub(crate) mod walk;

#[cfg(test)]
mod tests;

#[cfg(feature = "tools")]
use crate::import::{self, SpecFiles};
#[cfg(feature = "tools")]
use crate::{manifest, spec_io};
#[cfg(feature = "tools")]
use anyhow::{bail, Context, Result};
use serde_json::Value;
#[cfg(feature = "tools")]
use std::path::{Path, PathBuf};
#[cfg(feature = "tools")]
use std::process::ExitCode;

pub use report::{compare, suggest, Level, Report, Suggestion};

#[cfg(feature = "tools")]
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The older document (YAML, read as 1.2, or JSON).
    old: PathBuf,
    /// The newer document.
    new: PathBuf,
    /// Markdown for people; JSON for tools (its shape is in docs/regenerating.md).
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Exit with status 1 when a change of this rank is found (`any`: any listed change).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[cfg(feature = "tools")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

#[cfg(feature = "tools")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Source,
    Wire,
    Any,
}

/// The semantic diff as Markdown, without a version suggestion: what the drift gate prints.
pub fn semantic_report(old: &Value, new: &Value) -> String {
    render::markdown(&compare(old, new), None, 2)
}

/// For the drift gate: the semantic diff of the checked-in spec against a fresh
/// import. The gate's verdict comes from the line diff, so when this cannot be
/// computed (a spec that no longer parses, say) it says why instead of failing.
#[cfg(feature = "tools")]
pub fn drift_summary(upstream: &Path, files: &SpecFiles) -> String {
    let semantic = || -> Result<String> {
        let checked_in = read_openapi(&files.spec)?;
        let fresh = spec_io::parse_document(&import::import_text(upstream, &files.overlays)?)?;
        Ok(semantic_report(&checked_in, &fresh))
    };
    semantic().unwrap_or_else(|e| format!("(no semantic diff: {e:#})\n"))
}

#[cfg(feature = "tools")]
pub fn run(args: &DiffArgs, root: &Path) -> Result<ExitCode> {
    let old = read_openapi(&args.old)?;
    let new = read_openapi(&args.new)?;
    let report = compare(&old, &new);
    let suggestion = suggest(&report, &manifest::current_version(root)?)?;
    match args.format {
        Format::Markdown => print!("{}", render::markdown(&report, Some(&suggestion), 2)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&render::json(&report, &suggestion))
                .expect("a JSON value always serialises")
        ),
    }
    let tripped = match args.fail_on {
        None => false,
        Some(FailOn::Source) => report.source_breaking() > 0,
        Some(FailOn::Wire) => report.wire_breaking() > 0,
        Some(FailOn::Any) => !report.changes.is_empty(),
    };
    Ok(if tripped {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Where docs/regenerating.md holds the rule table.
pub const RULES_MARKER: &str = "rules table";

/// Where `cargo xtask semver-model` keeps the wire ranks it measured.
pub const MEASURED: &str = "tools/spec/wire-measured.json";

/// The wire ranks `cargo xtask semver-model` measured (tools/spec/wire-measured.json).
#[cfg(feature = "tools")]
pub fn read_measured(root: &Path) -> Result<serde_json::Value> {
    let path = root.join(MEASURED);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Prints the rule table, or with `write` puts it into docs/regenerating.md.
#[cfg(feature = "tools")]
pub fn write_rules_table(root: &Path, write: bool) -> Result<()> {
    let table = render::rules_table(&read_measured(root)?);
    if !write {
        print!("{table}");
        return Ok(());
    }
    let path = root.join("docs/regenerating.md");
    let docs =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some(updated) = render::with_region(&docs, RULES_MARKER, &table) else {
        bail!("{} has no <!-- {RULES_MARKER} --> markers", path.display());
    };
    std::fs::write(&path, updated).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote the rule table into {}", path.display());
    Ok(())
}

#[cfg(feature = "tools")]
fn read_openapi(path: &Path) -> Result<Value> {
    let doc = spec_io::read_document(path)?;
    if !doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3."))
    {
        bail!("{} is not an OpenAPI 3 document", path.display());
    }
    Ok(doc)
}
