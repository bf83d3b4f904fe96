//! The tool's cache file (feature `disk-cache`, issue 31), driven as a user
//! drives it: a mock of the service on loopback, the tool as a process, and
//! the cache file it keeps, read back with SQLite.

#![cfg(feature = "disk-cache")]

mod support;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::run;
use threatjammer::ApiKey;
use threatjammer_mock::MockServer;

const KEY: &str = "tja_CACHECACHECACHECACHECACHECACHECACHEC";

/// The mock, on a runtime of its own that serves it while the tool runs.
struct Service {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Service {
    fn start() -> Service {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(
            MockServer::builder()
                .api_key(ApiKey::new(KEY).unwrap())
                .start(),
        );
        Service { runtime, server }
    }

    fn requests(&self) -> usize {
        self.runtime.block_on(self.server.received_requests()).len()
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cache-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The tool against `service`, with the cache file `cache`.
fn tj(service: &Service, cache: &Path) -> Command {
    let mut cmd = tj_without_cache(service);
    cmd.arg("--cache").arg(cache);
    cmd
}

/// The tool against `service`, with its default cache in a directory of
/// the test's own.
fn tj_without_cache(service: &Service) -> Command {
    let mut cmd = Command::cargo_bin("threatjammer").expect("the binary is built");
    cmd.env_remove("THREATJAMMER_REGION")
        .env_remove("THREATJAMMER_REDIS_URL")
        .env("XDG_CACHE_HOME", scratch("default"))
        .env("THREATJAMMER_API_KEY", KEY)
        .env("THREATJAMMER_BASE_URL", service.server.uri())
        .timeout(Duration::from_secs(300));
    cmd
}

/// `count` distinct public addresses, one a line.
fn addresses(dir: &Path, count: u32) -> PathBuf {
    let text: String = (0..count)
        .map(|i| format!("20.{}.{}.{}\n", i >> 16, (i >> 8) & 255, i & 255))
        .collect();
    let path = dir.join("addresses.txt");
    std::fs::write(&path, text).unwrap();
    path
}

fn sorted(stdout: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    lines
}

fn entries(cache: &Path) -> (String, u64) {
    let db = rusqlite::Connection::open(cache).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    let count: u64 = db
        .query_row("SELECT count(*) FROM answers", [], |row| row.get(0))
        .unwrap();
    (check, count)
}

#[test]
fn a_file_assessed_again_sends_nothing_and_prints_the_same_records() {
    let service = Service::start();
    let dir = scratch("again");
    let cache = dir.join("answers.sqlite3");
    let input = addresses(&dir, 100_000);
    let first = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let sent = service.requests();
    assert_eq!(sent, 200, "100,000 addresses in batches of 500");
    assert!(
        first.stderr.contains("(0 from the cache)"),
        "{}",
        first.stderr
    );
    let second = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_eq!(service.requests(), sent, "the second run sent nothing");
    assert!(
        second
            .stderr
            .contains("100000 assessed (100000 from the cache)")
            && second.stderr.contains("assessment requests sent: 0"),
        "{}",
        second.stderr
    );
    assert_eq!(first.stdout.lines().count(), 100_000);
    assert!(
        sorted(&first.stdout) == sorted(&second.stdout),
        "the same records"
    );
}

#[test]
fn single_lookups_are_kept_and_no_cache_reads_none() {
    let service = Service::start();
    let dir = scratch("single");
    let cache = dir.join("answers.sqlite3");
    for args in [
        &["assess", "ip", "212.231.12.22"][..],
        &["geo", "8.8.8.8"],
        &["ua", "Mozilla/5.0"],
    ] {
        let first = run(tj(&service, &cache).arg("--json").args(args));
        assert_eq!(first.code, Some(0), "{}", first.stderr);
        let sent = service.requests();
        let second = run(tj(&service, &cache).arg("--json").args(args));
        assert_eq!(second.stdout, first.stdout, "{args:?}");
        assert!(
            second.stderr.contains("1 answer from the cache"),
            "{}",
            second.stderr
        );
        assert_eq!(service.requests(), sent, "{args:?}: nothing sent");
        let fresh = run(tj_without_cache(&service)
            .args(["--json", "--no-cache"])
            .args(args));
        assert_eq!(fresh.stdout, first.stdout, "{}", fresh.stderr);
        assert_eq!(service.requests(), sent + 1, "{args:?}: --no-cache sent it");
    }
}

#[test]
fn two_runs_at_once_leave_a_sound_cache() {
    let service = Service::start();
    let dir = scratch("together");
    let cache = dir.join("answers.sqlite3");
    let input = addresses(&dir, 20_000);
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("threatjammer"))
                .env("THREATJAMMER_API_KEY", KEY)
                .env("THREATJAMMER_BASE_URL", service.server.uri())
                .arg("--cache")
                .arg(&cache)
                .args(["assess", "file"])
                .arg(&input)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert_eq!(
            output.stdout.iter().filter(|b| **b == b'\n').count(),
            20_000
        );
        assert!(!stderr.contains("cache at"), "{stderr}");
    }
    assert_eq!(entries(&cache), ("ok".to_string(), 20_000));
    let again = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert!(
        again.stderr.contains("(20000 from the cache)"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_truncated_cache_is_reported_and_started_again() {
    let service = Service::start();
    let dir = scratch("truncated");
    let cache = dir.join("answers.sqlite3");
    let input = addresses(&dir, 5_000);
    let first = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    // Whatever the journal holds goes back into the file first, as a clean exit leaves it.
    let db = rusqlite::Connection::open(&cache).unwrap();
    db.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .unwrap();
    drop(db);
    let length = std::fs::metadata(&cache).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_len(length / 3)
        .unwrap();
    let damaged = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert_eq!(damaged.code, Some(0), "{}", damaged.stderr);
    assert!(
        damaged.stderr.contains("is unreadable"),
        "{}",
        damaged.stderr
    );
    assert_eq!(damaged.stdout.lines().count(), 5_000);
    assert_eq!(
        entries(&cache),
        ("ok".to_string(), 5_000),
        "started again and filled"
    );
    let again = run(tj(&service, &cache).args(["assess", "file"]).arg(&input));
    assert!(
        again.stderr.contains("(5000 from the cache)"),
        "{}",
        again.stderr
    );
    // Garbage where the file should be: the same.
    std::fs::write(&cache, vec![0x5a; 10_000]).unwrap();
    let garbage = run(tj(&service, &cache).args(["assess", "ip", "212.231.12.22"]));
    assert_eq!(garbage.code, Some(0), "{}", garbage.stderr);
    assert!(
        garbage.stderr.contains("is unreadable"),
        "{}",
        garbage.stderr
    );
}
