//! The findings a client keeps, and the one `tracing` event each gets.

use super::{DriftFinding, DriftKind, DriftReport, ValueTypes};
use crate::redact::Redactor;
use crate::OperationId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Paths and examples are cut to this many characters: enough to recognise,
/// too little to carry a body.
const PATH_CHARS: usize = 96;
const EXAMPLE_CHARS: usize = 40;

/// One finding as the walk or the status check makes it.
#[derive(Debug)]
pub(crate) struct Found {
    pub kind: DriftKind,
    pub path: String,
    pub example: String,
    /// The types of the values this answer carried it with.
    pub values: ValueTypes,
}

/// What makes two findings the same one ([`DriftKind::is_its_value`]).
#[derive(Hash, PartialEq, Eq)]
struct Key {
    operation: &'static str,
    kind: DriftKind,
    path: String,
    value: Option<String>,
}

#[derive(Default)]
struct Kept {
    findings: HashMap<Key, DriftFinding>,
    /// Distinct findings kept of each operation.
    per_operation: HashMap<&'static str, usize>,
    unkept: u64,
}

/// Answers of each operation searched for undeclared fields: the first
/// [`SAMPLED`], then one in every [`SAMPLED`]. A field the service added
/// shows in every answer, so a sample finds it within a few dozen.
const SAMPLED: u32 = 64;

/// Shared by a client and its clones. Locked only when an answer differed.
pub(crate) struct DriftLog {
    kept: Mutex<Kept>,
    /// The most distinct findings kept of each operation.
    bound: usize,
    /// Answers decoded so far, per operation (in `OperationId::ALL`'s order).
    answers: Box<[AtomicU32]>,
}

impl std::fmt::Debug for DriftLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DriftLog")
    }
}

impl DriftLog {
    /// A log keeping up to `bound` distinct findings of each operation.
    pub(crate) fn new(bound: usize) -> Self {
        DriftLog {
            kept: Mutex::default(),
            bound,
            answers: crate::OperationId::ALL
                .iter()
                .map(|_| AtomicU32::new(0))
                .collect(),
        }
    }

    /// Whether this answer of the operation at `index` is one to search for
    /// undeclared fields.
    pub(crate) fn sample_fields(&self, index: usize) -> bool {
        self.answers.get(index).is_some_and(|count| {
            let seen = count.fetch_add(1, Ordering::Relaxed);
            seen < SAMPLED || seen % SAMPLED == 0
        })
    }

    /// Counts what one answer carried; `found` holds each finding once.
    pub(crate) fn record(&self, operation: &'static str, found: Vec<Found>, redactor: &Redactor) {
        let Ok(id) = operation.parse::<OperationId>() else {
            return;
        };
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for Found {
            kind,
            path,
            example,
            values,
        } in found
        {
            let path = cut(&redactor.text(&path), PATH_CHARS);
            let example = cut(&redactor.text(&example), EXAMPLE_CHARS);
            let value = kind.is_its_value().then(|| example.clone());
            let key = Key {
                operation,
                kind,
                path,
                value,
            };
            if let Some(finding) = kept.findings.get_mut(&key) {
                finding.count += 1;
                finding.values.add(values);
                continue;
            }
            let of_operation = kept.per_operation.entry(operation).or_default();
            if *of_operation >= self.bound {
                let first = kept.unkept == 0;
                kept.unkept += 1;
                if first {
                    tracing::warn!(
                        target: "threatjammer::drift",
                        operation,
                        kept = self.bound,
                        "more distinct differences from the spec of record than a client keeps of one operation; further ones are only counted"
                    );
                }
                continue;
            }
            *of_operation += 1;
            tracing::warn!(
                target: "threatjammer::drift",
                operation,
                kind = %kind,
                path = %key.path,
                value = %example,
                "the answer differs from the spec of record"
            );
            let finding = DriftFinding {
                operation: id,
                kind,
                path: key.path.clone(),
                example,
                count: 1,
                values,
            };
            kept.findings.insert(key, finding);
        }
    }

    pub(crate) fn report(&self) -> DriftReport {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut findings: Vec<DriftFinding> = kept.findings.values().cloned().collect();
        findings.sort_by(|a, b| {
            (a.operation, a.kind, &a.path, &a.example).cmp(&(
                b.operation,
                b.kind,
                &b.path,
                &b.example,
            ))
        });
        DriftReport {
            findings,
            unkept: kept.unkept,
        }
    }
}

/// `text` up to `chars` characters, marked with `…` where it was cut.
fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("ééééé", 2), "éé…");
    }

    #[test]
    fn findings_past_the_bound_are_counted_not_kept_per_operation() {
        let log = DriftLog::new(8);
        let found = |i: usize| Found {
            kind: DriftKind::UnknownField,
            path: format!("field{i}"),
            example: String::new(),
            values: ValueTypes::default(),
        };
        for i in 0..18 {
            log.record("get_asn", vec![found(i)], &Redactor::default());
        }
        // A noisy operation does not crowd out another's one finding.
        log.record("geolocate_ip", vec![found(0)], &Redactor::default());
        let report = log.report();
        assert_eq!(report.findings.len(), 9);
        assert_eq!(report.unkept, 10);
        assert!(report
            .findings
            .iter()
            .any(|f| f.operation.as_str() == "geolocate_ip"));
    }
}
