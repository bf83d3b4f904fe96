//! Printing answers: a table for people, JSON for programs.
//!
//! Every answer is printed from its JSON form, so the table and `--json` show
//! the same data and one renderer serves all 97 operations.

use serde_json::Value;
use std::io::{self, IsTerminal, Write};

/// How an answer is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

impl Format {
    /// `--json` and `--table` decide; otherwise a table on a terminal and JSON
    /// when the output goes to a pipe or a file, where a program reads it.
    pub fn choose(json: bool, table: bool) -> Format {
        if json {
            Format::Json
        } else if table || io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    }
}

/// Prints an answer. An empty answer (`null`: the service accepted a change)
/// prints nothing on stdout and says so on stderr.
pub fn print(value: &Value, format: Format) -> io::Result<()> {
    if value.is_null() {
        eprintln!("done: the service accepted the request");
        return Ok(());
    }
    let mut out = io::stdout().lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, value)?,
    }
    out.flush()
}

/// Objects become a two-column table of their fields (nested objects flattened
/// to `parent.child`), followed by one table for each list of objects they
/// hold; a list of objects is a table with a column per field. Fields come in
/// the order of [`rank`], not the alphabetical one JSON objects arrive in.
fn write_table(out: &mut impl Write, value: &Value) -> io::Result<()> {
    match value {
        Value::Object(_) => {
            let mut fields = Vec::new();
            let mut lists = Vec::new();
            flatten("", value, &mut fields, &mut lists);
            write_columns(out, None, &fields)?;
            for (name, items) in lists {
                writeln!(out)?;
                writeln!(out, "{name}:")?;
                write_rows(out, items)?;
            }
            Ok(())
        }
        Value::Array(items) if items.iter().all(Value::is_object) => write_rows(out, items),
        Value::Array(items) => {
            for item in items {
                writeln!(out, "{}", cell("", item))?;
            }
            Ok(())
        }
        other => writeln!(out, "{}", cell("", other)),
    }
}

fn flatten<'a>(
    prefix: &str,
    value: &'a Value,
    fields: &mut Vec<Vec<String>>,
    lists: &mut Vec<(String, &'a Vec<Value>)>,
) {
    let Value::Object(map) = value else { return };
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(key, item)| rank(key, item));
    for (key, item) in entries {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match item {
            Value::Object(_) => flatten(&name, item, fields, lists),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                lists.push((name, items));
            }
            _ => fields.push(vec![name.clone(), cell(&name, item)]),
        }
    }
}

fn write_rows(out: &mut impl Write, items: &[Value]) -> io::Result<()> {
    let mut columns: Vec<(&str, &Value)> = Vec::new();
    for item in items {
        for (key, value) in item.as_object().into_iter().flatten() {
            if !columns.iter().any(|(c, _)| c == key) {
                columns.push((key, value));
            }
        }
    }
    columns.sort_by_key(|(key, value)| rank(key, value));
    let columns: Vec<&str> = columns.into_iter().map(|(key, _)| key).collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|c| item.get(c).map(|v| cell(c, v)).unwrap_or_default())
                .collect()
        })
        .collect();
    let header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    write_columns(out, Some(&header), &rows)
}

/// Where a field goes in a table, lowest first: `self` (the link that names
/// what the table is about: an assessment has no other field holding its
/// address), then what identifies the thing, then the service's verdict on it,
/// then the other values, and last the links to related resources, which are
/// long and which a reader follows rather than reads. Within a group, the
/// lists below give the order, and other names keep the alphabetical one (the
/// sort is stable).
fn rank(key: &str, value: &Value) -> (u8, usize) {
    const IDENTITY: &[&str] = &[
        "address",
        "ip",
        "ip_address",
        "cidr",
        "cookie_id",
        "id",
        "method",
        "path",
        "origin",
        "name",
        "code",
        "string",
        "agent",
    ];
    const VERDICT: &[&str] = &[
        "risk",
        "score",
        "reason",
        "classification",
        "status",
        "action",
    ];
    if key == "self" {
        return (0, 0);
    }
    if let Some(i) = IDENTITY.iter().position(|k| *k == key) {
        return (1, i);
    }
    if let Some(i) = VERDICT.iter().position(|k| *k == key) {
        return (2, i);
    }
    let is_link = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("/v1/"));
    let link = match value {
        Value::Array(items) => !items.is_empty() && items.iter().all(is_link),
        other => is_link(other),
    };
    (if link { 4 } else { 3 }, 0)
}

