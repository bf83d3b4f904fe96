//! Deciding where requests go and with which key.
//!
//! The key comes from `--key-file` or `THREATJAMMER_API_KEY`, never from a
//! command-line value: those end up in shell history and in `ps` output.
//! With neither, and no base URL either, the tool runs offline against the
//! bundled mock and says so on stderr, so a first try works without an account.

use crate::exit::Failure;
use crate::offline::MockServer;
use std::path::{Path, PathBuf};
use threatjammer::{ApiKey, Client};

/// The environment variable holding the key.
const KEY_VARIABLE: &str = "THREATJAMMER_API_KEY";

/// What the command line and the environment say about the service.
pub struct Settings {
    pub key_file: Option<PathBuf>,
    pub base_url: Option<String>,
    pub region: Option<String>,
    pub offline: bool,
}

/// A client, and the offline server it talks to when there is one.
pub struct Connection {
    pub client: Client,
    /// Held for the whole run: dropping it stops the server.
    _offline: Option<MockServer>,
}

impl Settings {
    pub async fn connect(&self) -> Result<Connection, Failure> {
        if self.offline {
            return offline(None).await;
        }
        let key = match &self.key_file {
            Some(path) => Some(read_key_file(path)?),
            None => key_from_environment()?,
        };
        let Some(key) = key else {
            if let Some(url) = &self.base_url {
                return Err(Failure::usage(format!(
                    "no API key for {url}: set {KEY_VARIABLE} or pass --key-file (or --offline)"
                )));
            }
            return offline(Some(&format!(
                "no API key configured ({KEY_VARIABLE} or --key-file)"
            )))
            .await;
        };
        let mut builder = Client::builder().api_key(key).user_agent(USER_AGENT);
        if let Some(region) = &self.region {
            builder = builder.region(region);
        }
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        let client = builder.build().map_err(|e| Failure::usage(e.to_string()))?;
        Ok(Connection {
            client,
            _offline: None,
        })
    }
}

const USER_AGENT: &str = concat!("threatjammer-cli/", env!("CARGO_PKG_VERSION"));

/// Starts the bundled mock; `why` is said on stderr when offline was not asked for.
async fn offline(why: Option<&str>) -> Result<Connection, Failure> {
    let server = MockServer::start().await;
    if let Some(why) = why {
        eprintln!(
            "{why}: running offline against the bundled mock at {}",
            server.uri()
        );
    }
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(server.api_key())
        .user_agent(USER_AGENT)
        .build()
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(Connection {
        client,
        _offline: Some(server),
    })
}

/// The key is the file's first line, so a trailing newline or comment lines
/// below it do no harm.
fn read_key_file(path: &Path) -> Result<ApiKey, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read the key file {}: {e}", path.display())))?;
    let first = text.lines().next().unwrap_or_default();
    ApiKey::new(first).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// An empty variable counts as unset, as `THREATJAMMER_API_KEY= threatjammer ...` means.
fn key_from_environment() -> Result<Option<ApiKey>, Failure> {
    match std::env::var(KEY_VARIABLE) {
        Ok(key) if !key.trim().is_empty() => ApiKey::new(key)
            .map(Some)
            .map_err(|e| Failure::usage(format!("{KEY_VARIABLE}: {e}"))),
        _ => Ok(None),
    }
}
