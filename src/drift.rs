//! Drift: what the service's answers carry that the spec of record does not
//! describe. The service is the authority on what it sends; the client
//! decodes every answer whose shape is usable and notes, per operation, where
//! it differed from the spec:
//!
//! - a field the schema does not declare ([`DriftKind::UnknownField`]);
//! - an enum value the spec does not list, kept as `Unrecognized`
//!   ([`DriftKind::UnlistedValue`]);
//! - a value breaking a declared constraint, such as a `pattern`
//!   ([`DriftKind::BrokenConstraint`]);
//! - a required field that was absent, where decoding could go on without it
//!   ([`DriftKind::MissingField`]);
//! - a 2xx status or a content type the operation does not declare
//!   ([`DriftKind::UndeclaredStatus`], [`DriftKind::UndeclaredContentType`]).
//!
//! Each distinct finding is logged once per client as a `tracing` event at
//! `warn` with target `threatjammer::drift`, and counted in
//! [`Client::drift`](crate::Client::drift). The client keeps at most
//! [`MAX_FINDINGS_PER_OPERATION`] distinct findings of each operation
//! ([`ClientBuilder::keep_drift_findings`](crate::ClientBuilder::keep_drift_findings)
//! sets another bound), each with its path and example cut to a few dozen
//! characters and the key masked, so memory stays bounded however long the
//! client lives and whatever the service sends, and an operation whose
//! answers differ in many ways cannot crowd out what the others show.
//!
//! Observation is on by default; [`ClientBuilder::observe_drift`](crate::ClientBuilder::observe_drift)
//! turns it off. Every answer's status, content type, enum values and
//! required fields are looked at: the decoder raises a flag, and only then is
//! the answer checked against the spec (`walk`), or always when the
//! operation's answer carries constraints the types no longer enforce (build
//! adaptation 13). Undeclared fields cost more to see (every key is named as
//! it is decoded), so they are looked for in the first 64 answers of each
//! operation and in one in 64 after that: a field the service added shows in
//! every answer.
//!
//! # What `count` counts
//!
//! [`DriftFinding::count`] is the number of answers in which the finding was
//! seen, each answer counting once however many elements carried it. For every
//! kind but [`DriftKind::UnknownField`] that is out of every answer the
//! operation received. An undeclared field is counted only in the sampled
//! answers, for every operation alike: of an operation's first `n` answers,
//! `n` are sampled when `n <= 64`, and `64 + (n - 1) / 64` after that. A field
//! in all of 1,000 answers has a count of 79, and the same for any operation.

mod log;
mod observe;
mod spec;
mod walk;

pub(crate) use log::DriftLog;
pub(crate) use observe::{check_answer, decode, open_enum, Unlisted};

use crate::OperationId;
use std::fmt;

/// The most distinct findings a client keeps of each operation, unless
/// [`ClientBuilder::keep_drift_findings`](crate::ClientBuilder::keep_drift_findings)
/// says otherwise. Findings past it are counted in [`DriftReport::unkept`],
/// not kept.
pub const MAX_FINDINGS_PER_OPERATION: usize = 64;

/// One way the answers to one operation differed from the spec of record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DriftFinding {
    /// The operation that answered.
    pub operation: OperationId,
    /// What differed.
    pub kind: DriftKind,
    /// Where in the answer's JSON, with `[]` for any element of an array
    /// (`results[].reported`); empty for the status and the content type.
    pub path: String,
    /// The first offending value seen (the unlisted value, the value breaking
    /// the constraint, the undeclared field's value as JSON, the status or
    /// content type), cut to a few dozen characters.
    pub example: String,
    /// In how many answers it was seen (each answer counts once). Every answer
    /// is looked at for every kind but [`DriftKind::UnknownField`], which is
    /// looked for in a sample: the first 64 answers of the operation and one in
    /// 64 after that, so this counts the sampled answers that carried it (see
    /// [the module docs](self#what-count-counts)).
    pub count: u64,
    /// The JSON types of the values it was seen with, every element of a list
    /// counted: what a proposal to declare an undeclared field types it by.
    /// Empty for a missing field, a status or a content type.
    pub values: ValueTypes,
}

