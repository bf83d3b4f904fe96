//! What wraps every call, generated or hand-written: its attempts (`run`),
//! the request hooks around each request (authentication, the path check,
//! the quota guard, tracing, the body limit), the notes they leave for the
//! call, and turning what came back into `Result<T, Error>` with the key masked.

mod answer;
mod hooks;
mod notes;
mod run;
mod send;
mod settle;

pub(crate) use answer::{empty, json};
pub(crate) use hooks::round_trip;
pub use hooks::HookState;
pub(crate) use run::{run, CallOptions};
