//! Reading OpenAPI documents and writing the spec of record.
//!
//! YAML is read with a YAML 1.2 reader: under YAML 1.1 the country code `NO`
//! (Norway) in the upstream enums becomes the boolean `false` (docs/upstream-defects.md, defect 5).

#[cfg(feature = "tools")]
use anyhow::Context;
use anyhow::Result;
use serde_json::Value;
#[cfg(feature = "tools")]
use std::path::Path;

/// Reads an OpenAPI document, YAML (as 1.2) or JSON, into a JSON value.
/// `path` may be an `http://` or `https://` URL, such as a deployment's own
/// `/openapi.json`, so a scheduled job can compare it with the spec of record.
#[cfg(feature = "tools")]
pub fn read_document(path: &Path) -> Result<Value> {
    let url = path
        .to_str()
        .filter(|p| p.starts_with("http://") || p.starts_with("https://"));
    let text = match url {
        Some(url) => fetch(url)?,
        None => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
    };
    parse_document(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The body of a `GET url`, which must answer 2xx within a minute.
#[cfg(feature = "tools")]
fn fetch(url: &str) -> Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let response = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()?
            .get(url)
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("fetching {url}: the server answered {status}");
        }
        response
            .text()
            .await
            .with_context(|| format!("reading the answer of {url}"))
    })
}

/// Parses a document's text. JSON is a subset of YAML 1.2, but a JSON parser
/// is stricter and faster, so it gets the first try.
pub fn parse_document(text: &str) -> Result<Value> {
    if text.trim_start().starts_with('{') {
        return Ok(serde_json::from_str(text)?);
    }
    Ok(serde_yaml_ng::from_str(text)?)
}

/// The canonical text of a document: keys sorted at every level (serde_json's
/// map is ordered), two-space indentation, one trailing newline. A re-import of
/// the same input is byte-identical, and a version bump diffs line by line.
#[cfg(feature = "tools")]
pub fn canonical_text(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(all(test, feature = "tools"))]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A loopback server that answers one request with `body`; its URL.
    fn serve_once(body: &'static str) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/openapi.json", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body.as_bytes()).unwrap();
        });
        url
    }

    #[test]
    fn a_document_is_read_from_a_url() {
        let url = serve_once(r#"{"openapi": "3.0.2", "info": {"title": "t", "version": "1"}}"#);
        let doc = read_document(Path::new(&url)).unwrap();
        assert_eq!(doc["info"]["title"], "t");
    }
}
