//! The client against a server that tries to turn its data against it: links
//! that would send the key to another endpoint, and bodies that echo the key
//! back in every field an error keeps.
//!
//! Each case here reproduced against the crate before the one path codec and
//! redaction by value; each is a regression test now.

#[path = "support/loopback.rs"]
mod loopback;

use loopback::Loopback;
use serde_json::json;
use threatjammer::{ApiKey, Client, Error};

fn public_key() -> ApiKey {
    ApiKey::new("tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123").unwrap()
}

/// Case 1: a user agent (chosen by whoever sent it) echoed into a `self`
/// link, whose segment decodes to backslashes. Followed, it must ask for the
/// lookup the link names, never for `GET /v1/token`.
#[tokio::test]
async fn a_link_with_backslashes_is_followed_to_the_lookup_it_names() {
    let (server, seen) = Loopback::recording(200, &json!({})).await;
    let tj = server.client_sending_once(public_key());
    let links = [
        "/v1/ua/..%5C..%5Cv1%5Ctoken",
        "/v1/datacenter/..%5Ctoken",
        "/v1/asn/registry/..%5C..%5Ctoken",
    ];
    for link in links {
        // The answer ({}) does not decode as any of them; where it was asked for is what matters.
        let _ = tj.follow(link).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        links.map(|l| format!("GET {l}")),
        "each link is requested exactly as it names its resource"
    );
}

/// The same attack with dots alone: no encoding keeps `..` in its segment,
/// so such links and arguments are refused and nothing is sent.
#[tokio::test]
async fn dot_segments_are_refused_before_anything_is_sent() {
    let (server, seen) = Loopback::recording(200, &json!({})).await;
    let tj = server.client_sending_once(public_key());
    for link in ["/v1/ua/..", "/v1/ua/%2e%2e", "/v1/datacenter/./prefixes"] {
        let error = tj.follow(link).await.unwrap_err();
        assert!(matches!(error, Error::Link { .. }), "{link}: {error:?}");
    }
    // A link made by hand rather than parsed is checked as well.
    let made = threatjammer::Link::UserAgent("..".into());
    assert!(matches!(tj.follow(&made).await, Err(Error::Link { .. })));
    for argument in ["..", ".", ""] {
        let error = tj.parse_user_agent(argument).await.unwrap_err();
        assert!(
            matches!(&error, Error::Argument { name, .. } if name == "path"),
            "{argument:?}: {error:?}"
        );
        let error = tj.list_datacenter_prefixes(argument).await.unwrap_err();
        assert!(
            matches!(error, Error::Argument { .. }),
            "{argument:?}: {error:?}"
        );
    }
    assert_eq!(*seen.lock().unwrap(), Vec::<String>::new());
}

/// Case 2: a private deployment's key, not `tja_`-shaped, echoed into a
/// `401` problem with its bearer form.
#[tokio::test]
async fn a_key_of_any_shape_echoed_into_a_problem_is_masked() {
    let key = "PrivDeploy-Key.0042/x";
    let (server, _) = Loopback::recording(401, &json!({"title": format!("Bearer {key}"), "detail": format!("bad token Bearer {key}"), "type:": key})).await;
    let error = server
        .client_sending_once(ApiKey::unchecked(key))
        .get_asn(1)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    for text in [format!("{error}"), format!("{error:?}")] {
        assert!(!text.contains(key), "the key leaked: {text}");
        assert!(text.contains("bad token Bearer <redacted>"), "{text}");
    }
}

/// Case 3: FastAPI's validation error naming the header and, as newer
/// versions do, echoing the offending `input`.
#[tokio::test]
async fn a_key_echoed_into_a_validation_location_is_masked() {
    let key = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";
    let (server, _) = Loopback::recording(
        422,
        &json!({"detail": [{"loc": ["header", format!("Bearer {key}"), 3], "msg": "field required",
            "type": key, "input": format!("Bearer {key}")}]}),
    )
    .await;
    let error = server
        .client_sending_once(public_key())
        .get_asn(1)
        .await
        .unwrap_err();
    let Error::Validation(failures) = &error else {
        panic!("not a validation error: {error:?}")
    };
    assert_eq!(failures.len(), 1);
    for text in [format!("{error}"), format!("{error:?}")] {
        assert!(!text.contains(key), "the key leaked: {text}");
        assert!(!text.contains("AAAAbbbb"), "part of the key leaked: {text}");
    }
}

/// `body` in chunks of at most 64 KiB, with no declared length: the client
/// must count what it reads itself.
fn chunked(status_line: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status_line}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[tokio::test]
async fn an_answer_longer_than_the_limit_is_not_read_whole() {
    const LIMIT: u64 = 256 * 1024;
    let limited = |server: &Loopback| {
        Client::builder()
            .base_url(server.uri())
            .api_key(public_key())
            .max_response_bytes(LIMIT)
            .build()
            .unwrap()
    };
    let long_json = {
        let mut body = vec![b' '; 4 * LIMIT as usize];
        body.extend_from_slice(b"{}");
        body
    };
    let declared = loopback::response(200, &[("content-type", "application/json")], &long_json);
    for reply in [chunked("200 OK", &long_json), declared] {
        let server = Loopback::fixed(reply).await;
        let error = limited(&server).get_asn(1).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: LIMIT }),
            "{error:?}"
        );
        assert!(!error.is_retryable());
    }
    // Under the limit a body without a declared length is read (one with a
    // length is what every other test here serves).
    let small = chunked(
        "404 Not Found",
        br#"{"title": "Not Found", "detail": "no such AS"}"#,
    );
    let server = Loopback::fixed(small).await;
    assert!(matches!(
        limited(&server).get_asn(1).await,
        Err(Error::NotFound(_))
    ));
}
