//! Answers kept on disk between runs (feature `disk-cache`, on by default),
//! so that assessing yesterday's addresses again spends no request.
//!
//! One SQLite file, by default `threatjammer/answers.sqlite3` in the
//! platform's cache directory. SQLite because several runs at once are its
//! ordinary case: in WAL mode readers never wait and writers take turns
//! (each batch of answers is one short transaction, and a writer waits up to
//! ten seconds for another's), and a run killed mid-write leaves the file as
//! it was before that transaction. Entries are keyed by the deployment and a
//! SHA-256 hash of the key (never the key), the operation and its argument,
//! and carry their expiry.
//!
//! A file that cannot be opened or read (truncated, overwritten, not a
//! database) is reported on stderr, moved aside and started again; if even
//! that fails, the run goes on without a cache. The cache never fails a run.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Answers kept before they are written in one transaction.
const BATCH: usize = 500;

/// How long a writer waits for another run's transaction.
const BUSY: Duration = Duration::from_secs(10);

pub struct DiskCache {
    path: PathBuf,
    /// `None` once the file failed and could not be started again.
    db: Option<rusqlite::Connection>,
    identity: String,
    ttl: Duration,
    pending: Vec<(&'static str, String, String)>,
    /// Answers read from the cache in this run.
    pub hits: u64,
}

/// Where the cache is unless `--cache` says otherwise.
pub fn default_path() -> Option<PathBuf> {
    Some(
        dirs::cache_dir()?
            .join("threatjammer")
            .join("answers.sqlite3"),
    )
}

/// The entries' owner: the deployment and a hash of the key.
pub fn identity(base_url: &str, key: &str) -> String {
    let mut input = Vec::with_capacity(base_url.len() + key.len() + 1);
    input.extend_from_slice(base_url.as_bytes());
    input.push(0);
    input.extend_from_slice(key.as_bytes());
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &input);
    hash.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl DiskCache {
    /// The cache at `path`, started again if it is unreadable; `None` (said
    /// on stderr) when no cache can be had there.
    pub fn open(path: &Path, identity: String, ttl: Duration) -> Option<DiskCache> {
        let db = match connect(path) {
            Ok(db) => db,
            Err(error) => rebuild(path, &error)?,
        };
        Some(DiskCache {
            path: path.to_path_buf(),
            db: Some(db),
            identity,
            ttl,
            pending: Vec::new(),
            hits: 0,
        })
    }

    /// The answer to `operation` with `argument`, as JSON, if one is kept and fresh.
    pub fn get(&mut self, operation: &str, argument: &str) -> Option<String> {
        let db = self.db.as_ref()?;
        let found = db
            .prepare_cached(
                "SELECT answer FROM answers WHERE identity = ?1 AND operation = ?2 \
                 AND argument = ?3 AND expires > ?4",
            )
            .and_then(|mut query| {
                query
                    .query_row(
                        rusqlite::params![self.identity, operation, argument, now()],
                        |row| row.get::<_, String>(0),
                    )
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
            });
        match found {
            Ok(Some(answer)) => {
                self.hits += 1;
                Some(answer)
            }
            Ok(None) => None,
            Err(error) => {
                self.failed(&error);
                None
            }
        }
    }

    /// Keeps `answer` (JSON) as the answer to `operation` with `argument`.
    pub fn put(&mut self, operation: &'static str, argument: String, answer: String) {
        if self.db.is_none() {
            return;
        }
        self.pending.push((operation, argument, answer));
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    /// Writes what is pending in one transaction.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let Some(db) = self.db.as_mut() else { return };
        let expires = now() + self.ttl.as_secs() as i64;
        let written = (|| {
            let transaction =
                db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = transaction.prepare_cached(
                    "INSERT OR REPLACE INTO answers (identity, operation, argument, answer, expires) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (operation, argument, answer) in &pending {
                    insert.execute(rusqlite::params![
                        self.identity,
                        operation,
                        argument,
                        answer,
                        expires
                    ])?;
                }
            }
            transaction.commit()
        })();
        if let Err(error) = written {
            self.failed(&error);
        }
    }

    /// A failure while in use: a damaged file is started again, anything
    /// else ends the cache for this run. Said once either way.
    fn failed(&mut self, error: &rusqlite::Error) {
        self.db = None;
        self.pending.clear();
        if is_damage(error) {
            self.db = rebuild(&self.path, error);
        } else {
            eprintln!(
                "threatjammer: the cache at {} failed ({error}); going on without it",
                self.path.display()
            );
        }
    }
}

