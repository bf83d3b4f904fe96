//! `--record DIR`: a loopback proxy between the client and the server given
//! by `--base-url`, which writes each exchange as a fixture in the project's
//! format (README, "Adding a fixture"), so a run against a live deployment
//! becomes evidence `cargo xtask conformance --fixtures DIR` replays offline.
//! The request's headers are not kept, and the key is replaced by the
//! runner's dummy key wherever it appears (a link, a path).

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};

pub struct Recorder {
    url: String,
    exchanges: Arc<Mutex<Vec<Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts the proxy on an ephemeral loopback port, forwarding to `upstream`.
    pub async fn start(upstream: &str, source: String) -> Result<Recorder> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let forward = Arc::new(Forward {
            http: reqwest::Client::new(),
            upstream: upstream.trim_end_matches('/').to_string(),
            source,
            exchanges: exchanges.clone(),
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let forward = forward.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let forward = forward.clone();
                        async move { forward.exchange(request).await }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        Ok(Recorder {
            url,
            exchanges,
            task,
        })
    }

    /// The URL to give the client instead of the server's.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many exchanges have been recorded so far.
    pub fn len(&self) -> usize {
        self.exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Records what the client made of the exchange at `index` (the last of a
    /// call), where a fixture must say it: a status other than 2xx, or a
    /// success the client could not decode.
    pub fn expect(&self, index: usize, outcome: &str) {
        let mut exchanges = self.exchanges.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(fixture) = exchanges.get_mut(index) {
            let success = fixture["response"]["status"]
                .as_u64()
                .is_some_and(|s| (200..300).contains(&s));
            if !(success && outcome == "ok") {
                fixture["expect"] = json!({"outcome": outcome});
            }
        }
    }

    /// Writes every exchange into `dir`, one fixture a file, with `key`
    /// replaced by `stand_in`; returns how many.
    pub fn write(&self, dir: &Path, key: &str, stand_in: &str) -> Result<usize> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let exchanges = self.exchanges.lock().unwrap_or_else(|p| p.into_inner());
        for (i, fixture) in exchanges.iter().enumerate() {
            let mut text = serde_json::to_string_pretty(fixture)?;
            if !key.is_empty() {
                text = text.replace(key, stand_in);
            }
            let method = fixture["request"]["method"]
                .as_str()
                .unwrap_or("X")
                .to_ascii_lowercase();
            let path = dir.join(format!("{:03}-{method}.json", i + 1));
            std::fs::write(&path, text + "\n")
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(exchanges.len())
    }
}

struct Forward {
    http: reqwest::Client,
    upstream: String,
    source: String,
    exchanges: Arc<Mutex<Vec<Value>>>,
}

type Answer = hyper::Response<Full<Bytes>>;

impl Forward {
    async fn exchange(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<Answer, std::convert::Infallible> {
        Ok(match self.forward(request).await {
            Ok(answer) => answer,
            Err(e) => {
                let mut answer =
                    hyper::Response::new(Full::new(Bytes::from(format!("recording proxy: {e:#}"))));
                *answer.status_mut() = hyper::StatusCode::BAD_GATEWAY;
                answer
            }
        })
    }

    async fn forward(&self, request: hyper::Request<hyper::body::Incoming>) -> Result<Answer> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await?.to_bytes();
        let target = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let mut outgoing = self
            .http
            .request(parts.method.clone(), format!("{}{target}", self.upstream))
            .body(body.clone());
        for (name, value) in &parts.headers {
            if name != hyper::header::HOST {
                outgoing = outgoing.header(name, value);
            }
        }
        let response = outgoing.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let answer = response.bytes().await?;

        let url = reqwest::Url::parse(&format!("http://recorded{target}"))?;
        let query: Map<String, Value> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        let content_type = |h: &hyper::HeaderMap| {
            h.get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let mut recorded_request = json!({"method": parts.method.as_str(), "path": url.path()});
        if !query.is_empty() {
            recorded_request["query"] = Value::Object(query);
        }
        let sent_type = content_type(&parts.headers);
        if let Some(boundary) = sent_type.split("boundary=").nth(1) {
            recorded_request["multipart"] =
                Value::Object(multipart_fields(&body, boundary.trim_matches('"')));
        } else if !body.is_empty() {
            recorded_request["body"] = serde_json::from_slice(&body).unwrap_or(Value::Null);
        }
        let mut kept_headers = Map::new();
        for name in [hyper::header::CONTENT_TYPE, hyper::header::RETRY_AFTER] {
            if let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) {
                kept_headers.insert(name.as_str().to_string(), Value::String(value.to_string()));
            }
        }
        let recorded_body = if answer.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&answer)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&answer).into_owned()))
        };
        let fixture = json!({
            "source": self.source,
            "request": recorded_request,
            "response": {"status": status.as_u16(), "headers": kept_headers, "body": recorded_body},
        });
        self.exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(fixture);

        let mut reply = hyper::Response::new(Full::new(answer));
        *reply.status_mut() = status;
        for (name, value) in &headers {
            // The body is whole now; hyper writes its own length.
            if name != hyper::header::TRANSFER_ENCODING && name != hyper::header::CONTENT_LENGTH {
                reply.headers_mut().append(name, value.clone());
            }
        }
        Ok(reply)
    }
}

/// The text fields of a `multipart/form-data` body, by name (what the CSV
/// uploads send: the file's content under `csv_file`).
fn multipart_fields(body: &[u8], boundary: &str) -> Map<String, Value> {
    let text = String::from_utf8_lossy(body);
    let mut fields = Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        if let Some(name) = name {
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            fields.insert(name.to_string(), Value::String(content.to_string()));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixture::Fixture;
    use threatjammer::{ApiKey, Client, RetryPolicy};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

    #[test]
    fn an_exchange_is_written_as_a_fixture_without_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            // The answer echoes the key, as the token's `self` link does.
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"self": format!("/v1/token/{KEY}")})),
                )
                .mount(&server)
                .await;
            let recorder = Recorder::start(&server.uri(), "recorded in a test".into())
                .await
                .unwrap();
            let client = Client::builder()
                .base_url(recorder.url())
                .api_key(ApiKey::new(KEY).unwrap())
                .retry(RetryPolicy::disabled())
                .build()
                .unwrap();
            let _ = client.lookup_asn_prefix("8.8.8.0/24").await;
            recorder.expect(0, "decode_error");
            assert_eq!(recorder.write(dir.path(), KEY, "tja_stand_in").unwrap(), 1);
            // The server saw what the client sent, through the proxy.
            let received = server.received_requests().await.unwrap();
            assert_eq!(
                received[0].headers["authorization"],
                format!("Bearer {KEY}").as_str()
            );
        });
        let path = dir.path().join("001-post.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(KEY) && text.contains("/v1/token/tja_stand_in"),
            "{text}"
        );
        let fixture = Fixture::load(&path).unwrap();
        assert_eq!(
            (
                fixture.request.method.as_str(),
                fixture.request.path.as_str()
            ),
            ("POST", "/v1/asn/prefix")
        );
        assert_eq!(fixture.request.body, Some(json!({"prefix": "8.8.8.0/24"})));
        assert_eq!(fixture.response.status, 200);
        assert_eq!(fixture.expected_outcome().unwrap().as_str(), "decode_error");
        assert!(
            !text.to_ascii_lowercase().contains("authorization"),
            "{text}"
        );
    }
}
