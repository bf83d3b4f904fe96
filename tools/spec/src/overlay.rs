//! Applying an OpenAPI Overlay 1.0 document.
//!
//! Each action's `target` is a JSONPath (RFC 9535) resolved with serde_json_path.
//! `update` merges into every node the target selects (objects recursively,
//! arrays by appending, anything else replaced); `remove: true` deletes them.
//! Unlike the standard, which lets an action select nothing, an action that
//! selects nothing is an error here: an overlay that silently stops applying is
//! how a reconciliation gets lost on a version bump.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    pub overlay: String,
    pub info: OverlayInfo,
    pub actions: Vec<Action>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayInfo {
    pub title: String,
    pub version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub target: String,
    pub description: Option<String>,
    pub update: Option<Value>,
    #[serde(default)]
    pub remove: bool,
}

impl Action {
    /// How error messages name the action: its position, its description and its target.
    fn name(&self, index: usize) -> String {
        match &self.description {
            Some(d) => format!("action #{} ({d}) targeting `{}`", index + 1, self.target),
            None => format!("action #{} targeting `{}`", index + 1, self.target),
        }
    }
}

pub fn parse(text: &str) -> Result<Overlay> {
    let overlay: Overlay = serde_yaml_ng::from_str(text).context("parsing the overlay")?;
    if !overlay.overlay.starts_with("1.") {
        bail!("unsupported overlay version {}", overlay.overlay);
    }
    Ok(overlay)
}

pub fn apply(doc: &mut Value, overlay: &Overlay) -> Result<()> {
    for (index, action) in overlay.actions.iter().enumerate() {
        apply_action(doc, action).with_context(|| action.name(index))?;
    }
    Ok(())
}

fn apply_action(doc: &mut Value, action: &Action) -> Result<()> {
    let path = JsonPath::parse(&action.target).map_err(|e| anyhow!("invalid JSONPath: {e}"))?;
    let mut pointers: Vec<String> = path
        .query_located(doc)
        .locations()
        .map(|p| p.to_json_pointer())
        .collect();
    if pointers.is_empty() {
        bail!(
            "the target selects nothing in this document (stale overlay action): {}",
            why_nothing(doc, &action.target)
        );
    }
    match (&action.update, action.remove) {
        (Some(_), true) => bail!("an action may update or remove, not both"),
        (None, false) => bail!("an action must update or remove"),
        (Some(update), false) => {
            for pointer in &pointers {
                let node = doc.pointer_mut(pointer).expect("located just now");
                merge(node, update);
            }
        }
        (None, true) => {
            // Deleting from the end keeps the earlier array indices valid.
            pointers.sort();
            for pointer in pointers.iter().rev() {
                remove(doc, pointer)?;
            }
        }
    }
    Ok(())
}

/// Why a target selects nothing: the longest leading part of it that selects
/// something, and what the step after it does not find there (a field
/// declared in a schema another one refers to by `$ref`, say, is not under
/// the referring property).
fn why_nothing(doc: &Value, target: &str) -> String {
    // Cut points: before each `.` or `[` outside brackets and quotes.
    let mut cuts = Vec::new();
    let (mut depth, mut quote) = (0, None);
    for (i, c) in target.char_indices() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            (_, Some(_)) => {}
            ('[', None) => {
                if depth == 0 {
                    cuts.push(i);
                }
                depth += 1;
            }
            (']', None) => depth -= 1,
            ('.', None) if depth == 0 => cuts.push(i),
            _ => {}
        }
    }
    for &cut in cuts.iter().rev() {
        let Ok(path) = JsonPath::parse(&target[..cut]) else {
            continue;
        };
        let found = path.query(doc).all();
        if let Some(node) = found.first() {
            let what = match node {
                Value::Object(map) => {
                    let keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
                    format!("an object with {}", keys.join(", "))
                }
                other => format!("{other}"),
            };
            let refers = ["$ref", "allOf", "anyOf", "oneOf"]
                .iter()
                .any(|k| node.get(*k).is_some());
            let hint = if refers {
                "; it refers to another schema: target the schema that defines what you change"
            } else {
                ""
            };
            return format!(
                "`{}` selects {} node(s), the first {what}, where `{}` selects nothing{hint}",
                &target[..cut],
                found.len(),
                &target[cut..]
            );
        }
    }
    "not even its first step selects anything".to_string()
}

fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(items), Value::Array(more)) => items.extend(more.iter().cloned()),
        (Value::Array(items), one) => items.push(one.clone()),
        (node, value) => *node = value.clone(),
    }
}

fn remove(doc: &mut Value, pointer: &str) -> Result<()> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| anyhow!("cannot remove the document root"))?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            let index: usize = key.parse()?;
            items.remove(index);
        }
        _ => bail!("the parent of {pointer} is not a container"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_action_that_selects_nothing_says_where_it_stopped() {
        let mut doc = json!({"components": {"schemas": {"List": {"properties": {
            "origins": {"allOf": [{"$ref": "#/components/schemas/Origins"}]}
        }}}}});
        let overlay = parse(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: \"$.components.schemas['List'].properties['origins'].properties\"\n    description: a field under origins\n    update: {total: {type: number}}\n",
        )
        .unwrap();
        let message = format!("{:#}", apply(&mut doc, &overlay).unwrap_err());
        assert!(
            message.contains("action #1 (a field under origins)"),
            "{message}"
        );
        assert!(
            message.contains("`$.components.schemas['List'].properties['origins']` selects 1 node(s), the first an object with allOf, where `.properties` selects nothing; it refers to another schema"),
            "{message}"
        );
    }
}
