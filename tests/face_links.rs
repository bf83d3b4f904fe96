//! Following the links responses hold: each kind reaches the operation that
//! serves it and decodes as that operation's answer.

use serde_json::{json, Value};
use threatjammer::{types, ApiKey, Client, Error, Link, Resource};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";
const LIST: &str = "0b5e3f0c-3c8e-4f7e-9b1a-2f7d6c1e4a90";

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), ApiKey::new(KEY).unwrap()).unwrap()
}

fn documented(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("tests/fixtures/documented/{name}")).unwrap();
    let exchange: Value = serde_json::from_str(&text).unwrap();
    exchange["response"]["body"].clone()
}

/// One link, the request following it must make, and the answer it gets.
struct Case {
    link: String,
    verb: &'static str,
    at: String,
    sent: Option<Value>,
    answer: Value,
    kind: &'static str,
}

fn get(link: &str, answer: Value, kind: &'static str) -> Case {
    Case {
        link: link.to_string(),
        verb: "GET",
        at: link.to_string(),
        sent: None,
        answer,
        kind,
    }
}

fn cases() -> Vec<Case> {
    let ua = documented("ua-chrome-windows.json")["results"][0].clone();
    let list = json!({"self": "/", "name": "n", "description": "", "resource_type": "CIDR",
        "list_type": "ALLOW", "tags": [], "created_at": 1, "updated_at": 1});
    let mut private_list = list.clone();
    private_list["content"] = json!("/content");
    let prefixes = json!({"self": "/", "prefixes_v4": [], "prefixes_v6": []});
    let dc_prefix = json!({"datacenter": "/v1/datacenter/MICROSOFT_CORPORATION", "score": 10});
    let log = json!({"risk": "LOW", "dataset": "/v1/dataset/ip/ABUSE", "source": "/v1/source/ip/X",
        "lapse": "7D", "action": "ADD", "timestamp": 1, "debug": null});
    vec![
        get("/v1/asn/15169", documented("asn-15169.json"), "Asn"),
        get("/v1/asn/15169/prefixes", prefixes.clone(), "AsnPrefixes"),
        Case {
            link: "/v1/asn/prefix/212.231.0.0%252F16".into(),
            verb: "POST",
            at: "/v1/asn/prefix".into(),
            sent: Some(json!({"prefix": "212.231.0.0/16"})),
            answer: documented("asn-prefix-2.58.149.174.json"),
            kind: "AsnPrefix",
        },
        get(
            "/v1/asn/ip/8.8.8.8",
            documented("asn-prefix-2.58.149.174.json"),
            "AsnPrefix",
        ),
        get(
            "/v1/asn/registry/arin",
            json!({"code": "arin", "name": "ARIN", "self": "/v1/asn/registry/arin"}),
            "Registry",
        ),
        get(
            "/v1/asn/status/assigned",
            json!({"code": "assigned", "name": "Assigned", "self": "/v1/asn/status/assigned"}),
            "RegistryStatus",
        ),
        get(
            "/v1/assess/ip/212.231.12.22",
            documented("assess-ip-212.231.12.22.json"),
            "Assessment",
        ),
        get(
            "/v1/datacenter/MICROSOFT_CORPORATION",
            json!({"self": "/v1/datacenter/MICROSOFT_CORPORATION", "name": "Microsoft",
                "source": "", "asn": "/v1/asn/8075",
                "prefixes": "/v1/datacenter/MICROSOFT_CORPORATION/prefixes"}),
            "Datacenter",
        ),
        get(
            "/v1/datacenter/MICROSOFT_CORPORATION/prefixes",
            prefixes,
            "DatacenterPrefixes",
        ),
        Case {
            link: "/v1/datacenter/prefix/2001:db8::%252F32".into(),
            verb: "POST",
            at: "/v1/datacenter/prefix".into(),
            sent: Some(json!({"prefix": "2001:db8::/32"})),
            answer: dc_prefix.clone(),
            kind: "DatacenterPrefix",
        },
        get("/v1/datacenter/ip/20.33.1.1", dc_prefix, "DatacenterPrefix"),
        get(
            "/v1/dataset/ip/FORUM_ACCOUNT_ABUSE",
            json!({"self": "/", "type": "ip", "name": "FORUM_ACCOUNT_ABUSE", "description": "",
                "status": "ENABLED", "items": 12}),
            "Dataset",
        ),
        get(
            "/v1/source/ip/STOPFORUMSPAM_TOXIC",
            json!({"self": "/", "dataset": "/v1/dataset/ip/FORUM_ACCOUNT_ABUSE", "name": "n",
                "description": "", "source": "", "url": "", "refresh": "1D", "minimum_score": 1,
                "maximum_score": 9, "minimum_risk": "LOW", "maximum_risk": "HIGH",
                "time_ranges": [], "updated_at": 1, "subscriptions": []}),
            "Source",
        ),
        get(
            "/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D",
            json!({"self": "/", "source": "/", "lapse": "7D", "items": 3, "score": 70,
                "risk": "MEDIUM", "updated_at": 1}),
            "SourceRange",
        ),
        get("/v1/log/ip/id/3394366", log.clone(), "LogChange"),
        get(
            "/v1/log/ip/212.231.12.22",
            json!({"logs": [log], "debug": null}),
            "IpLog",
        ),
        get(
            "/v1/geo/8.8.8.8",
            json!({"hostnames": [], "latitude": 37.7, "longitude": -122.4, "time_zone": "",
                "accuracy_radius": 1000.0, "postal_code": "", "city_name": "", "city_geoname_code": 0,
                "region_name": "", "region_geoname_code": 0, "country_iso_code": "US",
                "asn_country_iso_code": "US", "continent_code": "NA"}),
            "Geo",
        ),
        get(
            "/v1/denylist/reported/ip/193.122.61.187",
            documented("denylist-reported-ip.json")["addresses"][0].clone(),
            "ReportedIp",
        ),
        Case {
            link: "/v1/ua/Mozilla%2F5.0%20(X11%3B%20Linux)".into(),
            verb: "GET",
            // Sent as the service writes its links (`Link`'s `Display`): all
            // but letters, digits, `-._~` and `:` escaped.
            at: "/v1/ua/Mozilla%2F5.0%20%28X11%3B%20Linux%29".into(),
            sent: None,
            answer: ua,
            kind: "UserAgent",
        },
        get(
            "/v1/ua/family/CHROME",
            json!({"code": "CHROME", "description": "Chrome"}),
            "UaFamily",
        ),
        get(
            "/v1/ua/os/WINDOWS10",
            json!({"code": "WINDOWS10", "description": "", "family": "", "vendor": ""}),
            "UaOs",
        ),
        get(
            "/v1/ua/type/BROWSER",
            json!({"code": "BROWSER", "description": "", "type": "INTERACTIVE"}),
            "UaType",
        ),
        get(
            "/v1/ua/vendor/GOOGLEINC",
            json!({"code": "GOOGLEINC", "description": ""}),
            "UaVendor",
        ),
        get(
            "/v1/ua/device/DESKTOP",
            json!({"code": "DESKTOP", "description": ""}),
            "UaDevice",
        ),
        get(
            &format!("/v1/allowlist/private/{LIST}"),
            private_list.clone(),
            "PrivateList",
        ),
        get(
            &format!("/v1/denylist/private/{LIST}"),
            private_list,
            "PrivateList",
        ),
        get(
            &format!("/v1/allowlist/private/{LIST}/content"),
            json!({"self": "/", "datacenters": ["MICROSOFT_CORPORATION"]}),
            "ListContent",
        ),
        get(
            &format!("/v1/denylist/private/{LIST}/content"),
            json!({"self": "/", "asns": [15169]}),
            "ListContent",
        ),
        get(
            &format!("/v1/allowlist/public/{LIST}"),
            list.clone(),
            "PublicList",
        ),
        get(&format!("/v1/denylist/public/{LIST}"), list, "PublicList"),
        get(
            "/v1/origin/status/detail/block",
            json!({"self": "/", "status": "block", "description": "", "cardinality": 2}),
            "OriginStatus",
        ),
        Case {
            link: format!("/v1/token/{KEY}"),
            verb: "GET",
            at: "/v1/token".into(),
            sent: None,
            answer: documented("token.json"),
            kind: "Token",
        },
    ]
}

