//! Answers derived from the input alone, so that the mock can answer any
//! address or user agent, the same way every time, in the service's shape.
//! The values are illustrative, not real intelligence about anyone.

use serde_json::{json, Value};
use std::net::IpAddr;
use threatjammer::Link;

/// FNV-1a: stable across Rust versions and platforms, unlike std's hashers.
fn hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // FNV's low bits vary little between similar inputs; fold the high ones in.
    h ^ (h >> 29)
}

/// The network an address belongs to, in the link style of the documented
/// answers (`/` written as `%252F`).
fn prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            format!("{a}.{b}.0.0%252F16")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}::%252F32", s[0], s[1])
        }
    }
}

const DATACENTERS: &[&str] = &[
    "AMAZON",
    "GOOGLE",
    "MICROSOFT",
    "DIGITALOCEAN",
    "OVH",
    "HETZNER",
];

/// An assessment of `ip`: seven in ten addresses are clean (score 0), two
/// medium, one high, and one in five sits in a datacenter.
pub(super) fn assessment(ip: IpAddr) -> Value {
    let h = hash(&ip.to_string());
    let band = h % 100;
    let (score, risk) = match band {
        0..=69 => (0, "LOW"),
        70..=89 => (50 + (h >> 8) % 30, "MEDIUM"),
        _ => (80 + (h >> 8) % 20, "HIGH"),
    };
    let log = |salt: u64| format!("/v1/log/ip/id/{}", 1_000_000 + (h >> salt) % 9_000_000);
    let (datasets, sources, first, last, reason) = match risk {
        "LOW" => (
            vec![],
            vec![],
            vec![],
            vec![],
            "Not found in any denylist dataset.",
        ),
        "MEDIUM" => (
            vec!["/v1/dataset/ip/FORUM_ACCOUNT_ABUSE".to_string()],
            vec!["/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D".to_string()],
            vec![log(12)],
            vec![log(20)],
            "Found in one or more denylist datasets.",
        ),
        _ => (
            vec![
                "/v1/dataset/ip/ABUSE".to_string(),
                "/v1/dataset/ip/FORUM_ACCOUNT_ABUSE".to_string(),
            ],
            vec!["/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D".to_string()],
            vec![log(12)],
            vec![log(20)],
            "Found in one or more denylist datasets.",
        ),
    };
    let mut body = json!({
        "self": format!("/v1/assess/ip/{ip}"),
        "score": score,
        "risk": risk,
        "datasets": datasets,
        "sources": sources,
        "first_appearance": first,
        "last_appearance": last,
        "asn": format!("/v1/asn/{}", 1_000 + (h >> 16) % 64_000),
        "asn_prefix": format!("/v1/asn/prefix/{}", prefix(ip)),
        "reason": reason,
        "reported": "",
        "denylisted": "",
        "allowlisted": "",
        "datacenter": "",
    });
    if (h >> 24).is_multiple_of(5) {
        let name = DATACENTERS[((h >> 32) % DATACENTERS.len() as u64) as usize];
        body["datacenter"] = json!(format!("/v1/datacenter/{name}"));
        body["datacenter_prefix"] = json!(format!("/v1/datacenter/prefix/{}", prefix(ip)));
    }
    body
}

/// city, city geoname, region, region geoname, country, continent, time zone, latitude, longitude, postal code
type Place = (
    &'static str,
    i64,
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
);

