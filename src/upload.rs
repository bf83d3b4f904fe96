//! The file part of a `multipart/form-data` request (the three CSV uploads):
//! what a caller may give as the file, and the body made of it. The request
//! builders (build/builders.rs) send it through the same call pipeline as
//! every other request.

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
    async fn into_form(self, part_name: String) -> Result<reqwest::multipart::Form, Error> {
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
        Ok(reqwest::multipart::Form::new().part(part_name, part))
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
/// A multipart body made of one file part, ready to be attached to each
/// attempt's request.
#[derive(Debug)]
pub(crate) enum Upload {
    /// Text already in memory: sent as bytes, it can be sent again.
    InMemory {
        content_type: String,
        bytes: bytes::Bytes,
    },
    /// A file or reader, streamed as it is read and never held whole: it is
    /// sent once, and taken by the first attempt.
    Streamed(Option<reqwest::multipart::Form>),
}

impl Upload {
    /// The body of one file part named `part`, holding `file`.
    pub(crate) async fn new(part: &str, file: CsvInput) -> Result<Upload, Error> {
        let streamed = file.is_streamed();
        let form = file.into_form(part.to_string()).await?;
        if streamed {
            return Ok(Upload::Streamed(Some(form)));
        }
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
        Ok(Upload::InMemory {
            content_type,
            bytes: bytes.into(),
        })
    }

    /// Whether the body can be sent again after a failed attempt.
    pub(crate) fn repeatable(&self) -> bool {
        matches!(self, Upload::InMemory { .. })
    }

    /// `request` with the body; `None` once a streamed body has been sent.
    pub(crate) fn attach(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> Option<reqwest::RequestBuilder> {
        match self {
            Upload::InMemory {
                content_type,
                bytes,
            } => Some(
                request
                    .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                    .body(bytes.clone()),
            ),
            Upload::Streamed(form) => form.take().map(|form| request.multipart(form)),
        }
    }
}
