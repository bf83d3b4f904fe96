//! `threatjammer`: the ThreatJammer.com User API from the command line.
//!
//! The common jobs have their own commands (`assess ip`, `assess file`, `asn`,
//! `geo`, `ua`, `lists`, `quota`); `op` reaches every operation of the API by
//! its id. Answers print as a table on a terminal and as JSON otherwise.

mod bulk;
#[cfg(feature = "disk-cache")]
mod cache;
mod connect;
mod exit;
mod lists;
mod op;
mod output;
mod spec_check;

use clap::{Args, Parser, Subcommand};
use connect::Settings;
use exit::{Exit, Failure};
use lists::{Kind, ListAction};
use op::OpCommand;
use output::Format;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use threatjammer::{Client, Quota, QuotaPolicy};

const AFTER_HELP: &str = "\
The API key is read from THREATJAMMER_API_KEY or from the file given with
--key-file, never from the command line. With no key and no base URL, or
with --offline, the tool runs offline against a bundled mock on loopback and
says so on stderr, with the mock's address.

Requests that are safe to repeat are retried after a 429 (waiting what
Retry-After says, up to a minute), a 502, 503 or 504, or a failed connection;
--retries sets how often. Requests to a region are spaced to the free plan's
limits on this side; --quota-guard sets other limits.

Answers print as a table on a terminal and as JSON when piped; --json and
--table choose.

`assess ip`, `assess file`, `geo` and `ua` keep their answers for a day in a
cache file (--cache-ttl, --cache, --no-cache), so asking again spends no
request; stderr says how many answers came from it. Offline runs use it only
with --cache.";

#[derive(Parser)]
#[command(
    name = "threatjammer",
    version,
    about = "The ThreatJammer.com User API from the command line",
    after_help = format!("{AFTER_HELP}\n\n{}", exit::HELP),
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes; under their own heading so that an
/// operation's own options stand out in `op <operation_id> --help`.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
struct Global {
    /// Read the API key from this file (its first line) instead of THREATJAMMER_API_KEY
    #[arg(long, global = true, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// The service's base URL: a private deployment, or a mock
    #[arg(long, global = true, env = "THREATJAMMER_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// The region of the public service (https://{region}.api.threatjammer.com) [default: dublin]
    #[arg(long, global = true, env = "THREATJAMMER_REGION", value_name = "NAME")]
    region: Option<String>,
    /// Run against the bundled mock on loopback, whatever key is configured (stderr says
    /// where)
    #[arg(long, global = true)]
    offline: bool,
    /// Print answers as JSON, also on a terminal
    #[arg(long, global = true, conflicts_with = "table")]
    json: bool,
    /// Print answers as a table, also into a pipe
    #[arg(long, global = true)]
    table: bool,
    /// Retries of a request that is safe to repeat, after a 429, 502, 503, 504 or a
    /// failed connection; 0 sends every request once [default: 2, the library's policy]
    #[arg(long, global = true, value_name = "N")]
    retries: Option<u32>,
    /// The request limits kept to on this side: `free` (10 a minute, 5000 a month),
    /// PER_MINUTE/PER_MONTH (0: no limit), or `off` [default: free for a region, off
    /// with --base-url or offline]
    #[arg(long, global = true, value_name = "LIMITS", value_parser = parse_quota_guard)]
    quota_guard: Option<QuotaPolicy>,
    /// Neither read nor keep answers in the cache file
    #[cfg(feature = "disk-cache")]
    #[arg(long, global = true)]
    no_cache: bool,
    /// How long a kept answer is used: seconds, or a number with s, m, h or d [default: 1d]
    #[cfg(feature = "disk-cache")]
    #[arg(long, global = true, value_name = "TTL", value_parser = cache::parse_ttl)]
    cache_ttl: Option<std::time::Duration>,
    /// The cache file [default: threatjammer/answers.sqlite3 in the platform's cache
    /// directory; none offline]
    #[cfg(feature = "disk-cache")]
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "no_cache")]
    cache: Option<PathBuf>,
    /// Share the quota window and answers with every other instance using the key
    /// through this Redis (redis://[:password@]host[:port][/db])
    #[cfg(feature = "redis")]
    #[arg(
        long,
        global = true,
        env = "THREATJAMMER_REDIS_URL",
        value_name = "URL"
    )]
    redis: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Assess the risk of IP addresses: one, or a file of them
    #[command(subcommand)]
    Assess(Assess),
    /// Get an Autonomous System by number (15169 or AS15169)
    Asn {
        #[arg(value_parser = parse_asn)]
        number: i64,
    },
    /// Geolocate one IP address
    Geo { address: IpAddr },
    /// Analyse one user agent string
    Ua { user_agent: String },
    /// Manage your private allowlists and denylists
    #[command(subcommand)]
    Lists(Lists),
    /// Show the key's quota: the month's and the minute's request buckets
    Quota,
    /// Call any operation of the API by its id (`op list` lists them)
    Op(OpCommand),
    /// Compare what the deployment publishes with the API this build was made from
    #[command(subcommand)]
    Spec(Spec),
}

