//! The model of a comparison: the report of what changed and the crate
//! version it calls for. Both the command (`diff`) and the renderers
//! (`render`) use it, so neither imports the other.

use super::walk::{self, Change};
use super::{keywords, rules};
use anyhow::{Context, Result};
use semver::{BuildMetadata, Prerelease, Version};
use serde_json::Value;

/// Everything one comparison found.
pub struct Report {
    pub title: String,
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
    /// Prose fields (descriptions, summaries, titles, examples) that differ: counted, not listed.
    pub prose_changes: usize,
    /// Keywords of either document the inventory (`keywords.rs`) does not name,
    /// as `old|new pointer: keyword`: a change to one is listed as
    /// `keyword-changed`, which may rank it wrong.
    pub unknown_keywords: Vec<String>,
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
        unknown_keywords: [("old", old), ("new", new)]
            .iter()
            .flat_map(|(side, doc)| {
                keywords::unknown(doc)
                    .into_iter()
                    .map(move |k| format!("{side} {k}"))
            })
            .collect(),
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
