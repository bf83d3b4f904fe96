//! The `threatjammer` tool driven as a user drives it: a process, its
//! arguments, its output and its exit code.
//!
//! Everything stays on this machine: offline runs use the bundled mock, and
//! the error cases use wiremock servers or a closed port on loopback. Every
//! run has a time limit.

mod support;
use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use support::{run, Run};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A well-formed key that no service knows.
const KEY: &str = "tja_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";

/// The tool with none of the caller's THREATJAMMER_* settings, so a key in
/// the developer's environment cannot send a test to the real service, and
/// with a cache directory of its own, so that no answer is kept in (or read
/// from) the developer's.
fn tj() -> Command {
    let mut cmd = Command::cargo_bin("threatjammer").expect("the binary is built");
    cmd.env_remove("THREATJAMMER_API_KEY")
        .env_remove("THREATJAMMER_BASE_URL")
        .env_remove("THREATJAMMER_REGION")
        .env_remove("THREATJAMMER_REDIS_URL")
        .env(
            "XDG_CACHE_HOME",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .timeout(Duration::from_secs(60));
    cmd
}

/// A file under cargo's scratch directory for integration tests.
fn scratch_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("the scratch directory is writable");
    path
}

fn key_file() -> PathBuf {
    scratch_file("key", &format!("{KEY}\n"))
}

/// The subcommands a `--help` text lists under "Commands:": the lines indented
/// by two spaces (a wrapped summary continues further in).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_subcommand_has_help() {
    // Walks the tree from the top: what a help text lists must have help too.
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    while let Some(words) = pending.pop() {
        let r = run(tj().args(&words).arg("--help"));
        let shown = words.join(" ");
        assert_eq!(r.code, Some(0), "`{shown} --help`: {}", r.stderr);
        let usage = format!("Usage: threatjammer {shown}")
            .trim_end()
            .to_string();
        assert!(r.stdout.contains(&usage), "`{shown} --help`:\n{}", r.stdout);
        for name in subcommands(&r.stdout) {
            let mut deeper = words.clone();
            deeper.push(name);
            pending.push(deeper);
        }
        seen.push(shown);
    }
    for polished in [
        "assess ip",
        "assess file",
        "asn",
        "geo",
        "ua",
        "lists allow list",
        "lists allow show",
        "lists allow create",
        "lists allow delete",
        "lists allow content",
        "lists deny list",
        "lists deny content",
        "quota",
        "op list",
        "op get_asn",
        "op assess_ips_csv",
        "spec check",
    ] {
        assert!(
            seen.iter().any(|s| s == polished),
            "no help for `{polished}`"
        );
    }
    let operations = seen.iter().filter(|s| s.starts_with("op ")).count();
    // 97 operations and `op list`.
    assert_eq!(operations, 98, "{seen:?}");
}

