//! `threatjammer assess file <PATH|->`: one address a line in, one record a
//! line out.
//!
//! A line that is not an IP address is reported on stderr with its number and
//! the run goes on; the exit code then says some lines were bad. Blank lines
//! and `#` comments are skipped, whether a comment fills the line or follows
//! the address (`1.2.3.4  # seen in the logs`), as blocklists write them; a
//! UTF-8 byte-order mark opening the input (Excel and other Windows tools
//! write one) is not part of line 1. The batching, deduplication, concurrency and retries are the
//! library's `Client::assess_many`, which hands outcomes out as answers
//! arrive; records carry the input's line numbers, so output and input can be
//! joined whatever the order and whatever was skipped.
//!
//! With the cache file (src/cache.rs), an address whose assessment is kept
//! there is written from it as its line is read, and never reaches the
//! library; every answer that comes is kept there.
//!
//! A request that fails fails every address of its batch with one error. The
//! error is written once, not once per address: each failed request gets a
//! number (`failure`, from 1 in the order they are written), every record of
//! its batch carries that number, and only the first of them carries the
//! error's text. An error body can be large (a proxy's HTML page, a problem
//! with a long detail), and 500 copies of it would swamp the output.

use crate::exit::{Exit, Failure};
use clap::ValueEnum;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Stdout, Write};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use threatjammer::bulk::{BulkItem, Outcome};
use threatjammer::types::IpAssessmentOutput;
use threatjammer::Client;

/// The record format on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BulkFormat {
    /// One JSON object a line: line, address, outcome, and the assessment; a failed
    /// address has `failure` (the failed request's number) instead, and the first
    /// record of each failure has `error` too.
    Jsonl,
    /// A header, then line,address,outcome,score,risk,reason,error,failure; `error` is
    /// filled in the first record of each failure only.
    Csv,
}

/// `failure` comes last so that the columns before it keep their places.
const CSV_HEADER: &str = "line,address,outcome,score,risk,reason,error,failure";

/// Failed requests remembered to recognise more of their addresses. A batch's
/// addresses come out together, so one would do; a few spare a repeat of the
/// text should they ever interleave, and an error met again after it was
/// forgotten is only written out once more, under a new number.
const REMEMBERED_FAILURES: usize = 8;