impl Drop for DiskCache {
    fn drop(&mut self) {
        self.flush();
    }
}

fn connect(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    if let Some(dir) = path.parent() {
        // A directory that cannot be made shows as the open's own error.
        let _ = std::fs::create_dir_all(dir);
    }
    let db = rusqlite::Connection::open(path)?;
    db.busy_timeout(BUSY)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS answers (
            identity TEXT NOT NULL,
            operation TEXT NOT NULL,
            argument TEXT NOT NULL,
            answer TEXT NOT NULL,
            expires INTEGER NOT NULL,
            PRIMARY KEY (identity, operation, argument)
        ) WITHOUT ROWID;
        DELETE FROM answers WHERE expires <= unixepoch();",
    )?;
    Ok(db)
}

/// Whether `error` says the file is not (or no longer) a sound database.
fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Moves the unreadable file aside (with its journal) and starts an empty
/// one; says so, or that the run goes on without a cache.
fn rebuild(path: &Path, error: &rusqlite::Error) -> Option<rusqlite::Connection> {
    if !is_damage(error) {
        eprintln!(
            "threatjammer: cannot open the cache at {} ({error}); going on without it",
            path.display()
        );
        return None;
    }
    let aside = path.with_extension("sqlite3.damaged");
    eprintln!(
        "threatjammer: the cache at {} is unreadable ({error}); moved to {} and started again",
        path.display(),
        aside.display()
    );
    let moved = std::fs::rename(path, &aside);
    for suffix in ["-wal", "-shm"] {
        let mut journal = path.as_os_str().to_owned();
        journal.push(suffix);
        let _ = std::fs::remove_file(journal);
    }
    match moved
        .map_err(|e| e.to_string())
        .and_then(|()| connect(path).map_err(|e| e.to_string()))
    {
        Ok(db) => Some(db),
        Err(error) => {
            eprintln!(
                "threatjammer: cannot start the cache at {} again ({error}); going on without it",
                path.display()
            );
            None
        }
    }
}

/// `--cache-ttl`: seconds, or a number with `s`, `m`, `h` or `d`.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "expected seconds or a number with s, m, h or d, not {text:?}"
            ))
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("expected seconds or a number with s, m, h or d, not {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls() {
        assert_eq!(parse_ttl("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_ttl("1d"), Ok(Duration::from_secs(86_400)));
        for bad in ["", "h", "1w", "-1h", "1.5h", "99999999999999999999d"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_identity_is_no_part_of_the_key() {
        let key = "tja_SECRETSECRETSECRETSECRETSECRETSECRET";
        let id = identity("https://dublin.api.threatjammer.com", key);
        assert_eq!(id.len(), 32);
        assert!(!id.contains("SECRET"));
        assert_ne!(id, identity("http://127.0.0.1:1", key));
    }

    #[test]
    fn answers_come_back_until_they_expire_and_a_damaged_file_is_started_again() {
        let dir = std::env::temp_dir().join(format!("tj-cache-unit-{}", std::process::id()));
        let path = dir.join("answers.sqlite3");
        let _ = std::fs::remove_dir_all(&dir);
        let mut cache = DiskCache::open(&path, "me".into(), Duration::from_secs(60)).unwrap();
        assert_eq!(cache.get("assess_ip", "8.8.8.8"), None);
        cache.put("assess_ip", "8.8.8.8".into(), "{}".into());
        cache.flush();
        assert_eq!(cache.get("assess_ip", "8.8.8.8").as_deref(), Some("{}"));
        drop(cache);
        let mut stale = DiskCache::open(&path, "me".into(), Duration::ZERO).unwrap();
        stale.put("geolocate_ip", "8.8.8.8".into(), "{}".into());
        stale.flush();
        assert_eq!(
            stale.get("geolocate_ip", "8.8.8.8"),
            None,
            "expired at once"
        );
        assert_eq!(stale.get("assess_ip", "8.8.8.8").as_deref(), Some("{}"));
        drop(stale);
        std::fs::write(&path, b"SQLite format 3\0 and then nothing useful").unwrap();
        let mut cache = DiskCache::open(&path, "me".into(), Duration::from_secs(60)).unwrap();
        assert_eq!(cache.get("assess_ip", "8.8.8.8"), None);
        assert!(path.with_extension("sqlite3.damaged").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