#[tokio::test]
async fn every_link_kind_is_followed_to_its_operation() {
    let server = MockServer::start().await;
    let cases = cases();
    for case in &cases {
        let mut mock = Mock::given(method(case.verb)).and(path(case.at.as_str()));
        if let Some(sent) = &case.sent {
            mock = mock.and(body_json(sent));
        }
        mock.respond_with(ResponseTemplate::new(200).set_body_json(&case.answer))
            .expect(1)
            .named(case.link.as_str())
            .mount(&server)
            .await;
    }
    let tj = client(&server);
    for case in &cases {
        let link = Link::parse(&case.link).unwrap();
        assert_eq!(link.resource_kind(), Some(case.kind), "{}", case.link);
        let resource = tj
            .follow(&case.link)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.link))
            .unwrap();
        assert_eq!(resource.kind(), case.kind, "{}", case.link);
    }
    server.verify().await;
}

#[tokio::test]
async fn the_documented_assessment_links_lead_on() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/assess/ip/212.231.12.22"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(documented("assess-ip-212.231.12.22.json")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/15704"))
        .respond_with(ResponseTemplate::new(200).set_body_json(documented("asn-15169.json")))
        .expect(1)
        .mount(&server)
        .await;
    let tj = client(&server);
    let a = tj
        .assess_ip("212.231.12.22".parse().unwrap())
        .await
        .unwrap();

    let asn: Option<types::AutonomousSystemOutput> = tj.follow_as(&a.asn).await.unwrap();
    assert_eq!(asn.unwrap().name, "GOOGLE");

    // "No datacenter" is an empty link: nothing to follow, and nothing sent.
    assert!(tj.follow(&a.datacenter).await.unwrap().is_none());
    assert!(tj
        .follow_as::<types::DatacenterOutput>(&a.datacenter)
        .await
        .unwrap()
        .is_none());

    // The documented prefix has five octets: an unknown link, refused before sending.
    let five_octets = "/v1/asn/prefix/212.231.0.0.0%252F16";
    assert_eq!(a.asn_prefix, Some(Link::Unknown(five_octets.into())));
    let err = tj.follow(&a.asn_prefix).await.unwrap_err();
    assert!(
        matches!(&err, Error::Link { link, .. } if link == five_octets),
        "{err:?}"
    );

    // Asking for the wrong kind is refused before sending too.
    let err = tj
        .follow_as::<types::DatacenterOutput>(&a.asn)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot follow the link /v1/asn/15704: it points to Asn, not Datacenter"
    );
    server.verify().await;
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn following_reports_the_errors_of_the_operation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/asn/1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"title": "Not Found"})))
        .mount(&server)
        .await;
    let err = client(&server).follow("/v1/asn/1").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let resource = Resource::Asn(serde_json::from_value(documented("asn-15169.json")).unwrap());
    assert_eq!(resource.kind(), "Asn");
}