#[test]
fn help_documents_keys_and_exit_codes() {
    let r = run(tj().arg("--help"));
    for needle in [
        "THREATJAMMER_API_KEY",
        "--key-file",
        "offline",
        "Exit codes:",
        "4  rate limited",
        "6  assess file",
        "8  spec check",
    ] {
        assert!(r.stdout.contains(needle), "{needle} missing:\n{}", r.stdout);
    }
    // The key is never a command-line value.
    let r = run(tj().args(["--key", KEY, "quota"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

#[test]
fn assess_ip_runs_offline_without_a_key_and_says_so() {
    let r = run(tj().args(["assess", "ip", "212.231.12.22"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("running offline"), "{}", r.stderr);
    assert!(r.stderr.contains("127.0.0.1"), "{}", r.stderr);
    // Piped, the answer is JSON.
    let answer: Value = serde_json::from_str(&r.stdout).expect("JSON on a pipe");
    assert_eq!(answer["self"], "/v1/assess/ip/212.231.12.22");
    assert!(answer["score"].is_u64(), "{answer}");
}

#[test]
fn offline_on_request_says_so_and_where() {
    // Even with a key configured: the answers come from the mock, not the
    // service, and stderr must say so.
    let r =
        run(tj()
            .env("THREATJAMMER_API_KEY", KEY)
            .args(["--offline", "--json", "asn", "15169"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let said = r
        .stderr
        .lines()
        .find(|l| l.contains("bundled mock"))
        .unwrap_or_else(|| panic!("nothing said about the mock: {:?}", r.stderr));
    assert!(said.starts_with("--offline: running offline"), "{said}");
    assert!(said.contains(" at http://127.0.0.1:"), "{said}");
    assert!(!r.stderr.contains("no API key"), "{}", r.stderr);
    // stdout holds the answer alone.
    let answer: Value = serde_json::from_str(&r.stdout).expect("--json prints JSON");
    assert!(answer["name"].is_string(), "{answer}");
}

#[test]
fn table_output_on_request() {
    let r = run(tj().args(["--offline", "--table", "assess", "ip", "212.231.12.22"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // --offline was asked for, so nothing is said about keys.
    assert!(!r.stderr.contains("no API key"), "{}", r.stderr);
    assert!(
        r.stderr.contains("--offline: running offline"),
        "{}",
        r.stderr
    );
    let row = r
        .stdout
        .lines()
        .find(|l| l.starts_with("self "))
        .unwrap_or_else(|| panic!("no self row:\n{}", r.stdout));
    assert!(row.ends_with("/v1/assess/ip/212.231.12.22"), "{row}");
}

#[test]
fn the_bundled_mock_answers_more_than_assessments() {
    for (args, field, expected) in [
        (&["asn", "AS15169"][..], "self", "/v1/asn/15169"),
        (&["geo", "8.8.8.8"][..], "self", "/v1/geo/8.8.8.8"),
        (&["ua", "curl/8.5.0"][..], "string", "curl/8.5.0"),
        (&["quota"][..], "status", "ENABLED"),
    ] {
        let r = run(tj().args(["--offline", "--json"]).args(args));
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        let answer: Value = serde_json::from_str(&r.stdout).expect("--json prints JSON");
        assert_eq!(answer[field], expected, "{args:?}: {answer}");
    }
}

#[test]
fn json_output_parses_back() {
    let r = run(tj().args(["--offline", "--json", "assess", "ip", "212.231.12.22"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let answer: Value = serde_json::from_str(&r.stdout).expect("--json prints JSON");
    assert_eq!(answer["self"], "/v1/assess/ip/212.231.12.22");
    assert!(answer["risk"].is_string(), "{answer}");

    let r = run(tj().args(["op", "list", "--json"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let operations: Vec<Value> = serde_json::from_str(&r.stdout).expect("--json prints JSON");
    assert_eq!(operations.len(), 97);
    assert!(operations
        .iter()
        .any(|op| op["id"] == "assess_ip" && op["path"] == "/v1/assess/ip/{ip_address}"));
}

#[test]
fn assess_file_reports_bad_lines_and_goes_on() {
    let input = scratch_file(
        "bad-lines.txt",
        "212.231.12.22\nnot-an-address\n10.0.0.1\n\n300.1.2.3\n8.8.8.8\n212.231.12.22\n",
    );
    let r = run(tj().args(["--offline", "assess", "file"]).arg(&input));
    assert_eq!(r.code, Some(6), "{}", r.stderr);
    assert!(
        r.stderr.contains("line 2: not an IP address"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("line 5: not an IP address"),
        "{}",
        r.stderr
    );
    let mut records: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    // Records come as answers arrive; their line numbers give the input's order.
    records.sort_by_key(|r| r["line"].as_u64());
    let summary: Vec<(u64, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["address"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "212.231.12.22", "assessed"),
            (3, "10.0.0.1", "not_public"),
            (6, "8.8.8.8", "assessed"),
            (7, "212.231.12.22", "assessed"),
        ]
    );
    assert_eq!(
        records[3]["assessment"]["self"],
        "/v1/assess/ip/212.231.12.22"
    );
}

#[test]
fn assess_file_from_stdin_as_csv() {
    let r = run(tj()
        .args(["--offline", "assess", "file", "-", "--format", "csv"])
        .write_stdin("8.8.8.8\n192.168.1.1\n"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "line,address,outcome,score,risk,reason,error,failure"
    );
    // In arrival order: the local answer may come first.
    lines[1..].sort();
    assert!(lines[1].starts_with("1,8.8.8.8,assessed,"), "{}", lines[1]);
    assert_eq!(lines[2], "2,192.168.1.1,not_public,,,,,");
    assert_eq!(lines.len(), 3);
}

#[test]
fn assess_file_sends_at_most_500_distinct_addresses_a_request() {
    // 1,200 distinct public addresses, the first one repeated ten times: three
    // requests, and a record for every line. The offline mock refuses a
    // request with duplicates or more than 500 addresses, which would show as
    // failed records.
    let mut lines: Vec<String> = (0..1200u32)
        .map(|i| format!("81.{}.{}.1", i / 250, i % 250))
        .collect();
    let first = lines[0].clone();
    lines.splice(1..1, std::iter::repeat_n(first, 10));
    let input = scratch_file("many.txt", &(lines.join("\n") + "\n"));
    let r = run(tj().args(["--offline", "assess", "file"]).arg(&input));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1210);
    assert!(
        r.stdout
            .lines()
            .all(|l| l.contains(r#""outcome":"assessed""#)),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("assessment requests sent: 3"),
        "{}",
        r.stderr
    );
}

/// (line, address, outcome) of every JSON record, in line order.
fn record_lines(stdout: &str) -> Vec<(u64, String, String)> {
    let mut records: Vec<(u64, String, String)> = stdout
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).expect("one JSON object a line");
            (
                r["line"].as_u64().unwrap(),
                r["address"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    records.sort();
    records
}

#[test]
fn assess_file_ignores_a_byte_order_mark() {
    let expected = [
        (1, "212.231.12.22".to_string(), "assessed".to_string()),
        (2, "8.8.8.8".to_string(), "assessed".to_string()),
    ];
    // As Excel saves "CSV UTF-8": a mark, then Windows line ends.
    let text = "\u{feff}212.231.12.22\r\n8.8.8.8\r\n";
    let input = scratch_file("bom.txt", text);
    let r = run(tj().args(["--offline", "assess", "file"]).arg(&input));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stderr.contains("not an IP address"), "{}", r.stderr);
    assert_eq!(record_lines(&r.stdout), expected);

    let r = run(tj()
        .args(["--offline", "assess", "file", "-"])
        .write_stdin(text));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(record_lines(&r.stdout), expected);
}

#[test]
fn assess_file_skips_comments_and_keeps_line_numbers() {
    let input = scratch_file(
        "commented.txt",
        "# exported from the firewall\n212.231.12.22  # seen twice\n\n   # indented note\n\
         8.8.8.8\nnot-an-address # with a comment\n",
    );
    let r = run(tj().args(["--offline", "assess", "file"]).arg(&input));
    // Only the line that is not an address is bad; the comments are not.
    assert_eq!(r.code, Some(6), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("not an IP address").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("line 6: not an IP address"),
        "{}",
        r.stderr
    );
    assert_eq!(
        record_lines(&r.stdout),
        [
            (2, "212.231.12.22".to_string(), "assessed".to_string()),
            (5, "8.8.8.8".to_string(), "assessed".to_string()),
        ]
    );
}

#[test]
fn an_assessment_table_starts_with_its_verdict() {
    let r = run(tj().args(["--offline", "--table", "assess", "ip", "212.231.12.22"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let names: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names[..4],
        ["self", "risk", "score", "reason"],
        "{}",
        r.stdout
    );
    // Below `self`, the links to related resources come after every plain value.
    let is_link: Vec<bool> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|v| v.starts_with("/v1/"))
        })
        .collect();
    assert!(is_link.contains(&true), "{}", r.stdout);
    assert!(is_link.windows(2).all(|w| w[0] <= w[1]), "{}", r.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let r = run(tj().args(["--offline", "assess", "ip", "not-an-address"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);

    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-file");
    let r = run(tj().args(["--offline", "assess", "file"]).arg(&missing));
    assert_eq!(r.code, Some(2), "{}", r.stderr);

    let bad_key = scratch_file("bad-key", "not-a-key\n");
    let r = run(tj().arg("--key-file").arg(&bad_key).arg("quota"));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        !r.stderr.contains("not-a-key"),
        "the key is echoed: {}",
        r.stderr
    );

    let r = run(tj().args(["--offline", "--quota-guard", "lots", "quota"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("PER_MINUTE/PER_MONTH"), "{}", r.stderr);

    // A base URL but no key: not silently offline.
    let r = run(tj().args(["--base-url", "http://127.0.0.1:9", "quota"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("no API key"), "{}", r.stderr);
}

/// Runs `args` against `server` with the key file.
fn against(server: &MockServer, args: &[&str]) -> Run {
    run(tj()
        .arg("--key-file")
        .arg(key_file())
        .args(["--base-url", &server.uri()])
        .args(args))
}

#[tokio::test]
async fn key_file_and_base_url_reach_the_service() {
    let exchange: Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/documented/asn-15169.json"
    ))
    .expect("the fixture is JSON");
    let server = MockServer::start().await;
    // Answers only a request that carries the key from the file.
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&exchange["response"]["body"]))
        .mount(&server)
        .await;
    let r = against(&server, &["--json", "asn", "AS15169"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stderr.contains("running offline"), "{}", r.stderr);
    let answer: Value = serde_json::from_str(&r.stdout).expect("--json prints JSON");
    assert_eq!(answer["name"], "GOOGLE");
}

#[tokio::test]
async fn service_errors_exit_3() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "title": "Not found", "detail": "no such AS", "type": "about:blank"
        })))
        .mount(&server)
        .await;
    let r = against(&server, &["asn", "4294967295"]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("no such AS"), "{}", r.stderr);
}

#[tokio::test]
async fn rate_limited_exits_4() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .set_body_json(serde_json::json!({"title": "Too many requests"})),
        )
        .mount(&server)
        .await;
    // Without --retries 0 the tool would wait out the Retry-After (twice) first.
    let r = against(&server, &["--retries", "0", "geo", "8.8.8.8"]);
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("retry after 30s"), "{}", r.stderr);
}

#[tokio::test]
async fn a_429_is_waited_out_and_retried() {
    let exchange: Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/documented/asn-15169.json"
    ))
    .expect("the fixture is JSON");
    let server = MockServer::start().await;
    // The first request is refused; mounted first, it is asked first.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(serde_json::json!({"title": "Too many requests"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15169"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&exchange["response"]["body"]))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let r = against(&server, &["--json", "asn", "15169"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let answer: Value = serde_json::from_str(&r.stdout).expect("--json prints JSON");
    assert_eq!(answer["name"], "GOOGLE");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not waited for"
    );
}

#[test]
fn unreachable_service_exits_5() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let r = run(tj()
        .arg("--key-file")
        .arg(key_file())
        .args(["--base-url", &format!("http://127.0.0.1:{port}")])
        .args(["assess", "ip", "8.8.8.8"]));
    assert_eq!(r.code, Some(5), "{}", r.stderr);
}

#[tokio::test]
async fn a_failed_batch_is_written_as_failed_and_the_exit_code_says_why() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/assess/ip"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>busy</html>"))
        .mount(&server)
        .await;
    let input = scratch_file("failing.txt", "8.8.8.8\n10.0.0.1\nnonsense\n");
    let r = against(&server, &["assess", "file", input.to_str().unwrap()]);
    // A failed request outranks bad lines.
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("line 1 and the rest of its batch"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("line 3: not an IP address"),
        "{}",
        r.stderr
    );
    let mut outcomes: Vec<(u64, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].to_string()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(1, r#""failed""#.into()), (2, r#""not_public""#.into())]
    );
}

/// A failed batch's error is written once, not once per address: a 1 MiB
/// error for 50 addresses made 50 MiB of records before.
#[tokio::test]
async fn a_failed_batch_writes_its_error_once() {
    const DETAIL: usize = 1 << 20;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/assess/ip"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "title": "Forbidden", "detail": "x".repeat(DETAIL), "type": "about:blank"
        })))
        .mount(&server)
        .await;
    let text: String = (1..=50).map(|i| format!("81.0.0.{i}\n")).collect();
    let input = scratch_file("forbidden.txt", &text);
    let input = input.to_str().unwrap();
    // What the records may hold beside one copy of the error.
    let bound = DETAIL + 50 * 200;

    let r = against(&server, &["assess", "file", input]);
    assert_eq!(r.code, Some(3), "{}", &r.stderr[..r.stderr.len().min(500)]);
    assert!(
        r.stdout.len() < bound,
        "{} bytes of records",
        r.stdout.len()
    );
    let records: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    assert_eq!(records.len(), 50);
    assert!(records
        .iter()
        .all(|r| r["outcome"] == "failed" && r["failure"] == 1));
    let with_error: Vec<&Value> = records
        .iter()
        .filter(|r| r.get("error").is_some())
        .collect();
    assert_eq!(with_error.len(), 1, "the error is written once");
    assert!(with_error[0]["error"].as_str().unwrap().contains("xxxx"));

    let r = against(&server, &["assess", "file", input, "--format", "csv"]);
    assert_eq!(r.code, Some(3));
    assert!(
        r.stdout.len() < bound,
        "{} bytes of records",
        r.stdout.len()
    );
    let mut rows = r.stdout.lines();
    assert_eq!(
        rows.next(),
        Some("line,address,outcome,score,risk,reason,error,failure")
    );
    let rows: Vec<Vec<&str>> = rows.map(|row| row.split(',').collect()).collect();
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|row| row[2] == "failed" && row[7] == "1"));
    assert_eq!(rows.iter().filter(|row| !row[6].is_empty()).count(), 1);
}

#[tokio::test]
async fn a_rejected_key_stops_a_bulk_run() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/assess/ip"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "title": "Unauthorized", "detail": "unknown token"
        })))
        // Only the batches already in flight when the first answer comes.
        .expect(1..=threatjammer::bulk::DEFAULT_CONCURRENCY as u64)
        .mount(&server)
        .await;
    // Ten batches' worth of addresses; the first answer ends the run.
    let text: String = (0..5000u32)
        .map(|i| format!("81.{}.{}.1\n", i / 250, i % 250))
        .collect();
    let input = scratch_file("unauthorized.txt", &text);
    let r = against(&server, &["assess", "file", input.to_str().unwrap()]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("unknown token"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[tokio::test]
async fn lists_commands_reach_their_operations() {
    use wiremock::matchers::{body_json, body_partial_json};
    const ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/denylist/private"))
        .and(body_json(serde_json::json!({"payload": {
            "name": "bad-nets", "description": "", "resource_type": "CIDR", "tags": ["WEB"]
        }})))
        .respond_with(ResponseTemplate::new(202).set_body_json(ID))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/v1/denylist/private/{ID}/content")))
        .and(body_partial_json(
            serde_json::json!({"append": ["203.0.113.0/24"]}),
        ))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/allowlist/private/all"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"self": "/v1/allowlist/private/all", "lists": []}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;

    let r = against(
        &server,
        &[
            "lists", "deny", "create", "--name", "bad-nets", "--type", "cidr", "--tag", "WEB",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(serde_json::from_str::<Value>(&r.stdout).unwrap(), ID);

    let r = against(
        &server,
        &["lists", "deny", "content", ID, "--add", "203.0.113.0/24"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("accepted"), "{}", r.stderr);

    let r = against(&server, &["lists", "allow", "list"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let answer: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(answer["lists"], serde_json::json!([]));
}

#[tokio::test]
async fn lists_commands_reach_the_family_they_name() {
    use wiremock::matchers::query_param;
    const ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    // Each family's server knows only that family's paths, so a command that
    // sent an allowlist request for `deny` (or the reverse) would get a 404.
    for (kind, list_type) in [("allow", "ALLOW"), ("deny", "DENY")] {
        let server = MockServer::start().await;
        let base = format!("/v1/{kind}list/private");
        Mock::given(method("GET"))
            .and(path(format!("{base}/all/country")))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"self": format!("{base}/all/country"), "lists": []}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{base}/{ID}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "self": format!("{base}/{ID}"),
                "content": format!("{base}/{ID}/content"),
                "created_at": 1636328648000i64,
                "updated_at": 1642504981000i64,
                "description": "",
                "list_type": list_type,
                "name": "offices",
                "resource_type": "CIDR",
                "tags": ["OFFICE"]
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{base}/{ID}/content")))
            .and(query_param("page", "2"))
            .and(query_param("page_size", "5"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "self": format!("{base}/{ID}/content?page=2&page_size=5"),
                "cidrs": ["203.0.113.0/24"]
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{base}/{ID}")))
            .respond_with(ResponseTemplate::new(202))
            .expect(1)
            .mount(&server)
            .await;

        let r = against(
            &server,
            &["--json", "lists", kind, "list", "--type", "country"],
        );
        assert_eq!(r.code, Some(0), "{kind}: {}", r.stderr);
        let answer: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(answer["lists"], serde_json::json!([]), "{kind}");

        let r = against(&server, &["--json", "lists", kind, "show", ID]);
        assert_eq!(r.code, Some(0), "{kind}: {}", r.stderr);
        let answer: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(answer["list_type"], list_type, "{kind}");
        assert_eq!(answer["tags"], serde_json::json!(["OFFICE"]), "{kind}");

        let r = against(
            &server,
            &[
                "--json",
                "lists",
                kind,
                "content",
                ID,
                "--page",
                "2",
                "--page-size",
                "5",
            ],
        );
        assert_eq!(r.code, Some(0), "{kind}: {}", r.stderr);
        let answer: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(
            answer["cidrs"],
            serde_json::json!(["203.0.113.0/24"]),
            "{kind}"
        );

        let r = against(&server, &["lists", kind, "delete", ID]);
        assert_eq!(r.code, Some(0), "{kind}: {}", r.stderr);
        assert!(r.stderr.contains("accepted"), "{kind}: {}", r.stderr);
    }
}

/// A loopback server publishing the pinned upstream document of `version` as
/// its /openapi.json, as JSON (as the service does).
async fn publishing(version: &str) -> MockServer {
    let text = std::fs::read_to_string(format!(
        "../openapi/upstream/threatjammer-user-api-{version}.yaml"
    ))
    .expect("the pinned upstream document");
    let doc = threatjammer_spec::spec_io::parse_document(&text).expect("YAML");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/openapi.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn spec_check_passes_when_the_deployment_publishes_this_builds_api() {
    let server = publishing("1.2.27").await;
    // No key: the document is public.
    let r = run(tj().args(["spec", "check", "--base-url", &server.uri()]));
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("publishes the API this build was generated from (1.2.27)"),
        "{}",
        r.stdout
    );
}

#[tokio::test]
async fn spec_check_ranks_what_an_older_deployment_breaks() {
    let server = publishing("1.2.20").await;
    let r = run(tj().args(["spec", "check", "--base-url", &server.uri()]));
    // 1.2.20 lacks an operation and parameters 1.2.27 has: code written for
    // this build does not compile against it, so it breaks.
    assert_eq!(r.code, Some(8), "{}\n{}", r.stdout, r.stderr);
    for needle in [
        "differs from the API this build was generated from",
        "1.2.27 → 1.2.20",
        "| `PUT /v1/origin/status` | operation |",
        "`operation-removed`",
    ] {
        assert!(r.stdout.contains(needle), "{needle}:\n{}", r.stdout);
    }
}

#[tokio::test]
async fn spec_check_says_when_only_something_harmless_differs() {
    let text = std::fs::read_to_string("../openapi/upstream/threatjammer-user-api-1.2.27.yaml")
        .expect("the pinned upstream document");
    let mut doc = threatjammer_spec::spec_io::parse_document(&text).expect("YAML");
    // An operation added: nothing breaks.
    let mut added = doc["paths"]["/v1/asn/{number}"].clone();
    added["get"]["operationId"] = "query_peers_v1_asn__number__peers_get".into();
    doc["paths"]["/v1/asn/{number}/peers"] = added;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/openapi.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc))
        .mount(&server)
        .await;
    let r = run(tj().args(["spec", "check", "--base-url", &server.uri()]));
    assert_eq!(r.code, Some(7), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("`operation-added`"), "{}", r.stdout);
}

#[tokio::test]
async fn spec_check_of_something_else_is_the_services_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/openapi.json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>hello</html>"))
        .mount(&server)
        .await;
    let r = run(tj().args(["spec", "check", "--base-url", &server.uri()]));
    assert_eq!(r.code, Some(3), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("openapi.json"), "{}", r.stderr);
}