const PLACES: &[Place] = &[
    (
        "Dublin",
        2964574,
        "Leinster",
        7521314,
        "IE",
        "EU",
        "Europe/Dublin",
        53.3331,
        -6.2489,
        "D02",
    ),
    (
        "Madrid",
        3117735,
        "Madrid",
        3117732,
        "ES",
        "EU",
        "Europe/Madrid",
        40.4165,
        -3.7026,
        "28001",
    ),
    (
        "Frankfurt am Main",
        2925533,
        "Hesse",
        2905330,
        "DE",
        "EU",
        "Europe/Berlin",
        50.1155,
        8.6842,
        "60311",
    ),
    (
        "New York",
        5128581,
        "New York",
        5128638,
        "US",
        "NA",
        "America/New_York",
        40.7143,
        -74.006,
        "10001",
    ),
    (
        "São Paulo",
        3448439,
        "São Paulo",
        3448433,
        "BR",
        "SA",
        "America/Sao_Paulo",
        -23.5475,
        -46.6361,
        "01000-000",
    ),
    (
        "Tokyo",
        1850147,
        "Tokyo",
        1850144,
        "JP",
        "AS",
        "Asia/Tokyo",
        35.6895,
        139.6917,
        "100-0001",
    ),
    (
        "Sydney",
        2147714,
        "New South Wales",
        2155400,
        "AU",
        "OC",
        "Australia/Sydney",
        -33.8679,
        151.2073,
        "2000",
    ),
    (
        "Johannesburg",
        993800,
        "Gauteng",
        1085594,
        "ZA",
        "AF",
        "Africa/Johannesburg",
        -26.2023,
        28.0436,
        "2001",
    ),
];

/// A location for `ip`, one of a few world cities, with a small jitter.
pub(super) fn location(ip: IpAddr) -> Value {
    let h = hash(&format!("geo {ip}"));
    let (city, city_code, region, region_code, country, continent, zone, lat, lon, postal) =
        PLACES[(h % PLACES.len() as u64) as usize];
    let jitter = |salt: u64| ((h >> salt) % 1000) as f64 / 10_000.0 - 0.05;
    json!({
        "self": format!("/v1/geo/{ip}"),
        "accuracy_radius": 5 + (h >> 8) % 200,
        "asn_country_iso_code": country,
        "city_geoname_code": city_code,
        "city_name": city,
        "continent_code": continent,
        "country_iso_code": country,
        "hostnames": [],
        "latitude": lat + jitter(16),
        "longitude": lon + jitter(32),
        "postal_code": postal,
        "region_geoname_code": region_code,
        "region_name": region,
        "time_zone": zone,
    })
}

/// product token, family and vendor codes, agent name, engine
const PRODUCTS: &[(&str, &str, &str, &str, &str)] = &[
    ("Edg/", "EDGE", "MICROSOFT", "Edge", "WebKit/Blink"),
    ("Firefox/", "FIREFOX", "MOZILLA", "Firefox", "Gecko"),
    ("Chrome/", "CHROME", "GOOGLEINC", "Chrome", "WebKit/Blink"),
    ("Safari/", "SAFARI", "APPLE", "Safari", "WebKit"),
    ("curl/", "CURL", "CURL", "curl", ""),
];

