//! A minimal HTTP/1.1 server on loopback, shared by the fault matrix, the
//! decoding property tests, the fuzz target and the benchmarks.
//!
//! It exists because wiremock cannot misbehave at the transport level (reset a
//! connection mid-body, never answer, trickle a body) and because its request
//! matching would dominate a benchmark. It reads one request at a time per
//! connection (keep-alive), hands it to a function that says how to answer, and
//! counts the requests it has read. Request bodies must carry `Content-Length`,
//! which reqwest sends for every in-memory body.

// Each target that includes this file uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server read.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target, with its query string.
    pub target: String,
    /// The header lines, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
}

/// How the server answers one request.
pub enum Reply {
    /// Writes these bytes (a complete response) and keeps the connection open.
    Bytes(bytes::Bytes),
    /// Writes these bytes, waits until the client is reading, then resets the
    /// connection (RST rather than FIN), the way a crashing proxy does.
    ResetAfter(Vec<u8>),
    /// Reads the request and never answers.
    Silence,
    /// Writes `head` at once, then `body` one byte at a time with `pause` between.
    Trickle {
        head: Vec<u8>,
        body: Vec<u8>,
        pause: Duration,
    },
}

/// A response with `Content-Length`, as raw bytes.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = head(status, headers, body.len());
    out.extend_from_slice(body);
    out
}

/// The status line and headers of a response whose body has `length` bytes.
pub fn head(status: u16, headers: &[(&str, &str)], length: usize) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("content-length: {length}\r\n\r\n"));
    out.into_bytes()
}

/// A `200` answer with a JSON body.
pub fn json(body: &[u8]) -> Vec<u8> {
    response(200, &[("content-type", "application/json")], body)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        302 => "Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

type Answer = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running server. It stops when dropped.
pub struct Loopback {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Starts a server on an ephemeral loopback port; `answer` decides every reply.
    pub async fn start(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(AtomicUsize::new(0));
        let answer: Arc<Answer> = Arc::new(answer);
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, answer.clone(), counter.clone()));
            }
        });
        Loopback {
            addr,
            requests,
            task,
        }
    }

    /// Starts a server that answers every request with the same bytes.
    pub async fn fixed(reply: Vec<u8>) -> Loopback {
        let reply = bytes::Bytes::from(reply);
        Loopback::start(move |_| Reply::Bytes(reply.clone())).await
    }

    /// `http://127.0.0.1:<port>`
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests the server has read completely.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, answer: Arc<Answer>, counter: Arc<AtomicUsize>) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        counter.fetch_add(1, Ordering::SeqCst);
        match answer(&request) {
            Reply::Bytes(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::ResetAfter(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                // Give the client time to take the head, so the reset hits the body.
                tokio::time::sleep(Duration::from_millis(100)).await;
                // Linger 0 makes close send RST: the client sees a reset, not a clean end.
                let _ = stream.set_zero_linger();
                return;
            }
            Reply::Silence => {
                // Hold the connection open until the client gives up.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
            Reply::Trickle { head, body, pause } => {
                if stream.write_all(&head).await.is_err() {
                    return;
                }
                for byte in body.chunks(1) {
                    tokio::time::sleep(pause).await;
                    if stream.write_all(byte).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Reads one request (head and `Content-Length` body); `None` at end of stream.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i + 4;
        }
        read_more(stream, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        read_more(stream, buffer).await?;
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What a recording server saw: `METHOD target` of each request, in order.
pub type Seen = Arc<std::sync::Mutex<Vec<String>>>;

impl Loopback {
    /// Starts a server that answers every request with `status` and the JSON
    /// `body`, and records `METHOD target` of each request it read.
    pub async fn recording(status: u16, body: &serde_json::Value) -> (Loopback, Seen) {
        let seen = Seen::default();
        let log = seen.clone();
        let reply = bytes::Bytes::from(response(
            status,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        ));
        let server = Loopback::start(move |request| {
            log.lock()
                .unwrap()
                .push(format!("{} {}", request.method, request.target));
            Reply::Bytes(reply.clone())
        })
        .await;
        (server, seen)
    }
}

impl Loopback {
    /// A client of this server with `key` that sends every request once, so
    /// that what the server read is what the client decided to send.
    pub fn client_sending_once(&self, key: threatjammer::ApiKey) -> threatjammer::Client {
        threatjammer::Client::builder()
            .base_url(self.uri())
            .api_key(key)
            .retry(threatjammer::RetryPolicy::disabled())
            .build()
            .expect("a loopback URL and a key make a client")
    }
}
