//! The three CSV uploads, hand-written because progenitor 0.15 cannot generate
//! `multipart/form-data` request bodies (build/main.rs, adaptation 1). They go
//! through the same hooks (authentication, quota, retries, tracing) and return
//! the same error type as every generated method.

use crate::call::CallOptions;
use crate::generated::types;
use crate::Error;
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

impl From<&std::path::Path> for CsvInput {
    fn from(path: &std::path::Path) -> Self {
        CsvInput::Path(path.to_path_buf())
    }
}

impl CsvInput {
    /// Streams from any async reader (a socket, a decompressor, stdin).
    pub fn reader(reader: impl AsyncRead + Send + Sync + Unpin + 'static) -> CsvInput {
        CsvInput::Reader(Box::new(reader))
    }

    /// The form the service expects: one part named `csv_file`, a file of type `text/csv`.
    async fn into_form(self) -> Result<reqwest::multipart::Form, Error> {
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
        let part = part
            .file_name("upload.csv")
            .mime_str("text/csv")
            .map_err(|e| Error::Request(e.to_string()))?;
        Ok(reqwest::multipart::Form::new().part("csv_file", part))
    }

    fn is_streamed(&self) -> bool {
        !matches!(self, CsvInput::Text(_))
    }
}

fn stream_part(reader: impl AsyncRead + Send + Sync + 'static) -> reqwest::multipart::Part {
    let stream = tokio_util::io::ReaderStream::new(reader);
    reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
}

/// How the form travels.
enum Body {
    /// Held in memory, so that (unlike a stream) it can be sent again when a retry is due.
    InMemory {
        content_type: String,
        bytes: bytes::Bytes,
    },
    /// Read as it is sent; sent once.
    Streamed(reqwest::multipart::Form),
}

impl Body {
    async fn in_memory(form: reqwest::multipart::Form) -> Result<Body, Error> {
        use futures_util::TryStreamExt;
        let content_type = format!("multipart/form-data; boundary={}", form.boundary());
        let bytes = form
            .into_stream()
            .try_fold(Vec::new(), |mut bytes, chunk| async move {
                bytes.extend_from_slice(&chunk);
                Ok(bytes)
            })
            .await
            .map_err(|e| Error::Request(e.to_string()))?;
        Ok(Body::InMemory {
            content_type,
            bytes: bytes.into(),
        })
    }
}

/// The builder of one upload: the method on [`Client`](crate::Client) that
/// takes the file, and the request it returns, whose optional `strict_parse`
/// (where the operation has it), `timeout` and `retry` are set like those of
/// every generated request.
macro_rules! csv_upload {
    (
        $(#[doc = $doc:literal])*
        $method:ident -> $builder:ident: $id:literal, $path:literal, $answer:ty
        $(, $strict:ident)?
    ) => {
        impl crate::Client {
            $(#[doc = $doc])*
            pub fn $method(&self, csv: impl Into<CsvInput>) -> $builder<'_> {
                $builder {
                    client: self,
                    csv: csv.into(),
                    strict_parse: None,
                    options: CallOptions::default(),
                }
            }
        }

        #[doc = concat!("A CSV upload to `", $id, "` (POST `", $path, "`), made by [`Client::", stringify!($method), "`](crate::Client::", stringify!($method), "). Awaiting it sends it.")]
        #[derive(Debug)]
        #[must_use = "a request is sent only when it is awaited"]
        pub struct $builder<'a> {
            client: &'a crate::Client,
            csv: CsvInput,
            strict_parse: Option<bool>,
            options: CallOptions,
        }

        impl<'a> $builder<'a> {
            $(
                /// With `true`, a malformed line fails the whole upload instead of being skipped.
                pub fn $strict(mut self, strict: bool) -> Self {
                    self.strict_parse = Some(strict);
                    self
                }
            )?

            /// How long each attempt may take, in place of the client's timeout.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// How this call is repeated after a transient failure, in place of
            /// the client's policy. A file or reader is sent once whatever it says.
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }

            /// Sends the upload and decodes the answer; `.await` does the same.
            pub async fn send(self) -> Result<$answer, Error> {
                self.client
                    .upload($id, $path, self.csv, self.strict_parse, &self.options)
                    .await
            }
        }

        impl<'a> std::future::IntoFuture for $builder<'a> {
            type Output = Result<$answer, Error>;
            type IntoFuture = crate::request::Pending<'a, $answer>;
            // Inline for the reason the generated builders' is (build/face.rs).
            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

csv_upload! {
    /// Assesses every IP address of a file, one a line (`POST /v1/assess/ip/csv`).
    assess_ips_csv -> AssessIpsCsv: "assess_ips_csv", "/v1/assess/ip/csv",
        types::IpAssessmentCollectionOutput, strict_parse
}

csv_upload! {
    /// Geolocates every IP address of a file, one a line (`POST /v1/geo/csv`).
    geolocate_ips_csv -> GeolocateIpsCsv: "geolocate_ips_csv", "/v1/geo/csv",
        types::GeoIpCollectionOutput, strict_parse
}

csv_upload! {
    /// Parses every user agent of a file, one a line (`POST /v1/ua/csv`).
    parse_user_agents_csv -> ParseUserAgentsCsv: "parse_user_agents_csv", "/v1/ua/csv",
        types::UaCollectionOutput
}

impl crate::Client {
    async fn upload<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        path: &str,
        csv: CsvInput,
        strict_parse: Option<bool>,
        options: &CallOptions,
    ) -> Result<T, Error> {
        let streamed = csv.is_streamed();
        let form = csv.into_form().await?;
        // Text is already in memory: sent as bytes, it can be retried. A file or
        // reader is streamed as it is read, never held whole, and is sent once.
        let body = if streamed {
            Body::Streamed(form)
        } else {
            Body::in_memory(form).await?
        };
        let request = |http: &reqwest::Client, base: &str| {
            let builder = http.post(format!("{base}{path}"));
            match strict_parse {
                Some(strict) => builder.query(&[("strict_parse", strict)]),
                None => builder,
            }
        };
        match body {
            Body::InMemory {
                content_type,
                bytes,
            } => {
                self.send_with(operation_id, options, |http, base| {
                    request(http, base)
                        .header(reqwest::header::CONTENT_TYPE, &content_type)
                        .body(bytes.clone())
                })
                .await
            }
            Body::Streamed(form) => {
                self.send_once(operation_id, options, |http, base| {
                    request(http, base).multipart(form)
                })
                .await
            }
        }
    }
}
