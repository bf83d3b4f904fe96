//! `cargo xtask mock`: the library's mock server on loopback, for tools that
//! test it from outside (Schemathesis in .ci/run).

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use threatjammer::ApiKey;
use threatjammer_mock::MockServer;

/// The key the served mock accepts, printed for the tools that test it.
const KEY: &str = "tja_M0CKM0CKM0CKM0CKM0CKM0CKM0CKM0CKM0CK";

#[derive(clap::Args)]
pub struct Args {
    /// Also answer from the fixtures below this directory (repeatable).
    #[arg(long = "fixtures")]
    fixtures: Vec<PathBuf>,
}

/// Prints the base URL on the first line of stdout and the key on the second,
/// then serves until the process is ended.
pub fn run(args: &Args) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a tokio runtime")?;
    runtime.block_on(async {
        let mut builder = MockServer::builder()
            .api_key(ApiKey::new(KEY)?)
            .record_requests(false);
        for dir in &args.fixtures {
            builder = builder.fixtures_dir(dir);
        }
        let server = builder.start().await;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}\n{KEY}", server.uri())?;
        out.flush()?;
        drop(out);
        std::future::pending::<()>().await;
        Ok(())
    })
}