#[derive(Subcommand)]
enum Spec {
    /// Fetch the deployment's /openapi.json (--base-url, or the region's) and print how
    /// it differs from the API this build of the tool was generated from, each change
    /// ranked by whom it breaks; exits 0 when nothing differs, 7 when something does,
    /// 8 when something breaks. Needs no key.
    Check,
}

#[derive(Subcommand)]
enum Assess {
    /// Assess one IP address
    Ip { address: IpAddr },
    /// Assess every address of a file, one a line, in requests as full as the API allows
    ///
    /// Addresses that are not public (private, loopback, documentation, ...) are
    /// answered locally without spending quota, and each distinct address is sent
    /// once. A few requests are in flight at a time, so records are written as
    /// answers arrive, not in input order; each carries its line number. An
    /// address the service leaves out of its answer is written as `unanswered`.
    /// Blank lines and `#` comments (a whole line, or after the address) are
    /// skipped, as is a UTF-8 byte-order mark at the start. Lines that are not
    /// addresses are reported on stderr with their line numbers and the run
    /// goes on; the exit code is then 6. A request that
    /// still fails after its retries is reported once and its addresses are
    /// written as failed, each with the request's `failure` number (1, 2, ... in
    /// the order written); the error's text is written once, in the first record
    /// of that failure, not in every one. A key the service rejects (401) stops
    /// the run. A
    /// progress bar shows on stderr when it is a terminal and the records go to
    /// a file or a pipe.
    File {
        /// The file to read, or `-` for standard input
        input: PathBuf,
        /// The records written to stdout (--json and --table do not apply)
        #[arg(long, value_enum, default_value_t = bulk::BulkFormat::Jsonl)]
        format: bulk::BulkFormat,
    },
}

#[derive(Subcommand)]
enum Lists {
    /// Your private allowlists
    #[command(subcommand)]
    Allow(ListAction),
    /// Your private denylists
    #[command(subcommand)]
    Deny(ListAction),
}

/// `--quota-guard`: `free`, `off`, or `PER_MINUTE/PER_MONTH`.
fn parse_quota_guard(text: &str) -> Result<QuotaPolicy, String> {
    match text {
        "free" => return Ok(QuotaPolicy::FREE),
        "off" => return Ok(QuotaPolicy::disabled()),
        _ => {}
    }
    let limits = text.split_once('/').and_then(|(minute, month)| {
        Some(
            QuotaPolicy::disabled()
                .with_per_minute(minute.trim().parse().ok()?)
                .with_per_month(month.trim().parse().ok()?),
        )
    });
    limits.ok_or_else(|| format!("expected free, off or PER_MINUTE/PER_MONTH, not {text:?}"))
}

