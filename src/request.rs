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
//! - `send_with_response()`: the same, with the answer's status and headers
//!   beside the decoded value ([`Response`]);
//! - for a paged listing, `pages()`: a stream of every page, from the first.

pub use crate::generated::request::*;

/// The future a request builder becomes when awaited.
pub type Pending<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, crate::Error>> + Send + 'a>>;

/// A decoded answer with the status and headers it came with, from a request
/// builder's `send_with_response()`: for telling a `200` from a `202`, or
/// reading a header the service or a gateway adds.
///
/// ```no_run
/// # async fn demo(tj: threatjammer::Client) -> Result<(), threatjammer::Error> {
/// let answer = tj.get_asn(15169).send_with_response().await?;
/// println!("{} {:?}", answer.status, answer.headers.get("date"));
/// let asn = answer.value;
/// # let _ = asn; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Response<T> {
    /// The answer's status (always a success: every other status is an error).
    pub status: http::StatusCode,
    /// The answer's headers, as they came. The request's `Authorization`
    /// header is never among them.
    pub headers: http::HeaderMap,
    /// The decoded answer.
    pub value: T,
}

impl<T> Response<T> {
    /// The decoded answer alone.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The same answer with its value changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            value: f(self.value),
        }
    }
}
