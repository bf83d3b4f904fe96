//! Proxies from the environment never see the key in clear.
//!
//! reqwest reads `HTTP_PROXY`, `http_proxy`, `HTTPS_PROXY` and `ALL_PROXY`,
//! loopback included. A plain-http request through such a proxy would hand it
//! the `Authorization` header, so the client sends plain http straight to its
//! base URL; an https request may use the proxy, but only as a tunnel
//! (`CONNECT`), which carries nothing but the host and port in clear.
//!
//! Alone in its test binary: it sets the process's environment, which every
//! other client built at the same time would read.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use threatjammer::{ApiKey, Client, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_PPPPrrrrOOOOxxxxYYYYpppprrrroooo0123";

/// A proxy on loopback that keeps what each connection sent it and answers
/// `502`, so that a request through it fails quickly.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                if let Ok(Ok(n)) =
                    tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await
                {
                    kept.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = stream
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn proxies_in_the_environment_never_receive_the_key() {
    let (proxy, seen) = recording_proxy().await;
    for variable in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(variable, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    // Plain http on loopback (a mock, a sidecar): straight to the base URL.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/token"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({"title": "x"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let answer = client.get_token().await;
    assert!(
        matches!(answer, Err(threatjammer::Error::NotFound(_))),
        "the request reached the base URL: {answer:?}"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "a plain-http request went to the proxy: {:?}",
        String::from_utf8_lossy(&seen.lock().unwrap())
    );

    // https: the proxy may carry it, as a tunnel only. Nothing listens behind
    // it, so the call fails; what matters is what the proxy was told.
    let client = Client::builder()
        .base_url("https://127.0.0.1:9/")
        .api_key(ApiKey::new(KEY).unwrap())
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(client.get_token().await.is_err());
    let told = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    assert!(told.starts_with("CONNECT 127.0.0.1:9 "), "{told}");
    assert!(!told.contains(KEY) && !told.contains("Bearer"), "{told}");
}
