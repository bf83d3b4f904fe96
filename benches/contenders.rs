//! What the benchmarks compare, shared by `client.rs` (criterion, detailed
//! statistics) and `ratios.rs` (paired samples, what `cargo xtask perf` quotes).

// Each benchmark uses a different part of it.
#![allow(dead_code)]

#[path = "../tests/support/loopback.rs"]
mod loopback;

use std::hint::black_box;
use std::net::IpAddr;
use std::time::Duration;
use threatjammer::types::IpAssessmentOutput;
use threatjammer::{ApiKey, Client};

pub use loopback::Loopback;

const DOCUMENTED: &str = include_str!("../tests/fixtures/documented/assess-ip-212.231.12.22.json");
const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";
pub const CONCURRENCY: usize = 64;

pub fn assessment() -> serde_json::Value {
    let exchange: serde_json::Value = serde_json::from_str(DOCUMENTED).expect("fixture is JSON");
    exchange["response"]["body"].clone()
}

/// The ways of making the same request.
#[derive(Clone)]
pub struct Contenders {
    client: Client,
    /// The same client with drift observation off.
    unobserved: Client,
    http: reqwest::Client,
    base: String,
    ip: IpAddr,
}

impl Contenders {
    pub fn new(base: &str) -> Contenders {
        let client = |observe: bool| {
            Client::builder()
                .base_url(base)
                .api_key(ApiKey::new(KEY).expect("well-formed key"))
                .observe_drift(observe)
                .build()
                .expect("client")
        };
        let (client, unobserved) = (client(true), client(false));
        // The baseline gets the reqwest configuration the client builds for
        // itself, so the difference is the client's own layer: generated call,
        // request hook, tracing span, error mapping.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent("threatjammer-rust/bench")
            .build()
            .expect("reqwest client");
        Contenders {
            client,
            unobserved,
            http,
            base: base.to_string(),
            ip: "212.231.12.22".parse().expect("address"),
        }
    }

    // Both sides start from the same parsed address and put it in the URL per
    // request, as any caller of an address lookup has to.
    pub async fn client(&self) -> IpAssessmentOutput {
        self.client.assess_ip(self.ip).await.expect("assessment")
    }

    pub async fn client_unobserved(&self) -> IpAssessmentOutput {
        self.unobserved
            .assess_ip(self.ip)
            .await
            .expect("assessment")
    }

    /// A batch assessment through the client, whose answer (from a server of
    /// [`collection500`]) is decoded into the generated type with drift observed.
    pub async fn client_batch(&self) -> usize {
        let batch = self.client.assess_ips(vec![self.ip.to_string()]).await;
        batch.expect("batch").results.len()
    }

    /// The same request by hand, its answer decoded into `serde_json::Value`.
    pub async fn baseline_batch_value(&self) -> usize {
        let request = self
            .http
            .post(format!("{}/v1/assess/ip", self.base))
            .json(&[self.ip.to_string()]);
        let body = by_hand(request).await;
        let value: serde_json::Value = serde_json::from_slice(&body).expect("collection");
        value["results"].as_array().map_or(0, Vec::len)
    }

    pub async fn baseline(&self) -> IpAssessmentOutput {
        let request = self
            .http
            .get(format!("{}/v1/assess/ip/{}", self.base, self.ip));
        serde_json::from_slice(&by_hand(request).await).expect("assessment")
    }
}

/// What a hand-written call adds to a request before sending it, and the
/// answer's body.
async fn by_hand(request: reqwest::RequestBuilder) -> bytes::Bytes {
    request
        .header(reqwest::header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("response")
        .bytes()
        .await
        .expect("body")
}

/// Runs `CONCURRENCY` copies of `request` at once and waits for all of them.
pub async fn concurrently<F, Fut>(contenders: &Contenders, request: F)
where
    F: Fn(Contenders) -> Fut,
    Fut: std::future::Future<Output = IpAssessmentOutput> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        tasks.spawn(request(contenders.clone()));
    }
    while let Some(done) = tasks.join_next().await {
        black_box(done.expect("task"));
    }
}

/// Verdicts from a client whose cache holds the address: what an inline
/// check costs once the address has been seen.
pub async fn cached_client(base: &str) -> Client {
    let client = Client::builder()
        .base_url(base)
        .api_key(ApiKey::new(KEY).expect("well-formed key"))
        .cache(threatjammer::cache::CachePolicy::new())
        .build()
        .expect("client");
    let ip = "212.231.12.22".parse().expect("address");
    client
        .assess_ip(ip)
        .await
        .expect("the first assessment fills the cache");
    client
}

/// A verdict answered from the cache.
pub async fn verdict_cached(client: &Client) -> threatjammer::verdict::Verdict {
    client
        .verdict("212.231.12.22".parse().expect("address"))
        .await
}

/// An axum app of one small handler on loopback, guarded by `guard` or not,
/// and a reqwest client that asks it as a proxy at 127.0.0.1 would, for an
/// address the guard's cache holds.
pub struct App {
    url: String,
    http: reqwest::Client,
}

impl App {
    pub async fn start(guard: Option<threatjammer::tower::GuardLayer>) -> App {
        let mut app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
        if let Some(guard) = guard {
            app = app.layer(guard);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await
        });
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("reqwest client");
        App { url, http }
    }

    pub async fn visit(&self) -> usize {
        let answer = self
            .http
            .get(&self.url)
            .header("x-forwarded-for", "212.231.12.22")
            .send()
            .await
            .expect("answer");
        assert!(answer.status().is_success(), "{}", answer.status());
        answer.bytes().await.expect("body").len()
    }
}

/// A loopback server answering every request with the documented assessment.
pub async fn server() -> Loopback {
    Loopback::fixed(loopback::json(assessment().to_string().as_bytes())).await
}

/// A loopback server answering every request with [`collection500`].
pub async fn batch_server() -> Loopback {
    Loopback::fixed(loopback::json(&collection500())).await
}

/// 500 distinct assessments, as `POST /v1/assess/ip` answers a full batch.
pub fn collection500() -> Vec<u8> {
    let results: Vec<serde_json::Value> = (0..500u32)
        .map(|i| {
            let mut a = assessment();
            let ip = format!("212.231.{}.{}", i / 250, i % 250);
            a["self"] = format!("/v1/assess/ip/{ip}").into();
            a["score"] = (i % 100).into();
            a
        })
        .collect();
    serde_json::json!({"self": "/v1/assess/ip", "results": results})
        .to_string()
        .into_bytes()
}
