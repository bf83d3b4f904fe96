//! `spec diff`: what changed between two OpenAPI documents, and whom it breaks.
//!
//! Either side may be an upstream document or a spec of record. The changes are
//! ranked for this crate's generated client (see `rules`), and the ranks give the
//! crate's next version.

pub mod render;
pub mod rules;
mod walk;

#[cfg(test)]
mod tests;

use crate::import::{self, SpecFiles};
use crate::{bump, spec_io};
use anyhow::{bail, Context, Result};
use semver::{BuildMetadata, Prerelease, Version};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use walk::Change;

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

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Source,
    Wire,
    Any,
}

/// Everything one comparison found.
pub struct Report {
    pub title: String,
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
    /// Prose fields (descriptions, summaries, titles, examples) that differ: counted, not listed.
    pub prose_changes: usize,
}

impl Report {
    pub fn source_breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.rule.source_breaking)
            .count()
    }

    pub fn wire_breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.rule.wire_breaking).count()
    }

    fn is_breaking(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.rule.source_breaking || c.rule.wire_breaking)
    }

    /// New operations, the ones that still need a fixture and a name.
    pub fn added_operations(&self) -> impl Iterator<Item = &str> {
        self.changes
            .iter()
            .filter(|c| c.rule == &rules::OPERATION_ADDED)
            .filter_map(|c| c.operation.as_deref())
    }
}

pub fn compare(old: &Value, new: &Value) -> Report {
    let text = |doc: &Value, pointer: &str| {
        doc.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    Report {
        title: text(new, "/info/title"),
        old_version: text(old, "/info/version"),
        new_version: text(new, "/info/version"),
        changes: walk::changes(old, new),
        prose_changes: walk::prose_changes(old, new),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Major,
    Minor,
    Patch,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Major => "major",
            Level::Minor => "minor",
            Level::Patch => "patch",
        }
    }
}

/// The crate version a report calls for.
pub struct Suggestion {
    pub level: Level,
    pub current: Version,
    pub next: Version,
    pub reason: String,
}

/// Picks the next crate version. Before 1.0, Cargo treats the minor number as the
/// compatibility boundary, so a breaking change (source or wire) bumps the minor
/// version and anything else the patch version. From 1.0 on, breaking is major,
/// any other listed change (a new operation, say) minor, and prose alone patch.
/// The API version travels as build metadata (`0.2.0+api.1.2.27`), which Cargo
/// ignores when resolving versions.
pub fn suggest(report: &Report, current: &Version) -> Result<Suggestion> {
    let (source, wire) = (report.source_breaking(), report.wire_breaking());
    let breaking = format!("{source} source-breaking and {wire} wire-breaking change(s)");
    let (level, reason) = match (current.major, report.is_breaking()) {
        (0, true) => (
            Level::Minor,
            format!("{breaking}; a 0.x crate takes breaking changes in a minor release"),
        ),
        (0, false) => (
            Level::Patch,
            "no breaking change; a 0.x crate takes the rest in a patch release".to_string(),
        ),
        (_, true) => (Level::Major, breaking),
        (_, false)
            if report
                .changes
                .iter()
                .any(|c| c.rule != &rules::KEYWORD_CHANGED) =>
        {
            (
                Level::Minor,
                "no breaking change, but additions".to_string(),
            )
        }
        (_, false) => (
            Level::Patch,
            "no breaking change and no addition".to_string(),
        ),
    };
    let mut next = match level {
        Level::Major => Version::new(current.major + 1, 0, 0),
        Level::Minor => Version::new(current.major, current.minor + 1, 0),
        Level::Patch => Version::new(current.major, current.minor, current.patch + 1),
    };
    next.pre = Prerelease::EMPTY;
    next.build = BuildMetadata::new(&format!("api.{}", report.new_version)).with_context(|| {
        format!(
            "API version {:?} cannot be build metadata",
            report.new_version
        )
    })?;
    Ok(Suggestion {
        level,
        current: current.clone(),
        next,
        reason,
    })
}

/// The semantic diff as Markdown, without a version suggestion: what the drift gate prints.
pub fn semantic_report(old: &Value, new: &Value) -> String {
    render::markdown(&compare(old, new), None, 2)
}

/// For the drift gate: the semantic diff of the checked-in spec against a fresh
/// import. The gate's verdict comes from the line diff, so when this cannot be
/// computed (a spec that no longer parses, say) it says why instead of failing.
pub fn drift_summary(upstream: &Path, files: &SpecFiles) -> String {
    let semantic = || -> Result<String> {
        let checked_in = read_openapi(&files.spec)?;
        let fresh = spec_io::parse_document(&import::import_text(upstream, &files.overlays)?)?;
        Ok(semantic_report(&checked_in, &fresh))
    };
    semantic().unwrap_or_else(|e| format!("(no semantic diff: {e:#})\n"))
}

pub fn run(args: &DiffArgs, root: &Path) -> Result<ExitCode> {
    let old = read_openapi(&args.old)?;
    let new = read_openapi(&args.new)?;
    let report = compare(&old, &new);
    let suggestion = suggest(&report, &bump::current_version(root)?)?;
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
