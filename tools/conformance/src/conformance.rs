//! `cargo xtask conformance`: replays every fixture through the real client,
//! against a mock server that answers only the fixture's request, or against
//! a server given by URL, and says for each whether the client behaved as the
//! fixture expects.

// The fixture format is the crate the mock and the tests read it with; the
// replay is this tool's, and the library's tests include it by path
// (tests/conformance_*.rs, tests/typed_values.rs).
pub use threatjammer_fixtures as fixture;
#[path = "conformance_operations.rs"]
mod operations;
#[path = "conformance_record.rs"]
mod record;
#[path = "replay.rs"]
pub mod replay;

use anyhow::{Context, Result};
use fixture::Fixture;
use replay::{Replay, Verdict};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threatjammer::{ApiKey, Client, RetryPolicy};

#[derive(clap::Args)]
pub struct Args {
    /// A folder of fixtures, searched recursively; repeatable. Default: tests/fixtures.
    #[arg(long = "fixtures", value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Send every fixture's request to this server instead of a mock, and
    /// classify what it answers (the request itself cannot be checked then).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The API key for --base-url. Default: THREATJAMMER_API_KEY, else a dummy key.
    #[arg(long, value_name = "T", requires = "base_url")]
    token: Option<String>,
    /// With --base-url: call every operation once, with the arguments of its
    /// first fixture that expects a success, and count the operations that
    /// succeed. For a server that answers every valid request with a success,
    /// such as a mock of the published document (Prism).
    #[arg(long, requires = "base_url")]
    operations: bool,
    /// With --base-url: print what the answers carried that the spec of
    /// record does not describe, and write an overlay proposing to describe it.
    #[arg(long, value_name = "OVERLAY", requires = "base_url")]
    drift: Option<PathBuf>,
    /// With --base-url: write every exchange into DIR as a fixture (the key
    /// replaced by the runner's dummy key), for replaying with --fixtures DIR.
    #[arg(long, value_name = "DIR", requires = "base_url")]
    record: Option<PathBuf>,
    /// One JSON line per fixture instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, root: &Path) -> Result<ExitCode> {
    let dirs = if args.dirs.is_empty() {
        vec![root.join("tests/fixtures")]
    } else {
        args.dirs.clone()
    };
    let paths = fixture::find_fixtures(&dirs).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let token = args
        .token
        .clone()
        .or_else(|| std::env::var("THREATJAMMER_API_KEY").ok())
        .unwrap_or_else(|| replay::MOCK_KEY.to_string());
    let seen = args
        .base_url
        .as_ref()
        .map(|url| format!("{url} on {}", today()));
    let recorder = match (&args.record, &args.base_url, &seen) {
        (Some(_), Some(url), Some(seen)) => Some(runtime.block_on(record::Recorder::start(
            url,
            format!("recorded from {seen} by cargo xtask conformance --record"),
        ))?),
        _ => None,
    };
    let remote = match &args.base_url {
        Some(url) => {
            // With --record the client talks to the recording proxy in front of the server.
            let url = recorder.as_ref().map_or(url.as_str(), |r| r.url());
            // One request a fixture, as against the mocks: what the server answers
            // first is what gets classified.
            let client = Client::builder()
                .base_url(url)
                .api_key(ApiKey::unchecked(token.clone()))
                .retry(RetryPolicy::disabled())
                // The server, not the client, is what a fixture's refusal is about.
                .check_arguments(false)
                // A run is short and its findings become a proposal: keep every
                // one a server as noisy as a mock that invents fields can show.
                .keep_drift_findings(RUNNER_DRIFT_FINDINGS)
                .build()
                .with_context(|| format!("cannot build a client of {url}"))?;
            Some(client)
        }
        None => None,
    };

