//! What wraps every call, generated or hand-written: the request hooks
//! (authentication, the path check, the quota guard, retries, tracing, the
//! body limit), the notes they leave for the call, and turning what came back
//! into `Result<T, Error>` with the key masked.

mod hooks;
mod notes;
mod send;
mod settle;

pub(crate) use hooks::round_trip;
pub use hooks::HookState;
pub(crate) use settle::settle;