/// A rough reading of a user agent string: crawler or client, the product
/// and version it names, its operating system and device.
pub(super) fn user_agent(agent: &str) -> Value {
    let lower = agent.to_ascii_lowercase();
    let crawler = ["bot", "crawler", "spider", "slurp"]
        .iter()
        .any(|word| lower.contains(word));
    let product = PRODUCTS.iter().find_map(|p| {
        let start = agent.find(p.0)? + p.0.len();
        let version: String = agent[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        Some((p, version))
    });
    let (family, vendor, name, engine, version) = match &product {
        Some(((_, family, vendor, name, engine), version)) => (
            *family,
            *vendor,
            format!("{name} {version}"),
            *engine,
            version.clone(),
        ),
        None => {
            let first = agent.split_whitespace().next().unwrap_or("");
            ("UNKNOWN", "UNKNOWN", first.to_string(), "", String::new())
        }
    };
    let major = version.split('.').next().unwrap_or("").to_string();
    let latest = major
        .parse::<u64>()
        .map_or_else(|_| major.clone(), |m| (m + 1).to_string());
    let os = [
        ("Windows NT 10.0", "WINDOWS10"),
        ("Android", "ANDROID"),
        ("iPhone", "IOS"),
        ("Mac OS X", "MACOSX"),
        ("Linux", "LINUX"),
    ]
    .iter()
    .find(|(token, _)| agent.contains(token))
    .map_or("UNKNOWN", |(_, code)| *code);
    let mobile = ["Mobile", "Android", "iPhone"]
        .iter()
        .any(|t| agent.contains(t));
    let (classification, kind, device, frequent) = if agent.trim().is_empty() {
        ("UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN")
    } else if crawler {
        ("CRAWLER", "CRAWLER", "UNKNOWN", "RARE")
    } else if family == "CURL" {
        ("CLIENT", "LIBRARY", "UNKNOWN", "COMMON")
    } else if product.is_some() {
        let device = if mobile { "MOBILE" } else { "DESKTOP" };
        ("CLIENT", "BROWSER", device, "COMMON")
    } else {
        ("UNKNOWN", "UNKNOWN", "UNKNOWN", "VERY_RARE")
    };
    json!({
        // The link's own spelling, which is the service's.
        "self": Link::UserAgent(agent.to_string()).to_string(),
        "string": agent,
        "classification": classification,
        "type": format!("/v1/ua/type/{kind}"),
        "agent": name,
        "engine": engine,
        "version": major,
        "latest": latest,
        "family": format!("/v1/ua/family/{family}"),
        "vendor": format!("/v1/ua/vendor/{vendor}"),
        "os": format!("/v1/ua/os/{os}"),
        "device": format!("/v1/ua/device/{device}"),
        "frequent": frequent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatjammer::types;

    #[test]
    fn derived_answers_decode_and_repeat() {
        for text in ["8.8.8.8", "212.231.12.23", "2a00:1450:4001:82a::200e"] {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(assessment(ip), assessment(ip));
            let a: types::IpAssessmentOutput = serde_json::from_value(assessment(ip)).unwrap();
            assert_eq!(a.self_, Some(Link::Assessment(ip)));
            let g: types::GeoIpOutput = serde_json::from_value(location(ip)).unwrap();
            assert_eq!(g.self_, Some(Link::Geo(ip)));
        }
    }

    #[test]
    fn risk_bands_are_all_used() {
        let risks: std::collections::BTreeSet<String> = (0..300u32)
            .map(|i| assessment(IpAddr::from([11, 0, (i >> 8) as u8, i as u8]))["risk"].to_string())
            .collect();
        assert_eq!(risks.len(), 3, "{risks:?}");
    }

    #[test]
    fn the_documented_user_agent_reads_like_the_service() {
        let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0.4896.127 Safari/537.36";
        let answer = user_agent(agent);
        let ua: types::UaOutput = serde_json::from_value(answer.clone()).unwrap();
        assert_eq!(ua.self_, Some(Link::UserAgent(agent.into())));
        assert_eq!(serde_json::to_value(&ua).unwrap(), answer);
        assert_eq!(answer["self"], json!("/v1/ua/Mozilla%2F5.0%20%28Windows%20NT%2010.0%3B%20Win64%3B%20x64%29%20AppleWebKit%2F537.36%20%28KHTML%2C%20like%20Gecko%29%20Chrome%2F100.0.4896.127%20Safari%2F537.36"));
        assert_eq!(ua.agent, "Chrome 100.0.4896.127");
        assert_eq!(ua.version, "100");
        assert_eq!(ua.latest, "101");
        assert_eq!(ua.family, Some(Link::UaFamily("CHROME".into())));
        assert_eq!(ua.os, Some(Link::UaOs("WINDOWS10".into())));
        assert_eq!(ua.device, Some(Link::UaDevice("DESKTOP".into())));
        assert_eq!(ua.classification, types::UaOutputClassification::Client);
        let bot: types::UaOutput = serde_json::from_value(user_agent(
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
        ))
        .unwrap();
        assert_eq!(bot.classification, types::UaOutputClassification::Crawler);
    }
}
