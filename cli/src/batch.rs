//! TEMPORARY bulk assessment, until the library's `Client::assess_many` is
//! merged (it is being built in parallel).
//!
//! TODO(assess_many): replace `assess_in_batches` (and this file) with
//! `Client::assess_many`, mapping each of its per-address outcomes to
//! `Outcome` and handing it to the same `record` callback; assess_many also
//! adds bounded concurrency, retries through the quota guard, and duplicates
//! answered once across the whole input. The caller in src/bulk.rs (reading,
//! bad lines, progress, output, exit codes) stays as it is.

use crate::bulk::Outcome;
use crate::exit::Failure;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use threatjammer::Client;

/// The most addresses the service accepts in one assessment request.
const BATCH: usize = 500;
/// Input lines held at most while a batch fills, so a file of one address
/// repeated a million times does not sit in memory.
const WINDOW: usize = 5_000;

/// Assesses `(line, address)` pairs in requests of up to 500 distinct public
/// addresses, and calls `record` once for every pair, in input order. It stops
/// at the first error `record` returns. Returns the number of requests sent.
///
/// Duplicates are sent once per request and answered for every occurrence;
/// addresses that are not public are answered locally, without a request.
/// Answers are matched to addresses by their `self` link, never by position.
/// A failed request fails every address of its batch with the same error.
pub async fn assess_in_batches(
    client: &Client,
    mut inputs: impl Iterator<Item = (usize, IpAddr)>,
    mut record: impl FnMut(usize, IpAddr, Outcome) -> Result<(), Failure>,
) -> Result<usize, Failure> {
    let mut requests = 0;
    loop {
        let mut window = Vec::new();
        let mut batch = Vec::new();
        let mut distinct = HashSet::new();
        while batch.len() < BATCH && window.len() < WINDOW {
            let Some((line, address)) = inputs.next() else {
                break;
            };
            if is_public(address) && distinct.insert(address) {
                batch.push(address.to_string());
            }
            window.push((line, address));
        }
        if window.is_empty() {
            return Ok(requests);
        }
        let answers = if batch.is_empty() {
            Ok(HashMap::new())
        } else {
            requests += 1;
            client.assess_ips(&batch).await.map(|answer| {
                answer
                    .results
                    .into_iter()
                    .filter_map(|a| Some((address_of(a.self_.as_deref()?)?, a)))
                    .collect::<HashMap<IpAddr, _>>()
            })
        };
        let answers = answers.map_err(Arc::new);
        for (line, address) in window {
            let outcome = match &answers {
                _ if !is_public(address) => Outcome::NotPublic,
                Ok(found) => match found.get(&address) {
                    Some(assessment) => Outcome::Assessed(Box::new(assessment.clone())),
                    // The service skips, rather than refuses, the addresses it
                    // does not consider public.
                    None => Outcome::NotPublic,
                },
                Err(error) => Outcome::Failed(error.clone()),
            };
            record(line, address, outcome)?;
        }
    }
}

/// The address an assessment's `self` link (`/v1/assess/ip/2001:db8::1`) is about.
fn address_of(link: &str) -> Option<IpAddr> {
    let last = link.rsplit('/').next()?;
    last.replace("%3A", ":").replace("%3a", ":").parse().ok()
}

/// Whether the service can assess an address: not private, loopback,
/// link-local, documentation, shared, benchmarking, reserved or multicast.
/// (`IpAddr::is_global` would say it, but is not stable.)
fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || (a == 192 && b == 0 && c == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_not() {
        for public in ["212.231.12.22", "8.8.8.8", "2a00:1450:4001:80b::200e"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for local in [
            "10.1.2.3",
            "192.168.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "224.0.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(local.parse().unwrap()), "{local}");
        }
    }

    #[test]
    fn self_links() {
        assert_eq!(
            address_of("/v1/assess/ip/212.231.12.22"),
            Some("212.231.12.22".parse().unwrap())
        );
        assert_eq!(
            address_of("/v1/assess/ip/2001%3Adb8%3A%3A1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(address_of("/v1/assess/ip/junk"), None);
    }
}
