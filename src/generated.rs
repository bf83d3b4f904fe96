//! The client progenitor generates from `openapi/threatjammer.json` at build time
//! (see `build.rs`), plus the face methods on [`crate::Client`] and the operation
//! table. Never edited by hand and never checked in.

#![allow(clippy::all, missing_docs, unused_imports, unused_qualifications)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