/// Writes rows with every column but the last padded to its widest cell.
fn write_columns(
    out: &mut impl Write,
    header: Option<&[String]>,
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    for row in header.into_iter().chain(rows.iter().map(Vec::as_slice)) {
        for (i, text) in row.iter().enumerate() {
            let width = text.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    let line = |out: &mut dyn Write, row: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            text.push_str(cell);
            if i + 1 < row.len() {
                text.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    if let Some(header) = header {
        line(out, header)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(out, &rule)?;
    }
    for row in rows {
        line(out, row)?;
    }
    Ok(())
}

/// One value as table text. Timestamps, which the service sends as integer
/// milliseconds, are shown as UTC dates when the field's name says it is one.
fn cell(name: &str, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.replace(['\n', '\r'], " "),
        Value::Number(n) => match n.as_i64() {
            Some(ms) if is_timestamp(name) => utc(ms),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| cell("", i))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn is_timestamp(name: &str) -> bool {
    let field = name.rsplit('.').next().unwrap_or(name);
    field.ends_with("_at") || field.ends_with("_refresh") || field.ends_with("timestamp")
}

/// Milliseconds since 1970 as `YYYY-MM-DD hh:mm:ss UTC` (the proleptic
/// Gregorian calendar, by Howard Hinnant's days-to-civil algorithm).
pub fn utc(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(value: Value) -> String {
        let mut out = Vec::new();
        write_table(&mut out, &value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_644_278_400_000), "2022-02-08 00:00:00 UTC");
        assert_eq!(utc(1_642_504_981_000), "2022-01-18 11:23:01 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn object_fields_align_and_lists_become_tables() {
        let text = table(serde_json::json!({
            "self": "/v1/x",
            "score": 70,
            "datasets": ["A", "B"],
            "created_at": 0,
            "origins": {"items": [{"id": 1, "name": "a"}, {"id": 22}]}
        }));
        assert_eq!(
            text,
            "self        /v1/x\n\
             score       70\n\
             created_at  1970-01-01 00:00:00 UTC\n\
             datasets    A, B\n\
             \n\
             origins.items:\n\
             id  name\n\
             --  ----\n\
             1   a\n\
             22\n"
        );
    }

    /// The first word of every line of a table, in order.
    fn names(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect()
    }

    #[test]
    fn an_assessment_leads_with_its_verdict_and_ends_with_its_links() {
        let exchange: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/documented/assess-ip-212.231.12.22.json"
        ))
        .unwrap();
        let text = table(exchange["response"]["body"].clone());
        let names = names(&text);
        assert_eq!(names[..4], ["self", "risk", "score", "reason"], "{text}");
        // `allowlisted` and the others are empty here, so not recognisably links: they
        // come before the links, in alphabetical order.
        assert_eq!(
            names[4..],
            [
                "allowlisted",
                "datacenter",
                "denylisted",
                "reported",
                "asn",
                "asn_prefix",
                "datasets",
                "first_appearance",
                "last_appearance",
                "sources"
            ],
            "{text}"
        );
    }

    #[test]
    fn list_columns_follow_the_same_order() {
        let text = table(serde_json::json!([
            {"dataset": "/v1/dataset/ip/ABUSE", "expiry": 0, "protocol": "IPV4",
             "self": "/v1/denylist/reported/ip/193.122.61.187", "total_reports": 2},
            {"id": 7, "self": "/v1/x", "status": "ACTIVE"}
        ]));
        let header = text.lines().next().unwrap();
        assert_eq!(
            header.split_whitespace().collect::<Vec<_>>(),
            [
                "self",
                "id",
                "status",
                "expiry",
                "protocol",
                "total_reports",
                "dataset"
            ],
            "{text}"
        );
    }
}