fn parse_asn(text: &str) -> Result<i64, String> {
    let digits = text
        .strip_prefix("AS")
        .or_else(|| text.strip_prefix("as"))
        .unwrap_or(text);
    digits
        .parse()
        .map_err(|_| format!("not an AS number: {text}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // clap exits by itself: 0 after --help and --version, 2 on a usage error.
    let cli = Cli::parse();
    let exit = match run(cli).await {
        Ok(exit) => exit,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("threatjammer: {}", failure.message);
            }
            failure.exit
        }
    };
    exit.into()
}

async fn run(cli: Cli) -> Result<Exit, Failure> {
    let g = cli.global;
    let format = Format::choose(g.json, g.table);
    let mut service = Service {
        settings: Settings {
            key_file: g.key_file,
            base_url: g.base_url,
            region: g.region,
            offline: g.offline,
            retries: g.retries,
            quota_guard: g.quota_guard,
            #[cfg(feature = "redis")]
            redis: g.redis,
        },
        connection: None,
        #[cfg(feature = "disk-cache")]
        cache: CacheChoice {
            off: g.no_cache,
            path: g.cache,
            ttl: g
                .cache_ttl
                .unwrap_or(std::time::Duration::from_secs(86_400)),
        },
    };
    let answer = match cli.command {
        Command::Spec(Spec::Check) => {
            let base_url = match (&service.settings.base_url, &service.settings.region) {
                (Some(url), _) => url.clone(),
                (None, region) => spec_check::region_url(region.as_deref().unwrap_or("dublin"))?,
            };
            let checked = spec_check::run(&base_url).await?;
            print!("{}", checked.report);
            return Ok(checked.exit);
        }
        Command::Assess(Assess::Ip { address }) => {
            let (client, cache) = service.open().await?;
            cached(
                cache,
                "assess_ip",
                address.to_string(),
                client.assess_ip(address).send(),
            )
            .await?
        }
        Command::Assess(Assess::File { input, format }) => {
            let (client, cache) = service.open().await?;
            return bulk::assess_file(client, &input, format, cache).await;
        }
        Command::Asn { number } => to_json(service.client().await?.get_asn(number).await?),
        Command::Geo { address } => {
            let (client, cache) = service.open().await?;
            let call = client.geolocate_ip(address).send();
            cached(cache, "geolocate_ip", address.to_string(), call).await?
        }
        Command::Ua { user_agent } => {
            let (client, cache) = service.open().await?;
            let call = client.parse_user_agent(&user_agent).send();
            cached(cache, "parse_user_agent", user_agent.clone(), call).await?
        }
        Command::Lists(Lists::Allow(action)) => {
            lists::run(service.client().await?, Kind::Allow, action).await?
        }
        Command::Lists(Lists::Deny(action)) => {
            lists::run(service.client().await?, Kind::Deny, action).await?
        }
        Command::Quota => {
            let token = service.client().await?.get_token().await?;
            if format == Format::Table {
                quota_view(&token)
            } else {
                to_json(token)
            }
        }
        Command::Op(OpCommand::List) => op::listing(),
        Command::Op(OpCommand::Call(call)) => {
            let arguments = call.arguments()?;
            service
                .client()
                .await?
                .call(call.operation, &arguments)
                .await?
        }
    };
    output::print(&answer, format)?;
    Ok(Exit::Ok)
}

/// Connects on first use, so commands that need no service (`op list`) start
/// no offline server and say nothing about keys.
struct Service {
    settings: Settings,
    connection: Option<connect::Connection>,
    #[cfg(feature = "disk-cache")]
    cache: CacheChoice,
}

/// What the command line says of the cache file.
#[cfg(feature = "disk-cache")]
struct CacheChoice {
    off: bool,
    path: Option<PathBuf>,
    ttl: std::time::Duration,
}

/// The cache a command reads and fills, when there is one.
#[cfg(feature = "disk-cache")]
type Cache = Option<cache::DiskCache>;
/// Without the feature there is never one.
#[cfg(not(feature = "disk-cache"))]
type Cache = Option<std::convert::Infallible>;

