//! The three CSV uploads, hand-written because progenitor 0.15 cannot generate
//! `multipart/form-data` request bodies (build.rs, adaptation 1). They go
//! through the same hooks (authentication, tracing, and whatever else the
//! runtime adds) and return the same error type as every generated method.

use crate::error::settle;
use crate::generated::types;
use crate::Error;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use std::path::PathBuf;
use tokio::io::AsyncRead;

/// The file to upload: one value a line (IP addresses or user agents).
pub enum CsvInput {
    /// A file on disk, streamed as it is read.
    Path(PathBuf),
    /// Any async reader, streamed as it is read.
    Reader(Box<dyn AsyncRead + Send + Sync + Unpin>),
    /// Text already in memory.
    Text(String),
}

impl std::fmt::Debug for CsvInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvInput::Path(p) => f.debug_tuple("Path").field(p).finish(),
            CsvInput::Reader(_) => f.write_str("Reader(..)"),
            CsvInput::Text(t) => write!(f, "Text({} bytes)", t.len()),
        }
    }
}

impl From<String> for CsvInput {
    fn from(text: String) -> Self {
        CsvInput::Text(text)
    }
}

impl From<&str> for CsvInput {
    fn from(text: &str) -> Self {
        CsvInput::Text(text.to_string())
    }
}

impl From<PathBuf> for CsvInput {
    fn from(path: PathBuf) -> Self {
        CsvInput::Path(path)
    }
}

impl CsvInput {
    async fn into_part(self) -> Result<reqwest::multipart::Part, Error> {
        let part = match self {
            CsvInput::Text(text) => reqwest::multipart::Part::text(text),
            CsvInput::Path(path) => {
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::Request(format!("cannot open {}: {e}", path.display())))?;
                stream_part(file)
            }
            CsvInput::Reader(reader) => stream_part(reader),
        };
        part.file_name("upload.csv")
            .mime_str("text/csv")
            .map_err(|e| Error::Request(e.to_string()))
    }
}

fn stream_part(reader: impl AsyncRead + Send + Sync + 'static) -> reqwest::multipart::Part {
    let stream = tokio_util::io::ReaderStream::new(reader);
    reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
}

impl crate::Client {
    /// Assesses every IP address of a file, one a line (`POST /v1/assess/ip/csv`).
    /// With `strict_parse`, a malformed line fails the whole upload instead of being skipped.
    pub async fn assess_ips_csv(
        &self,
        csv: impl Into<CsvInput>,
        strict_parse: Option<bool>,
    ) -> Result<types::IpAssessmentCollectionOutput, Error> {
        self.upload(
            "assess_ips_csv",
            "/v1/assess/ip/csv",
            csv.into(),
            strict_parse,
        )
        .await
    }

    /// Geolocates every IP address of a file, one a line (`POST /v1/geo/csv`).
    /// With `strict_parse`, a malformed line fails the whole upload instead of being skipped.
    pub async fn geolocate_ips_csv(
        &self,
        csv: impl Into<CsvInput>,
        strict_parse: Option<bool>,
    ) -> Result<types::GeoIpCollectionOutput, Error> {
        self.upload("geolocate_ips_csv", "/v1/geo/csv", csv.into(), strict_parse)
            .await
    }

    /// Parses every user agent of a file, one a line (`POST /v1/ua/csv`).
    pub async fn parse_user_agents_csv(
        &self,
        csv: impl Into<CsvInput>,
    ) -> Result<types::UaCollectionOutput, Error> {
        self.upload("parse_user_agents_csv", "/v1/ua/csv", csv.into(), None)
            .await
    }

    async fn upload<T: serde::de::DeserializeOwned>(
        &self,
        operation_id: &'static str,
        path: &str,
        csv: CsvInput,
        strict_parse: Option<bool>,
    ) -> Result<T, Error> {
        let form = reqwest::multipart::Form::new().part("csv_file", csv.into_part().await?);
        let api = &self.generated;
        let mut builder = api
            .client()
            .post(format!("{}{path}", api.baseurl()))
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form);
        if let Some(strict) = strict_parse {
            builder = builder.query(&[("strict_parse", strict)]);
        }
        let info = OperationInfo { operation_id };
        settle(operation_id, async {
            let mut request = builder.build()?;
            api.pre(&mut request, &info).await?;
            let result = api.exec(request, &info).await;
            api.post(&result, &info).await?;
            let response = result?;
            // The same classification the generated methods make: 200 decodes,
            // documented error statuses decode as a Problem, the rest is unexpected.
            match response.status().as_u16() {
                200 => ResponseValue::from_response(response).await,
                400..=499 => Err(progenitor_client::Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
            }
        })
        .await
    }
}
