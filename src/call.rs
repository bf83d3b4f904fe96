//! Every call of every operation goes through here, as values: the request
//! builder (generated, build/builders.rs) hands [`run`] the operation's
//! facts, the call's options and a function that makes the request; each
//! attempt ([`attempt`]) checks, authenticates, paces, sends, classifies the
//! status and decodes, and returns the answer or the error; [`run`] repeats
//! what the retry policy allows. Nothing about a call travels beside it.

mod attempt;
mod decode;
mod run;
mod state;

pub(crate) use decode::Answer;
pub(crate) use run::{run, CallOptions, Op};
pub(crate) use state::ClientState;
