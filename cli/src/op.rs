//! `threatjammer op <operation_id> ...`: every operation of the API as a
//! subcommand, built at run time from the spec of record.
//!
//! The spec is embedded at compile time, so the subcommands, their arguments
//! and their help always match the client the tool was built with: a new
//! operation in `openapi/threatjammer.json` is a new subcommand without a line
//! of code here. Calls go through `Client::call`, which takes arguments by the
//! spec's names.
//!
//! Path parameters are positional, in path order; query parameters are
//! `--kebab-case` options; a JSON request body is `--body JSON` or
//! `--body-file PATH`; the CSV uploads take `--csv-file PATH`.

use crate::exit::Failure;
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgGroup, ArgMatches, Args, Command, FromArgMatches};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::{Path, PathBuf};
use threatjammer::operations::{Operation, OPERATIONS};

const SPEC: &str = include_str!("../../openapi/threatjammer.json");

/// Argument ids that are not parameters. Spec parameter names are snake_case,
/// so the hyphenated ones cannot collide; `csv_file` is the multipart part's
/// name, which is also what `Client::call` expects.
const BODY: &str = "body";
const BODY_FILE: &str = "body-file";
const CSV_FILE: &str = "csv_file";

/// What `op` was asked to do.
#[derive(Debug)]
pub enum OpCommand {
    /// `op list`: the table of operations.
    List,
    /// `op <operation_id> ...`: one call.
    Call(Call),
}

/// One call, as given on the command line; files are read when it runs, not
/// while parsing.
#[derive(Debug)]
pub struct Call {
    pub operation: &'static str,
    parameters: Vec<(String, String)>,
    body: Option<Body>,
    csv_file: Option<PathBuf>,
}

#[derive(Debug)]
enum Body {
    Inline(String),
    File(PathBuf),
}

impl Args for OpCommand {
    fn augment_args(cmd: Command) -> Command {
        let spec: Value = serde_json::from_str(SPEC).expect("the embedded spec is JSON");
        cmd.subcommand_required(true)
            .subcommand(
                Command::new("list").about("List every operation: id, method, path and summary"),
            )
            .subcommands(OPERATIONS.iter().map(|op| operation_command(&spec, op)))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for OpCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        if name == "list" {
            return Ok(OpCommand::List);
        }
        let operation = OPERATIONS
            .iter()
            .find(|op| op.id == name)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidSubcommand))?
            .id;
        let mut parameters = Vec::new();
        let mut body = None;
        let mut csv_file = None;
        for id in sub.ids() {
            // Ids include the body's argument group, whose value is not a string.
            let Ok(Some(value)) = sub.try_get_one::<String>(id.as_str()) else {
                continue;
            };
            match id.as_str() {
                BODY => body = Some(Body::Inline(value.clone())),
                BODY_FILE => body = Some(Body::File(value.into())),
                CSV_FILE => csv_file = Some(value.into()),
                name => parameters.push((name.to_string(), value.clone())),
            }
        }
        Ok(OpCommand::Call(Call {
            operation,
            parameters,
            body,
            csv_file,
        }))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Call {
    /// The named arguments `Client::call` takes. Values stay strings: the
    /// client decodes numbers and booleans from them by the operation's types.
    pub fn arguments(&self) -> Result<Map<String, Value>, Failure> {
        let mut args: Map<String, Value> = self
            .parameters
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
            .collect();
        if let Some(body) = &self.body {
            let (text, origin) = match body {
                Body::Inline(text) => (text.clone(), "--body".to_string()),
                Body::File(path) => (read_text(path)?, path.display().to_string()),
            };
            let value = serde_json::from_str(&text)
                .map_err(|e| Failure::usage(format!("the body in {origin} is not JSON: {e}")))?;
            args.insert(BODY.to_string(), value);
        }
        if let Some(path) = &self.csv_file {
            args.insert(CSV_FILE.to_string(), Value::String(read_text(path)?));
        }
        Ok(args)
    }
}

/// Reads a whole file, or standard input for `-`.
fn read_text(path: &Path) -> Result<String, Failure> {
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(text)
}

