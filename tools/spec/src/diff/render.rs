//! The two outputs of a report: Markdown for people (a PR, a CHANGELOG entry) and
//! JSON for tools. Both take the rule texts from the same table. The JSON shape is
//! documented in docs/regenerating.md; `FORMAT` names its version.

use super::report::{Report, Suggestion};
use super::rules::Rule;
use super::walk::Change;
use serde_json::{json, Map, Value};

/// Bumped when a field is renamed, removed or changes meaning; adding a field does not bump it.
pub const FORMAT: &str = "threatjammer-spec-diff/1";

/// Renders a report. `level` is the heading level of its title (2 for `## ...`);
/// its rule list sits one level below, so the report nests inside a CHANGELOG section.
pub fn markdown(report: &Report, suggestion: Option<&Suggestion>, level: usize) -> String {
    let heading = "#".repeat(level);
    let mut out = format!(
        "{heading} {} {} → {}\n\n",
        report.title, report.old_version, report.new_version
    );
    if let Some(s) = suggestion {
        out += &format!(
            "**Release:** {}, `{}` → `{}`: {}.\n\n",
            s.level.name(),
            s.current,
            s.next,
            s.reason
        );
    }
    out += &format!(
        "{} change(s): {} source-breaking, {} wire-breaking. Prose-only changes (descriptions, summaries, titles, examples): {}, not listed.\n\n",
        report.changes.len(),
        report.source_breaking(),
        report.wire_breaking(),
        report.prose_changes
    );
    if !report.unknown_keywords.is_empty() {
        out += &format!(
            "**Keywords this diff does not know** (a change to one is listed as `keyword-changed`, which may rank it wrong): {}.\n\n",
            report.unknown_keywords.iter().map(|k| format!("`{}`", cell(k))).collect::<Vec<_>>().join(", ")
        );
    }
    if report.changes.is_empty() {
        return out;
    }
    out += "| operation | where | change | source | wire | rule |\n| --- | --- | --- | --- | --- | --- |\n";
    for change in &report.changes {
        out += &format!(
            "| {} | {} | {} | {} | {} | `{}` |\n",
            change
                .operation
                .as_deref()
                .map_or("—".to_string(), |op| format!("`{}`", cell(op))),
            cell(&place(change)),
            cell(&what(change)),
            rank(change.rule.source_breaking),
            rank(change.rule.wire_breaking),
            change.rule.id
        );
    }
    out += &format!("\n{heading}# Rules applied\n\n");
    for rule in used_rules(report) {
        out += &format!(
            "- `{}`: source {}, wire {}. {}\n",
            rule.id,
            rank(rule.source_breaking),
            rank(rule.wire_breaking),
            rule.why
        );
    }
    out
}

pub fn json(report: &Report, suggestion: &Suggestion) -> Value {
    let changes: Vec<Value> = report
        .changes
        .iter()
        .map(|c| {
            json!({
                "operation": c.operation,
                "location": c.location,
                "schema": c.schema,
                "rule": c.rule.id,
                "source_breaking": c.rule.source_breaking,
                "wire_breaking": c.rule.wire_breaking,
                "old": c.old,
                "new": c.new,
            })
        })
        .collect();
    let rules: Map<String, Value> = used_rules(report)
        .into_iter()
        .map(|r| {
            let body = json!({ "what": r.what, "source_breaking": r.source_breaking, "wire_breaking": r.wire_breaking, "why": r.why });
            (r.id.to_string(), body)
        })
        .collect();
    json!({
        "format": FORMAT,
        "api": { "title": report.title, "old": report.old_version, "new": report.new_version },
        "summary": {
            "changes": report.changes.len(),
            "source_breaking": report.source_breaking(),
            "wire_breaking": report.wire_breaking(),
            "prose_changes": report.prose_changes,
        },
        "semver": {
            "bump": suggestion.level.name(),
            "current": suggestion.current.to_string(),
            "suggested": suggestion.next.to_string(),
            "reason": suggestion.reason,
        },
        "changes": changes,
        "rules": rules,
        "unknown_keywords": report.unknown_keywords,
    })
}

/// The rules the report's changes use, each once, in the order of first use.
fn used_rules(report: &Report) -> Vec<&'static Rule> {
    let mut used: Vec<&'static Rule> = Vec::new();
    for change in &report.changes {
        if !used.contains(&change.rule) {
            used.push(change.rule);
        }
    }
    used
}

fn place(change: &Change) -> String {
    match (&change.operation, &change.schema) {
        (Some(_), Some(schema)) => format!("{} (in {schema})", change.location),
        _ => change.location.clone(),
    }
}

fn what(change: &Change) -> String {
    match (&change.old, &change.new) {
        (Some(old), Some(new)) => format!("{}: `{old}` → `{new}`", change.rule.what),
        (None, Some(value)) | (Some(value), None) => format!("{}: `{value}`", change.rule.what),
        (None, None) => change.rule.what.to_string(),
    }
}

fn rank(breaking: bool) -> &'static str {
    if breaking {
        "**breaking**"
    } else {
        "no"
    }
}

/// A table cell cannot hold a raw `|` or a line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The rule table of docs/regenerating.md: every rule with its ranks, as
/// `rules::ALL` holds them, and the wire rank `cargo xtask semver-model`
/// measured (`measured`, tools/spec/wire-measured.json), or "not measured"
/// with the reason listed under the table. `cargo xtask spec rules --write`
/// puts it between the `rules table` markers, and a test fails when the page
/// holds another or a measured rank is not the rule's.
pub fn rules_table(measured: &Value) -> String {
    let rank = |b: bool| if b { "breaking" } else { "no" };
    let mut out = String::from(
        "| rule | source | wire | wire, measured | change |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut reasons = String::new();
    for rule in super::rules::ALL {
        let entry = &measured["rules"][rule.id];
        let shown = match (entry["wire"].as_str(), entry["not_measured"].as_str()) {
            (Some(wire), _) => wire.to_string(),
            (None, reason) => {
                reasons += &format!(
                    "- `{}`: {}\n",
                    rule.id,
                    reason.unwrap_or("no measurement recorded")
                );
                "not measured".to_string()
            }
        };
        out += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.id,
            rank(rule.source_breaking),
            rank(rule.wire_breaking),
            shown,
            rule.what
        );
    }
    if !reasons.is_empty() {
        out += &format!("\nNot measured by the wire check, and why:\n\n{reasons}");
    }
    out
}

/// `docs` with `table` between `<!-- {marker} -->` and `<!-- /{marker} -->`,
/// or None when the markers are missing.
pub fn with_region(docs: &str, marker: &str, table: &str) -> Option<String> {
    let open = format!("<!-- {marker} -->\n");
    let start = docs.find(&open)? + open.len();
    let end = start + docs[start..].find(&format!("<!-- /{marker} -->"))?;
    Some(format!("{}{table}{}", &docs[..start], &docs[end..]))
}