    if let (true, Some(client)) = (args.operations, &remote) {
        let all = runtime.block_on(operations::run(
            client,
            &paths,
            recorder.as_ref(),
            args.json,
        ))?;
        finish(
            &args,
            root,
            client,
            recorder.as_ref(),
            &token,
            seen.as_deref(),
        )?;
        return Ok(if all {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    // Everything, the client included, runs on this thread, so a thread-local
    // subscriber sees every request span.
    let _capture = status::install();
    let (mut passed, mut failed, mut known) = (0, 0, 0);
    for path in &paths {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let defect = fixture::client_defect(path);
        let (fixture, replay, status, verdict) = match Fixture::load(path) {
            Ok(fixture) => {
                status::forget();
                let before = recorder.as_ref().map_or(0, |r| r.len());
                let replay = runtime.block_on(async {
                    match &remote {
                        Some(client) => replay::call(&fixture, client).await,
                        None => replay::replay(&fixture).await,
                    }
                });
                if let (Some(recorder), Some(outcome)) = (&recorder, replay.outcome) {
                    if recorder.len() > before {
                        recorder.expect(recorder.len() - 1, outcome.as_str());
                    }
                }
                let verdict = replay.verdict(defect);
                (Some(fixture), replay, status::last(), verdict)
            }
            Err(why) => {
                let replay = Replay {
                    differences: vec![why],
                    ..Replay::default()
                };
                (None, replay, None, Verdict::Fail)
            }
        };
        match verdict {
            Verdict::Pass => passed += 1,
            // Counted as passes: the fixture is right, and the defect is on record.
            Verdict::KnownDefect => (passed, known) = (passed + 1, known + 1),
            Verdict::Fail | Verdict::DefectGone => failed += 1,
        }
        let line = Line {
            shown: &shown,
            fixture: fixture.as_ref(),
            replay: &replay,
            status,
            verdict,
            defect,
        };
        if args.json {
            println!("{}", line.json());
            for why in line.reasons() {
                eprintln!("{shown}: {why}");
            }
        } else {
            println!("{}", line.text());
        }
    }
    if known > 0 {
        let note = format!("{known} of the passes reproduce known client defects (marked `known`)");
        // With --json, stdout stays JSON lines up to the summary.
        if args.json {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
    }
    println!("{passed} passed, {failed} failed");
    if let Some(client) = &remote {
        finish(
            &args,
            root,
            client,
            recorder.as_ref(),
            &token,
            seen.as_deref(),
        )?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Distinct drift findings the runner's client keeps of each operation: far
/// more than a library client's bound, which is for clients that live long.
const RUNNER_DRIFT_FINDINGS: usize = 100_000;

/// After a run against a server: the drift it showed and the exchanges it recorded.
fn finish(
    args: &Args,
    root: &Path,
    client: &Client,
    recorder: Option<&record::Recorder>,
    token: &str,
    seen: Option<&str>,
) -> Result<()> {
    if let Some(overlay) = &args.drift {
        let report = client.drift();
        print!("{}", crate::drift_overlay::describe(&report));
        let spec =
            threatjammer_spec::spec_io::read_document(&root.join("openapi/threatjammer.json"))?;
        let proposal = crate::drift_overlay::propose(&spec, &report, seen.unwrap_or("a run"));
        std::fs::write(overlay, proposal)
            .with_context(|| format!("writing {}", overlay.display()))?;
        println!(
            "{} drift findings; proposed overlay in {}",
            report.findings.len(),
            overlay.display()
        );
    }
    if let (Some(recorder), Some(dir)) = (recorder, &args.record) {
        let written = recorder.write(dir, token, replay::MOCK_KEY)?;
        println!("{written} exchanges recorded in {}", dir.display());
    }
    Ok(())
}

/// Today's date (UTC) as `YYYY-MM-DD`, for saying when answers were seen.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// One fixture's result, as text or as a JSON line.
struct Line<'a> {
    shown: &'a str,
    fixture: Option<&'a Fixture>,
    replay: &'a Replay,
    status: Option<u16>,
    verdict: Verdict,
    defect: Option<&'static str>,
}

impl Line<'_> {
    fn json(&self) -> Value {
        let request = self.fixture.map(|f| &f.request);
        let mut line = json!({
            "fixture": self.shown,
            "method": request.map(|r| r.method.as_str()),
            "path": request.map(|r| r.path.as_str()),
            "operation": self.replay.operation,
            "status": self.status,
            "outcome": self.replay.outcome.map(|o| o.as_str()),
            "pass": self.verdict.passes(),
            "value": self.replay.value,
        });
        if let Some(defect) = self.defect {
            line["client_defect"] = json!(defect);
        }
        line
    }

    fn text(&self) -> String {
        let label = match self.verdict {
            Verdict::Pass => "ok   ",
            Verdict::Fail | Verdict::DefectGone => "FAIL ",
            Verdict::KnownDefect => "known",
        };
        let mut text = format!("{label} {}", self.shown);
        if let Some(f) = self.fixture {
            text.push_str(&format!("  {} {}", f.request.method, f.request.path));
        }
        if let Some(op) = self.replay.operation {
            text.push_str(&format!("  {op}"));
        }
        if let Some(status) = self.status {
            text.push_str(&format!("  {status}"));
        }
        if let Some(outcome) = self.replay.outcome {
            text.push_str(&format!("  {outcome}"));
        }
        for why in self.reasons() {
            text.push_str(&format!("\n      {why}"));
        }
        text
    }

    /// What a reader needs to know beyond the outcome.
    fn reasons(&self) -> Vec<String> {
        let defect = self.defect.unwrap_or_default();
        match self.verdict {
            Verdict::Pass => Vec::new(),
            Verdict::Fail => {
                let source = self
                    .fixture
                    .map(|f| format!("fixture source: {}", f.source));
                source
                    .into_iter()
                    .chain(self.replay.differences.iter().cloned())
                    .collect()
            }
            Verdict::KnownDefect => {
                let mut reasons = vec![format!("client defect: {defect}")];
                reasons.extend(self.replay.differences.iter().cloned());
                reasons
            }
            Verdict::DefectGone => vec![format!(
                "the client now gets this exchange right; remove it from CLIENT_DEFECTS ({defect})"
            )],
        }
    }
}

/// The HTTP status of the last answer the client received, read from the
/// `threatjammer.request` span that the client's request hook records it on
/// (src/runtime.rs). The client's results do not carry the status of a
/// success, and against a real server there is no mock to ask.
mod status {
    use std::cell::Cell;
    use tracing::field::{Field, Visit};
    use tracing::span;
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;

    thread_local! {
        static LAST: Cell<Option<u16>> = const { Cell::new(None) };
    }

    pub fn install() -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(Capture))
    }

    pub fn forget() {
        LAST.with(|last| last.set(None));
    }

    pub fn last() -> Option<u16> {
        LAST.with(Cell::get)
    }

    struct Capture;

    impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
        fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
            if ctx
                .span(id)
                .is_some_and(|s| s.name() == "threatjammer.request")
            {
                values.record(&mut StatusField);
            }
        }
    }

    struct StatusField;

    impl Visit for StatusField {
        fn record_u64(&mut self, field: &Field, value: u64) {
            if field.name() == "status" {
                LAST.with(|last| last.set(u16::try_from(value).ok()));
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }
}
