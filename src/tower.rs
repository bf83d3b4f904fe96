//! A tower layer that asks for a verdict on every request's client address
//! (feature `tower`): for axum, hyper and any tower service.
//!
//! ```no_run
//! # fn demo(tj: threatjammer::Client, app: axum::Router) {
//! use std::time::Duration;
//! use threatjammer::tower::GuardLayer;
//! use threatjammer::types::IpAssessmentOutputRisk as Risk;
//! let app = app.layer(
//!     GuardLayer::new(tj)
//!         .refuse_at(Risk::High)
//!         .deadline(Duration::from_millis(300))
//!         .trust_proxies(["10.0.0.0/8".parse().unwrap()]),
//! );
//! # let _ = app; }
//! ```
//!
//! For each request the layer finds the client's address: the connection's
//! peer address, or, when the peer is a proxy listed as trusted, the
//! right-most address of `X-Forwarded-For` (or `Forwarded`) that is not itself
//! a trusted proxy, since every hop to its left was written by someone the
//! trusted proxies do not vouch for. It asks for a [`Verdict`] within the
//! deadline and either refuses the request (`403` and a short body unless set
//! otherwise) when the risk is at or above the threshold, or passes it on with
//! the verdict in the request's extensions. A degraded verdict refuses or
//! passes as the client's [`Fallback`](crate::verdict::Fallback) says.
//!
//! The peer address is read from the request's extensions: a
//! [`std::net::SocketAddr`] or a [`PeerAddr`], or, with the `axum` feature,
//! axum's `ConnectInfo<SocketAddr>` (serve the app with
//! `into_make_service_with_connect_info::<SocketAddr>()`); anything else is
//! told with [`GuardLayer::peer_from`]. A request whose address cannot be
//! found is passed on without a verdict.

use crate::generated::types::IpAssessmentOutputRisk as Risk;
use crate::verdict::Verdict;
use crate::Client;
use futures_util::future::BoxFuture;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The peer address of a connection, for servers that put it in a request's
/// extensions under their own type; the layer also reads a plain `SocketAddr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

type PeerLookup = dyn Fn(&http::Extensions) -> Option<IpAddr> + Send + Sync;

#[derive(Clone)]
struct Config {
    client: Client,
    refuse_at: Risk,
    deadline: Duration,
    trusted: Vec<IpNet>,
    status: http::StatusCode,
    body: String,
    peer: Arc<PeerLookup>,
}

/// Guards a service with verdicts. See the [module](self).
#[derive(Clone)]
pub struct GuardLayer {
    config: Config,
}

impl std::fmt::Debug for GuardLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardLayer")
            .field("refuse_at", &self.config.refuse_at)
            .field("deadline", &self.config.deadline)
            .field("trusted", &self.config.trusted)
            .field("status", &self.config.status)
            .finish_non_exhaustive()
    }
}

impl GuardLayer {
    /// A layer asking `client`, refusing `HIGH` risk, with a 300 ms deadline,
    /// no trusted proxies, and `403 Forbidden` as the refusal.
    pub fn new(client: Client) -> GuardLayer {
        GuardLayer {
            config: Config {
                client,
                refuse_at: Risk::High,
                deadline: Duration::from_millis(300),
                trusted: Vec::new(),
                status: http::StatusCode::FORBIDDEN,
                body: "refused".to_string(),
                peer: Arc::new(default_peer),
            },
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Config)) -> GuardLayer {
        change(&mut self.config);
        self
    }

    /// Refuses requests whose risk is `risk` or above.
    pub fn refuse_at(self, risk: Risk) -> GuardLayer {
        self.with(|c| c.refuse_at = risk)
    }

    /// How long a verdict may take.
    pub fn deadline(self, deadline: Duration) -> GuardLayer {
        self.with(|c| c.deadline = deadline)
    }

    /// The proxies (load balancers, CDNs) whose `X-Forwarded-For` and
    /// `Forwarded` headers are believed.
    pub fn trust_proxies(self, proxies: impl IntoIterator<Item = IpNet>) -> GuardLayer {
        self.with(|c| c.trusted.extend(proxies))
    }