impl Service {
    async fn client(&mut self) -> Result<&Client, Failure> {
        let connection = match self.connection.take() {
            Some(connection) => connection,
            None => self.settings.connect().await?,
        };
        Ok(&self.connection.insert(connection).client)
    }

    /// The client, and the cache file its answers are kept in: the one
    /// `--cache` names, or the platform's unless offline or `--no-cache`.
    async fn open(&mut self) -> Result<(&Client, Cache), Failure> {
        self.client().await?;
        let connection = self.connection.as_ref().expect("connected just now");
        #[cfg(feature = "disk-cache")]
        {
            let choice = &self.cache;
            let path = match &choice.path {
                _ if choice.off => None,
                Some(path) => Some(path.clone()),
                None if connection.offline => None,
                None => cache::default_path(),
            };
            let cache = path.and_then(|path| {
                cache::DiskCache::open(&path, connection.identity.clone(), choice.ttl)
            });
            Ok((&connection.client, cache))
        }
        #[cfg(not(feature = "disk-cache"))]
        Ok((&connection.client, None))
    }
}

/// The answer to `operation` with `argument` from the cache, or `call`'s,
/// kept there; stderr says when nothing was sent.
async fn cached<T: serde::Serialize>(
    cache: Cache,
    operation: &'static str,
    argument: String,
    call: impl std::future::Future<Output = Result<T, threatjammer::Error>>,
) -> Result<Value, Failure> {
    #[cfg(feature = "disk-cache")]
    if let Some(mut cache) = cache {
        if let Some(answer) = cache.get(operation, &argument) {
            if let Ok(value) = serde_json::from_str(&answer) {
                eprintln!("1 answer from the cache; no request sent");
                return Ok(value);
            }
        }
        let value = to_json(call.await?);
        cache.put(operation, argument, value.to_string());
        return Ok(value);
    }
    let _ = (cache, operation, argument);
    Ok(to_json(call.await?))
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("answers are plain JSON")
}

/// The token answer as people read it; `--json` keeps the service's fields.
/// The counts are read the way the library reads them ([`Quota::from_token`]).
fn quota_view(token: &threatjammer::types::TokenOutput) -> Value {
    let quota = Quota::from_token(token);
    let refreshed = |at: Option<std::time::SystemTime>| {
        at.and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_millis()).ok())
            .map(output::utc)
            .unwrap_or_default()
    };
    let bucket = |used: u64, size: u64, at| {
        json!(format!(
            "{used} of {size} (bucket refreshed {})",
            refreshed(at)
        ))
    };
    json!({
        "region": token.region_id,
        "status": token.status,
        "month": bucket(quota.used_this_month, quota.per_month, quota.month_refresh),
        "minute": bucket(quota.used_this_minute, quota.per_minute, quota.minute_refresh),
        "minute refill ratio": token.last_minute_bucket_refill_ratio,
        "created_at": token.created_at.as_millisecond(),
        "updated_at": token.updated_at.as_millisecond(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatjammer::RetryPolicy;

    #[test]
    fn the_default_retries_are_as_the_help_says() {
        // `--retries` says "[default: 2]": the library's policy makes 3 attempts.
        assert_eq!(RetryPolicy::new(), RetryPolicy::new().max_attempts(3));
    }

    #[test]
    fn quota_guard_limits() {
        assert_eq!(parse_quota_guard("free"), Ok(QuotaPolicy::FREE));
        assert_eq!(parse_quota_guard("off"), Ok(QuotaPolicy::disabled()));
        assert_eq!(
            parse_quota_guard("100/1000000"),
            Ok(QuotaPolicy::disabled()
                .with_per_minute(100)
                .with_per_month(1_000_000))
        );
        assert_eq!(
            parse_quota_guard("0/5000"),
            Ok(QuotaPolicy::disabled().with_per_month(5000))
        );
        for bad in ["", "100", "100/", "/5", "-1/5", "ten/5", "FREE"] {
            assert!(parse_quota_guard(bad).is_err(), "{bad}");
        }
    }
}
