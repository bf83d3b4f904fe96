//! Exit codes, and the one place that decides which failure gets which.
//!
//! Scripts branch on these, so they are part of the tool's interface: they are
//! listed in `threatjammer --help` and in the README, and never renumbered.

use std::process::ExitCode;

/// How a run ended, as the process's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// Something other than the service failed: the output could not be written.
    Other = 1,
    /// The command line, the key or an input file is wrong (clap uses 2 as well).
    Usage = 2,
    /// The service answered with an error, or with something the client cannot decode.
    Api = 3,
    /// The quota is spent: the service said so (429), or this client counted the month's.
    RateLimited = 4,
    /// No answer: the connection failed or timed out.
    Transport = 5,
    /// `assess file`: some input lines were not IP addresses (the rest was assessed).
    BadLines = 6,
    /// `spec check`: the deployment's API differs from this build's, breaking nothing.
    SpecDiffers = 7,
    /// `spec check`: the deployment's API differs from this build's in a way that
    /// breaks code or requests (a source- or wire-breaking change).
    SpecBreaks = 8,
}

/// The text `--help` shows under the options.
pub const HELP: &str = "\
Exit codes:
  0  ok
  1  the output could not be written
  2  usage: bad arguments, key, base URL or input file
  3  the service answered with an error (or an answer the client cannot decode)
  4  rate limited: the quota is spent (429, or the month's as counted here)
  5  transport: the service could not be reached, or did not answer in time
  6  assess file: some input lines were not IP addresses (the others were assessed)
  7  spec check: the deployment's API differs from this build's, breaking nothing
  8  spec check: the deployment's API differs from this build's, and something breaks";

impl Exit {
    /// The exit code a failed call leads to.
    pub fn of(error: &threatjammer::Error) -> Exit {
        use threatjammer::Error as E;
        match error {
            // The client refuses before the service would: the same quota, spent.
            E::RateLimited { .. } | E::QuotaExhausted { .. } => Exit::RateLimited,
            E::Timeout | E::Connection(_) | E::Request(_) => Exit::Transport,
            // Only `op` passes arguments by name; a wrong one is the caller's usage.
            E::Argument { .. } => Exit::Usage,
            // The remaining variants are all answers from the service (or a proxy in
            // front of it); variants added later are most likely answers too.
            _ => Exit::Api,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A failure on its way to the user: what to print on stderr and how to exit.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
}

impl From<&threatjammer::Error> for Failure {
    fn from(error: &threatjammer::Error) -> Failure {
        Failure {
            exit: Exit::of(error),
            message: error.to_string(),
        }
    }
}

impl From<threatjammer::Error> for Failure {
    fn from(error: threatjammer::Error) -> Failure {
        Failure::from(&error)
    }
}

/// Writing the output failed. A closed pipe (`threatjammer ... | head`) means the
/// reader has all it wanted, which is not a failure.
impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                exit: Exit::Ok,
                message: String::new(),
            };
        }
        Failure {
            exit: Exit::Other,
            message: format!("cannot write the output: {error}"),
        }
    }
}
