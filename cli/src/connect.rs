//! Deciding where requests go and with which key.
//!
//! The key comes from `--key-file` or `THREATJAMMER_API_KEY`, never from a
//! command-line value: those end up in shell history and in `ps` output.
//! With neither, and no base URL either, the tool runs offline against the
//! bundled mock, so a first try works without an account; offline, asked for
//! with `--offline` or not, it says so on stderr with the mock's address.

use crate::exit::Failure;
use std::path::{Path, PathBuf};
use threatjammer::{ApiKey, Client, ClientBuilder, QuotaPolicy, RetryPolicy};
use threatjammer_mock::MockServer;

/// The environment variable holding the key.
const KEY_VARIABLE: &str = "THREATJAMMER_API_KEY";

/// What the command line and the environment say about the service.
pub struct Settings {
    pub key_file: Option<PathBuf>,
    pub base_url: Option<String>,
    pub region: Option<String>,
    pub offline: bool,
    /// Attempts after the first for what is safe to repeat; `None`: the library's policy.
    pub retries: Option<u32>,
    /// `None`: the library's choice (the free plan for a region, off for a base URL).
    pub quota_guard: Option<QuotaPolicy>,
    /// Where the quota window and answers are shared with other instances.
    #[cfg(feature = "redis")]
    pub redis: Option<String>,
}

/// A client, and the offline server it talks to when there is one.
pub struct Connection {
    pub client: Client,
    /// Whether the client talks to the bundled mock.
    #[cfg(feature = "disk-cache")]
    pub offline: bool,
    /// Whose answers these are, for the cache: the deployment and a hash of
    /// the key (`offline` for the bundled mock, whose answers are always the same).
    #[cfg(feature = "disk-cache")]
    pub identity: String,
    /// Held for the whole run: dropping it stops the server.
    _offline: Option<MockServer>,
}

impl Settings {
    pub async fn connect(&self) -> Result<Connection, Failure> {
        if self.offline {
            return self.offline("--offline").await;
        }
        let key = match &self.key_file {
            Some(path) => Some(read_key_file(path)?),
            None => key_from_environment()?,
        };
        let Some((key, text)) = key else {
            if let Some(url) = &self.base_url {
                return Err(Failure::usage(format!(
                    "no API key for {url}: set {KEY_VARIABLE} or pass --key-file (or --offline)"
                )));
            }
            return self
                .offline(&format!(
                    "no API key configured ({KEY_VARIABLE} or --key-file)"
                ))
                .await;
        };
        let mut builder = Client::builder().api_key(key);
        if let Some(region) = &self.region {
            builder = builder.region(region);
        }
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        let client = self.build(builder)?;
        #[cfg(feature = "disk-cache")]
        let identity = crate::cache::identity(client.base_url(), &text);
        #[cfg(not(feature = "disk-cache"))]
        let _ = text;
        Ok(Connection {
            client,
            #[cfg(feature = "disk-cache")]
            offline: false,
            #[cfg(feature = "disk-cache")]
            identity,
            _offline: None,
        })
    }

    /// Starts the bundled mock and says so on stderr, with `why`: whether it was
    /// asked for or not, answers that come from a mock must never pass for the
    /// service's, and the address lets a second program talk to the same mock.
    async fn offline(&self, why: &str) -> Result<Connection, Failure> {
        let server = MockServer::start().await;
        eprintln!(
            "{why}: running offline against the bundled mock at {}",
            server.uri()
        );
        // Not `server.client()`: that one has no timeouts, which suits only tests
        // under a paused clock; the tool keeps the usual ones.
        Ok(Connection {
            client: self.build(server.client_builder())?,
            #[cfg(feature = "disk-cache")]
            offline: true,
            #[cfg(feature = "disk-cache")]
            identity: "offline".into(),
            _offline: Some(server),
        })
    }

    /// What every client gets, wherever it points.
    fn build(&self, mut builder: ClientBuilder) -> Result<Client, Failure> {
        builder = builder.user_agent(USER_AGENT);
        if let Some(retries) = self.retries {
            builder = builder.retry(RetryPolicy::new().max_attempts(retries.saturating_add(1)));
        }
        if let Some(policy) = self.quota_guard {
            builder = builder.quota(policy);
        }
        #[cfg(feature = "redis")]
        if let Some(url) = &self.redis {
            builder = builder
                .redis(url)
                .cache(threatjammer::cache::CachePolicy::new());
        }
        builder.build().map_err(|e| Failure::usage(e.to_string()))
    }
}

const USER_AGENT: &str = concat!("threatjammer-cli/", env!("CARGO_PKG_VERSION"));

/// The key is the file's first line, so a trailing newline or comment lines
/// below it do no harm. With the key, its text (for the cache's hash of it).
fn read_key_file(path: &Path) -> Result<(ApiKey, String), Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read the key file {}: {e}", path.display())))?;
    let first = text.lines().next().unwrap_or_default();
    let key = ApiKey::new(first).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    Ok((key, first.to_string()))
}

/// An empty variable counts as unset, as `THREATJAMMER_API_KEY= threatjammer ...` means.
fn key_from_environment() -> Result<Option<(ApiKey, String)>, Failure> {
    match std::env::var(KEY_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => ApiKey::new(text.clone())
            .map(|key| Some((key, text)))
            .map_err(|e| Failure::usage(format!("{KEY_VARIABLE}: {e}"))),
        _ => Ok(None),
    }
}