/// How many values of each JSON type a finding was seen with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValueTypes {
    /// `null`s.
    pub null: u64,
    /// `true`s and `false`s.
    pub boolean: u64,
    /// Numbers without a fraction or exponent.
    pub integer: u64,
    /// Every other number.
    pub number: u64,
    /// Strings.
    pub string: u64,
    /// Lists.
    pub array: u64,
    /// Objects.
    pub object: u64,
}

impl ValueTypes {
    /// One value of the type of `value`.
    pub(crate) fn of(value: &serde_json::Value) -> ValueTypes {
        use serde_json::Value as V;
        let mut one = ValueTypes::default();
        *match value {
            V::Null => &mut one.null,
            V::Bool(_) => &mut one.boolean,
            V::Number(n) if n.is_i64() || n.is_u64() => &mut one.integer,
            V::Number(_) => &mut one.number,
            V::String(_) => &mut one.string,
            V::Array(_) => &mut one.array,
            V::Object(_) => &mut one.object,
        } += 1;
        one
    }

    /// Counts `other`'s values too: one field's, seen by several operations.
    pub fn add(&mut self, other: ValueTypes) {
        self.null += other.null;
        self.boolean += other.boolean;
        self.integer += other.integer;
        self.number += other.number;
        self.string += other.string;
        self.array += other.array;
        self.object += other.object;
    }

    /// How many values were counted.
    pub fn total(&self) -> u64 {
        self.null
            + self.boolean
            + self.integer
            + self.number
            + self.string
            + self.array
            + self.object
    }
}

/// What kind of difference a [`DriftFinding`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DriftKind {
    /// A field the schema does not declare.
    UnknownField,
    /// An enum value the spec does not list.
    UnlistedValue,
    /// A value breaking the named constraint (`pattern`, `maxLength`,
    /// `minimum`, `format`, ...).
    BrokenConstraint(&'static str),
    /// A required field that was absent; it decoded as its empty value.
    MissingField,
    /// A success status the operation does not declare.
    UndeclaredStatus,
    /// A content type the operation does not declare for the status.
    UndeclaredContentType,
}

impl DriftKind {
    /// Whether the offending value is the finding itself (an unlisted value,
    /// a status, a content type), so that each value is a finding of its own;
    /// elsewhere the first value is kept as an example.
    pub(crate) fn is_its_value(self) -> bool {
        matches!(
            self,
            DriftKind::UnlistedValue
                | DriftKind::UndeclaredStatus
                | DriftKind::UndeclaredContentType
        )
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriftKind::UnknownField => f.write_str("unknown field"),
            DriftKind::UnlistedValue => f.write_str("unlisted value"),
            DriftKind::BrokenConstraint(c) => write!(f, "broken constraint `{c}`"),
            DriftKind::MissingField => f.write_str("missing required field"),
            DriftKind::UndeclaredStatus => f.write_str("undeclared status"),
            DriftKind::UndeclaredContentType => f.write_str("undeclared content type"),
        }
    }
}

/// What a client has seen differ from the spec of record, ordered by
/// operation, kind and path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DriftReport {
    /// The distinct findings, each with in how many answers it was seen
    /// ([`DriftFinding::count`]).
    pub findings: Vec<DriftFinding>,
    /// Findings seen of an operation after as many distinct ones as the
    /// client keeps of each ([`MAX_FINDINGS_PER_OPERATION`]) were kept.
    pub unkept: u64,
}

impl DriftReport {
    /// Whether every answer matched the spec of record.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.unkept == 0
    }
}

impl crate::Client {
    /// What the answers this client (and its clones) received carried that the
    /// spec of record does not describe. Empty when observation is off.
    pub fn drift(&self) -> DriftReport {
        self.state()
            .drift
            .as_ref()
            .map(|log| log.report())
            .unwrap_or_default()
    }
}