    /// The status and body of a refusal.
    pub fn refusal(self, status: http::StatusCode, body: impl Into<String>) -> GuardLayer {
        let body = body.into();
        self.with(|c| {
            c.status = status;
            c.body = body;
        })
    }

    /// How the connection's peer address is found in a request's extensions,
    /// for servers that keep it under a type of their own.
    pub fn peer_from(
        self,
        lookup: impl Fn(&http::Extensions) -> Option<IpAddr> + Send + Sync + 'static,
    ) -> GuardLayer {
        self.with(|c| c.peer = Arc::new(lookup))
    }
}

fn default_peer(extensions: &http::Extensions) -> Option<IpAddr> {
    if let Some(peer) = extensions.get::<SocketAddr>() {
        return Some(peer.ip());
    }
    if let Some(PeerAddr(peer)) = extensions.get::<PeerAddr>() {
        return Some(peer.ip());
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::ConnectInfo(peer)) =
        extensions.get::<axum::extract::ConnectInfo<SocketAddr>>()
    {
        return Some(peer.ip());
    }
    None
}

impl<S> tower_layer::Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            config: Arc::new(self.config.clone()),
        }
    }
}

/// A service guarded by verdicts, made by [`GuardLayer`].
#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Guard<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, B, R> tower_service::Service<http::Request<B>> for Guard<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: Send + 'static,
    R: From<String>,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<http::Response<R>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone that was made ready is the one that serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move {
            let Some(address) = client_address(&config, &request) else {
                return inner.call(request).await;
            };
            let verdict: Verdict = config
                .client
                .verdict(address)
                .deadline(config.deadline)
                .await;
            if verdict.blocks_at(&config.refuse_at) {
                let mut refusal = http::Response::new(R::from(config.body.clone()));
                *refusal.status_mut() = config.status;
                return Ok(refusal);
            }
            request.extensions_mut().insert(verdict);
            inner.call(request).await
        })
    }
}

/// The client's address: the peer's, or, behind trusted proxies, the
/// right-most forwarded hop that is not one of them.
fn client_address<B>(config: &Config, request: &http::Request<B>) -> Option<IpAddr> {
    let peer = (config.peer)(request.extensions())?;
    let trusted = |ip: &IpAddr| config.trusted.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return Some(peer);
    }
    let mut hops = forwarded_hops(request.headers());
    // Right to left: each hop was written by the one after it.
    hops.reverse();
    let mut client = peer;
    for hop in hops {
        match hop {
            Some(ip) if trusted(&ip) => client = ip,
            Some(ip) => return Some(ip),
            // A hop that is not an address (`unknown`, a hidden name): nothing
            // left of it can be believed.
            None => return Some(client),
        }
    }
    Some(client)
}

/// The hops of `X-Forwarded-For`, or failing that of `Forwarded` (RFC 7239),
/// left to right, across every header line of the name.
fn forwarded_hops(headers: &http::HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<_> = headers.get_all("x-forwarded-for").iter().collect();
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("?").split(','))
            .map(|hop| parse_hop(hop.trim()))
            .collect();
    }
    headers
        .get_all(http::header::FORWARDED)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("for=?").split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                name.eq_ignore_ascii_case("for")
                    .then(|| parse_hop(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// An address as a hop writes it: bare, `[v6]`, with a port, or not an address.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    let bracketed = hop.strip_prefix('[')?;
    bracketed[..bracketed.find(']')?].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn hops_are_read_in_every_spelling() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            forwarded_hops(&headers(&[
                ("x-forwarded-for", "1.2.3.4, 10.0.0.1"),
                ("x-forwarded-for", "10.0.0.2")
            ])),
            vec![ip("1.2.3.4"), ip("10.0.0.1"), ip("10.0.0.2")]
        );
        assert_eq!(
            forwarded_hops(&headers(&[(
                "forwarded",
                r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711", for=unknown"#
            )])),
            vec![ip("192.0.2.60"), ip("2001:db8:cafe::17"), None]
        );
    }
}
