//! Which addresses are worth asking the service about.
//!
//! The service only assesses public addresses: it refuses a single private one
//! with `400` and silently leaves private ones out of a batch. Answering them
//! locally saves quota and batch slots. `std`'s `is_global` would do, but it is
//! unstable; this follows the IANA special-purpose address registries, as it
//! does, with two deliberate differences noted below.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether the service can assess `ip`: a globally reachable unicast address.
///
/// Not public, and so answered locally by the bulk methods without spending
/// quota: "this network" (`0.0.0.0/8`), private (`10/8`, `172.16/12`,
/// `192.168/16`), shared/CGNAT (`100.64/10`), loopback, link-local, IETF
/// protocol assignments (`192.0.0/24`, `2001::/23`, except the anycast and
/// other blocks the registry marks globally reachable), documentation
/// (`192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`,
/// `3fff::/20`), benchmarking (`198.18/15`), multicast, reserved (`240/4`),
/// broadcast, unspecified, unique local (`fc00::/7`), 6to4 (`2002::/16`), and
/// every IPv6 address outside `2000::/3`, the only block allocated for global
/// unicast.
///
/// IPv4-mapped IPv6 addresses (`::ffff:8.8.8.8`, common in dual-stack server
/// logs) are judged as the IPv4 address they carry, and so are NAT64
/// addresses (`64:ff9b::/96`).
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4_is_public(v4),
        IpAddr::V6(v6) => v6_is_public(v6),
    }
}

fn v4_is_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, d] = ip.octets();
    let special = a == 0
        || a == 10
        || (a == 100 && (b & 0xc0) == 64)
        || a == 127
        || (a == 169 && b == 254)
        || (a == 172 && (b & 0xf0) == 16)
        // 192.0.0.9 and .10 are the PCP and TURN anycast addresses, globally reachable.
        || (a == 192 && b == 0 && c == 0 && d != 9 && d != 10)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 168)
        || (a == 198 && (b & 0xfe) == 18)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        // Multicast, reserved and broadcast. std's is_global keeps some multicast
        // as global; no client connects from a multicast address, so none is assessed.
        || a >= 224;
    !special
}

fn v6_is_public(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) stands for the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = ip.octets();
        return v4_is_public(Ipv4Addr::new(a, b, c, d));
    }
    // Stricter than std, which calls unallocated space global: outside 2000::/3
    // there is no global unicast, only the special blocks and IETF reserve.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    let ietf_assignments = s[0] == 0x2001 && s[1] < 0x200;
    let globally_reachable_assignment = ip == Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 1)
        || ip == Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 2)
        || (s[0] == 0x2001 && s[1] == 3)
        || (s[0] == 0x2001 && s[1] == 4 && s[2] == 0x112)
        || (s[0] == 0x2001 && (0x20..=0x3f).contains(&s[1]));
    let documentation = (s[0] == 0x2001 && s[1] == 0xdb8) || (s[0] == 0x3fff && s[1] < 0x1000);
    let six_to_four = s[0] == 0x2002;
    !((ietf_assignments && !globally_reachable_assignment) || documentation || six_to_four)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn public_addresses() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "212.231.12.22",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.0.9",
            "192.0.0.10",
            "192.0.3.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82a::200e",
            "2001:1::1",
            "2001:3::1",
            "2001:4:112::1",
            "2001:20::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn addresses_that_are_not_public() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::1.2.3.4",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "2002:c000:204::1",
            "3fff::1",
            "4000::1",
            "5f00::1",
        ] {
            assert!(!public(ip), "{ip} is not public");
        }
    }
}