/// The records, shared by the writer and the input, which writes the
/// addresses it finds in the cache as it reads them.
type Shared = Arc<Mutex<Records<BufWriter<Stdout>>>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Records<BufWriter<Stdout>>> {
    // A panic while writing ends the run anyway; the records stay usable until then.
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

pub async fn assess_file(
    client: &Client,
    input: &Path,
    format: BulkFormat,
    cache: crate::Cache,
) -> Result<Exit, Failure> {
    // Send, because the library's stream, which reads the lines, is.
    let (source, size): (Box<dyn Read + Send>, Option<u64>) = if input.as_os_str() == "-" {
        (Box::new(io::stdin()), None)
    } else {
        let file = File::open(input)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", input.display())))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let progress = progress_bar(size);
    let out: Shared = Arc::new(Mutex::new(Records {
        out: BufWriter::new(io::stdout()),
        format,
        counts: Counts::default(),
        first_failure: None,
        failures: VecDeque::new(),
        failure_count: 0,
        progress: progress.clone(),
        #[cfg(feature = "disk-cache")]
        cache,
    }));
    #[cfg(not(feature = "disk-cache"))]
    let _ = cache;
    let mut lines = Lines {
        reader: BufReader::new(progress.wrap_read(source)),
        number: 0,
        bad: 0,
        error: None,
        progress: progress.clone(),
        records: Some(out.clone()),
        failure: None,
    };
    lock(&out).start()?;
    // Lines are numbered as they are read, so each item's position is its line.
    let (written, requests) = {
        let mut results = client.assess_many(&mut lines);
        let mut written = Ok(());
        while let Some(item) = results.next().await {
            written = lock(&out).record(item);
            if written.is_err() {
                break;
            }
        }
        (written, results.summary().requests)
    };
    progress.finish_and_clear();
    written?;
    if let Some(failure) = lines.failure.take() {
        return Err(failure);
    }
    let mut out = lock(&out);
    out.out.flush()?;
    if let Some(error) = lines.error {
        return Err(Failure::usage(format!(
            "cannot read {} after line {}: {error}",
            input.display(),
            lines.number
        )));
    }
    let c = &out.counts;
    eprintln!(
        "{} assessed ({} from the cache), {} not public, {} unanswered, {} failed, {} bad lines; \
         assessment requests sent: {requests}",
        c.assessed, c.cached, c.not_public, c.unanswered, c.failed, lines.bad
    );
    Ok(match out.first_failure {
        Some(exit) => exit,
        None if lines.bad > 0 => Exit::BadLines,
        None => Exit::Ok,
    })
}

/// A bar over the file's bytes on a terminal (a spinner for standard input,
/// whose size is unknown). Nothing when stderr is not a terminal, nor when the
/// records themselves go to the terminal: they show the progress, and a bar
/// redrawn between them would garble both.
fn progress_bar(size: Option<u64>) -> ProgressBar {
    if !io::stderr().is_terminal() || io::stdout().is_terminal() {
        return ProgressBar::with_draw_target(size, ProgressDrawTarget::hidden());
    }
    let (bar, template) = match size {
        Some(size) => (ProgressBar::new(size), "{wide_bar} {percent:>3}% {msg}"),
        None => (ProgressBar::new_spinner(), "{spinner} {bytes} read, {msg}"),
    };
    bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
    bar
}

/// The input's addresses, with their line numbers; bad lines are reported
/// as they are read.
struct Lines<R> {
    reader: R,
    number: u64,
    /// How many lines were not addresses (each is reported as it is read).
    bad: u64,
    /// A read error ends the input; it is reported after the lines before it.
    error: Option<io::Error>,
    progress: ProgressBar,
    /// Where an address found in the cache is written at once.
    records: Option<Shared>,
    /// Writing a record from the cache failed: the input ends there.
    failure: Option<Failure>,
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = (u64, IpAddr);

    fn next(&mut self) -> Option<(u64, IpAddr)> {
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match self.reader.read_until(b'\n', &mut raw) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
            self.number += 1;
            // Lossy, so a line of binary junk is a bad line rather than the end.
            let line = String::from_utf8_lossy(&raw);
            let mut text: &str = &line;
            if self.number == 1 {
                text = text.strip_prefix('\u{feff}').unwrap_or(text);
            }
            // No address contains `#`, so everything from the first one is a comment.
            if let Some((before, _comment)) = text.split_once('#') {
                text = before;
            }
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match text.parse() {
                Ok(address) => {
                    let Some(records) = &self.records else {
                        return Some((self.number, address));
                    };
                    match lock(records).from_cache(self.number, address) {
                        Ok(true) => continue,
                        Ok(false) => return Some((self.number, address)),
                        Err(failure) => {
                            self.failure = Some(failure);
                            return None;
                        }
                    }
                }
                Err(_) => {
                    self.bad += 1;
                    let shown: String = text.chars().take(80).collect();
                    let line = self.number;
                    self.progress
                        .suspend(|| eprintln!("line {line}: not an IP address: {shown:?}"));
                }
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    assessed: u64,
    /// Of those assessed, how many came from the cache.
    cached: u64,
    not_public: u64,
    unanswered: u64,
    failed: u64,
}

/// Writes records and keeps the tally.
struct Records<W: Write> {
    out: W,
    format: BulkFormat,
    counts: Counts,
    /// The exit code of the first failed request.
    first_failure: Option<Exit>,
    /// The latest failed requests, by the error their addresses share, with
    /// their numbers; so that each is reported (on stderr and in the records)
    /// once, not per address.
    failures: VecDeque<(Arc<threatjammer::Error>, u64)>,
    /// Failed requests numbered so far.
    failure_count: u64,
    progress: ProgressBar,
    /// Where answers are kept between runs.
    #[cfg(feature = "disk-cache")]
    cache: crate::Cache,
}

impl<W: Write> Records<W> {
    /// Writes the record of `address` from the cache, if it holds a fresh
    /// assessment of it; says whether it did.
    fn from_cache(&mut self, line: u64, address: IpAddr) -> Result<bool, Failure> {
        #[cfg(feature = "disk-cache")]
        if let Some(cache) = &mut self.cache {
            let kept = cache
                .get("assess_ip", &address.to_string())
                .and_then(|json| serde_json::from_str::<IpAssessmentOutput>(&json).ok());
            if let Some(assessment) = kept {
                self.counts.cached += 1;
                self.record(BulkItem {
                    position: line,
                    input: address,
                    outcome: Outcome::Answered(Arc::new(assessment)),
                })?;
                return Ok(true);
            }
        }
        let _ = (line, address);
        Ok(false)
    }

    fn start(&mut self) -> io::Result<()> {
        match self.format {
            BulkFormat::Csv => writeln!(self.out, "{CSV_HEADER}"),
            BulkFormat::Jsonl => Ok(()),
        }
    }

    fn record(&mut self, item: BulkItem<IpAddr, IpAssessmentOutput>) -> Result<(), Failure> {
        let line = item.position;
        let mut record = Record {
            line,
            address: item.input,
            outcome: "assessed",
            assessment: None,
            failure: None,
            error: None,
        };
        match &item.outcome {
            Outcome::Answered(assessment) => {
                self.counts.assessed += 1;
                record.assessment = Some(assessment.as_ref());
                #[cfg(feature = "disk-cache")]
                if let Some(cache) = &mut self.cache {
                    if let Ok(json) = serde_json::to_string(assessment.as_ref()) {
                        cache.put("assess_ip", record.address.to_string(), json);
                    }
                }
            }
            Outcome::NotPublic => {
                self.counts.not_public += 1;
                record.outcome = "not_public";
            }
            // The service skips, rather than refuses, what it does not assess;
            // not a failure, but not an answer either.
            Outcome::Unanswered => {
                self.counts.unanswered += 1;
                record.outcome = "unanswered";
            }
            Outcome::Failed(error) => {
                self.counts.failed += 1;
                // A key the service rejects fails every later request as well.
                if matches!(**error, threatjammer::Error::Unauthorized(_)) {
                    return Err(Failure::from(&**error));
                }
                self.first_failure.get_or_insert(Exit::of(error));
                record.outcome = "failed";
                let known = self
                    .failures
                    .iter()
                    .find(|(seen, _)| Arc::ptr_eq(seen, error))
                    .map(|(_, number)| *number);
                record.failure = Some(match known {
                    Some(number) => number,
                    None => {
                        self.failure_count += 1;
                        let number = self.failure_count;
                        if self.failures.len() == REMEMBERED_FAILURES {
                            self.failures.pop_front();
                        }
                        self.failures.push_back((error.clone(), number));
                        self.progress.suspend(|| {
                            eprintln!(
                                "line {line} and the rest of its batch (failure {number}): \
                                 assessment failed: {error}"
                            )
                        });
                        record.error = Some(error.to_string());
                        number
                    }
                });
            }
        }
        match self.format {
            BulkFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &record).map_err(io::Error::from)?;
                writeln!(self.out)?;
            }
            BulkFormat::Csv => {
                let a = record.assessment;
                let fields = [
                    line.to_string(),
                    record.address.to_string(),
                    record.outcome.to_string(),
                    a.and_then(|a| a.score)
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    a.map(|a| a.risk.to_string()).unwrap_or_default(),
                    a.map(|a| a.reason.clone()).unwrap_or_default(),
                    record.error.unwrap_or_default(),
                    record.failure.map(|n| n.to_string()).unwrap_or_default(),
                ];
                let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                writeln!(self.out, "{}", quoted.join(","))?;
            }
        }
        let c = &self.counts;
        self.progress.set_message(format!(
            "{} assessed, {} not public, {} unanswered, {} failed",
            c.assessed, c.not_public, c.unanswered, c.failed
        ));
        Ok(())
    }
}

/// One JSON line; a struct rather than a map so the fields keep this order.
#[derive(Serialize)]
struct Record<'a> {
    line: u64,
    address: IpAddr,
    /// `assessed`, `not_public`, `unanswered` or `failed`.
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<&'a IpAssessmentOutput>,
    /// The number of the failed request, on every record of its batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<u64>,
    /// The failed request's error, on the first record of its batch only.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("MEDIUM"), "MEDIUM");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    fn lines_of(text: &str) -> Lines<&[u8]> {
        Lines {
            reader: text.as_bytes(),
            number: 0,
            bad: 0,
            error: None,
            progress: ProgressBar::hidden(),
            records: None,
            failure: None,
        }
    }

    #[test]
    fn lines_skip_blanks_and_report_bad_ones() {
        let text = "8.8.8.8\n\nnot-an-ip\r\n 2001:db8::1 \n\u{0}\u{ff}\n1.1.1.1";
        let mut lines = lines_of(text);
        let got: Vec<(u64, String)> = lines.by_ref().map(|(n, a)| (n, a.to_string())).collect();
        assert_eq!(
            got,
            [
                (1, "8.8.8.8".to_string()),
                (4, "2001:db8::1".to_string()),
                (6, "1.1.1.1".to_string())
            ]
        );
        assert_eq!(lines.bad, 2);
    }

    #[test]
    fn lines_skip_a_byte_order_mark_and_comments_but_keep_their_numbers() {
        let text = "\u{feff}8.8.8.8\n# a comment\n  # indented\n1.1.1.1 # trailing\n\
                    \u{feff}9.9.9.9\n2001:db8::1#tight\nbad # still bad\n";
        let mut lines = lines_of(text);
        let got: Vec<(u64, String)> = lines.by_ref().map(|(n, a)| (n, a.to_string())).collect();
        assert_eq!(
            got,
            [
                (1, "8.8.8.8".to_string()),
                (4, "1.1.1.1".to_string()),
                (6, "2001:db8::1".to_string())
            ]
        );
        // A mark inside the input is not an encoding signature but junk on its line.
        assert_eq!(lines.bad, 2);
        assert_eq!(lines.number, 7);
    }
}
