//! A typed client for the [ThreatJammer.com](https://threatjammer.com) User API:
//! IP risk assessment, autonomous systems, datacenters, geolocation, datasets,
//! sources, logs, allow- and denylists, user agents, origins and tokens.
//!
//! Every operation of the API is a method on [`Client`], generated at build time
//! from the spec of record in `openapi/`, with typed arguments and results and
//! one error type, [`Error`].
//!
//! Around every request the client adds the key (never logged), a
//! [`QuotaPolicy`] guard that keeps to the plan's limits, a [`RetryPolicy`] for
//! what is safe to repeat, and a `tracing` span. Responses link to other
//! resources: [`Link`] says what a link points at and [`Client::follow`]
//! fetches it. Paged listings are streams (`Client::token_activity_pages`, ...).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let tj = threatjammer::Client::from_env()?;
//! let a = tj.assess_ip("212.231.12.22".parse()?).await?;
//! println!("{:?} {:?} {}", a.score, a.risk, a.reason);
//! # Ok(()) }
//! ```
//!
//! [`areas`] walks through the API area by area, with an example of each.
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls. Without it the client has TLS
//!   only if your crate turns on one of `reqwest`'s TLS features; a
//!   `reqwest::Client` of your own goes in with [`ClientBuilder::http_client`].
//! - `dynamic`: `Client::call`, any operation by its id with named JSON
//!   arguments, and the module `operations`, the table of every operation,
//!   for tools that reach operations by name.
//! - `redis`: a quota window and an answer cache shared by a fleet of
//!   instances through Redis ([`ClientBuilder::redis`], [`stores`]).
//! - `schemars`: `schemars::JsonSchema` for every type in [`types`] and for
//!   [`Problem`]. Off by default: the derives are about a fifth of the library's
//!   compile time.
//!
//! # Testing
//!
//! The crate `threatjammer-mock` is a loopback server that answers the whole
//! API, for testing code that uses this client without a key (in your
//! `[dev-dependencies]`).

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs` on nightly, where `doc(cfg)` shows which
// feature an item needs; stable builds never see the attribute.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod areas;
mod arguments;
pub mod bulk;
#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub mod cache;
mod call;
mod client;
mod credentials;
#[cfg(feature = "dynamic")]
mod dispatch;
pub mod drift;
mod error;
mod generated;
mod links;
/// The operation table (feature `dynamic`): every operation of the spec of
/// record by id, method and path template.
#[cfg(feature = "dynamic")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
pub mod operations;
mod upload;
// Without the feature the table still serves the retry policy and `OperationId`.
#[cfg(not(feature = "dynamic"))]
#[allow(dead_code)]
mod operations;
mod pages;
mod path;
mod problem;
mod quota;
mod redact;
mod reported_export;
pub mod request;
mod retry;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod stores;
mod time;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub mod verdict;

pub use client::{BuildError, Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REGION};
pub use credentials::{ApiKey, KeyError};
pub use error::Error;
pub use generated::{types, OperationId};
/// The network type of prefix links ([`Link::AsnPrefix`],
/// [`Link::DatacenterPrefix`]), re-exported so that users need not depend on
/// the same ipnet version.
pub use ipnet::IpNet;
/// The time type of the answers' timestamps, re-exported so that users need
/// not depend on the same jiff version.
pub use jiff::Timestamp;
pub use links::{AsLink, Link, LinkTarget, Resource};
pub use operations::UnknownOperation;
pub use problem::{Problem, ProblemDetail};
pub use quota::{Quota, QuotaPolicy, QuotaWindow};
pub use reported_export::ReportedIpFilter;
/// The HTTP status of [`Error::status`], [`Error::Api`] and
/// [`Error::UnexpectedResponse`] (reqwest's, which is the `http` crate's),
/// re-exported so that users need not depend on either.
pub use reqwest::StatusCode;
pub use retry::{is_safe_to_repeat, RetryPolicy};
pub use upload::CsvInput;
/// The type of list, log and cookie ids in arguments and answers,
/// re-exported so that users need not depend on the same uuid version.
pub use uuid::Uuid;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