/// The `op list` table, one row an operation.
pub fn listing() -> Value {
    let spec: Value = serde_json::from_str(SPEC).expect("the embedded spec is JSON");
    OPERATIONS
        .iter()
        .map(|op| {
            let node = operation_node(&spec, op);
            serde_json::json!({
                "id": op.id,
                "method": op.method,
                "path": op.path,
                "summary": node["summary"],
            })
        })
        .collect()
}

/// The spec's object for an operation, found by method and path: ids may
/// change between versions of the spec, method and path do not.
fn operation_node<'a>(spec: &'a Value, op: &Operation) -> &'a Value {
    &spec["paths"][op.path][op.method.to_ascii_lowercase()]
}

fn operation_command(spec: &Value, op: &Operation) -> Command {
    let node = operation_node(spec, op);
    let summary = node["summary"].as_str().unwrap_or_default().to_string();
    let description = node["description"].as_str().unwrap_or_default();
    let mut cmd = Command::new(op.id)
        .about(summary.clone())
        .long_about(format!(
            "{summary}\n\n{description}\n\nSends {} {}",
            op.method, op.path
        ));
    for parameter in node["parameters"].as_array().into_iter().flatten() {
        cmd = cmd.arg(parameter_arg(spec, parameter));
    }
    let content = &node["requestBody"]["content"];
    if content.get("application/json").is_some() {
        let schema = resolve(spec, &content["application/json"]["schema"]);
        let shape = schema["title"].as_str().unwrap_or("JSON");
        cmd = cmd
            .arg(
                Arg::new(BODY)
                    .long("body")
                    .value_name("JSON")
                    .help(format!("The request body ({shape}), as JSON text")),
            )
            .arg(
                Arg::new(BODY_FILE)
                    .long("body-file")
                    .value_name("PATH")
                    .help("The request body read from a file (`-` for standard input)"),
            )
            .group(
                ArgGroup::new("request-body")
                    .args([BODY, BODY_FILE])
                    .required(node["requestBody"]["required"].as_bool().unwrap_or(false)),
            );
    }
    if content.get("multipart/form-data").is_some() {
        cmd = cmd.arg(
            Arg::new(CSV_FILE)
                .long("csv-file")
                .value_name("PATH")
                .required(true)
                .help("The file to upload, one value a line (`-` for standard input)"),
        );
    }
    cmd
}

fn parameter_arg(spec: &Value, parameter: &Value) -> Arg {
    let name = parameter["name"].as_str().unwrap_or_default().to_string();
    let schema = resolve(spec, &parameter["schema"]);
    let mut help = schema["title"].as_str().unwrap_or(&name).to_string();
    if let Some(kind) = type_of(schema) {
        help.push_str(&format!(" ({kind})"));
    }
    if let Some(default) = schema.get("default") {
        help.push_str(&format!("; the service's default: {default}"));
    }
    let mut arg = Arg::new(name.clone())
        .required(parameter["required"].as_bool().unwrap_or(false))
        .help(help);
    arg = if parameter["in"] == "path" {
        arg.value_name(name.to_ascii_uppercase())
    } else {
        arg.long(name.replace('_', "-")).value_name("VALUE")
    };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        arg = arg.value_parser(PossibleValuesParser::new(values));
    }
    arg
}

/// A schema's type for the help text: `integer`, `string`, or the formats of
/// an `anyOf` (`ipv4 or ipv6`).
fn type_of(schema: &Value) -> Option<String> {
    if let Some(alternatives) = schema["anyOf"].as_array() {
        let names: Vec<&str> = alternatives
            .iter()
            .filter_map(|a| a["format"].as_str().or(a["type"].as_str()))
            .collect();
        return Some(names.join(" or "));
    }
    schema["format"]
        .as_str()
        .or(schema["type"].as_str())
        .map(str::to_string)
}

/// Follows a local `$ref` (`#/components/schemas/...`).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            spec.pointer(pointer)
                .map(|target| resolve(spec, target))
                .unwrap_or(schema)
        }
        None => schema,
    }
}
