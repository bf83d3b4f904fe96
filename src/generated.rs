//! What build.rs generates from `openapi/threatjammer.json`: the types, the
//! request builders on [`crate::Client`] and the operation table. Never
//! edited by hand and never checked in.

// The operation descriptions are prose from the overlay, where a URL is an example, not a link.
// Warned, not denied: a new upstream document whose new fields the overlay
// does not describe yet must still build (the semver check builds such
// releases). CI's `cargo doc` turns the warning into an error, and
// tests/schema_docs.rs names every schema and property without a description.
#![warn(missing_docs)]
#![allow(
    clippy::all,
    dead_code,
    unused_imports,
    unused_qualifications,
    rustdoc::bare_urls
)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
