//! The request builders: what [`Client`](crate::Client)'s methods return.
//!
//! Each operation's method takes its required arguments and returns a
//! builder named after the operation, which has a setter for each optional
//! argument and sends the request when it is awaited:
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), threatjammer::Error> {
//! use std::time::Duration;
//! let asn = tj.get_asn(15169).await?;
//! let changes = tj
//!     .list_log_changes_of_ip("212.231.12.22".parse().unwrap())
//!     .logged_after(1_700_000_000_000)
//!     .timeout(Duration::from_secs(5))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! A release of the API that adds an optional parameter or request-body field
//! adds a setter here, so code written against an older release keeps
//! compiling. Every builder also has:
//! - `timeout(d)`: how long each attempt may take, for this call only;
//! - `retry(policy)`: this call's [`RetryPolicy`](crate::RetryPolicy);
//! - `send()`: the call as an `async fn` (what `.await` does, without boxing);
//! - for a paged listing, `pages()`: a stream of every page, from the first.

pub use crate::csv_upload::{AssessIpsCsv, GeolocateIpsCsv, ParseUserAgentsCsv};
pub use crate::generated::request::*;

/// The future a request builder becomes when awaited.
pub type Pending<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, crate::Error>> + Send + 'a>>;
