//! `threatjammer spec check`: whether the deployment the tool talks to still
//! publishes the API this build of the crate was generated from.
//!
//! The spec of record is the upstream document with the project's overlays
//! applied; the deployment publishes upstream documents. So the tool carries
//! the upstream document its spec of record was imported from (the one of the
//! same `info.version`, pinned in openapi/upstream/), and compares the
//! deployment's `/openapi.json` with it by the semantic diff of the spec
//! tooling (`cargo xtask spec diff`): the overlays apply alike to both, so what
//! differs between the two upstream documents is what the deployment changed.

use crate::exit::{Exit, Failure};
use std::time::Duration;
use threatjammer_spec::diff::{compare, render};

/// The upstream document openapi/threatjammer.json was imported from; a test
/// holds the two to the same `info.version`, so a bump cannot forget this.
const RECORDED: &str = include_str!("../../openapi/upstream/threatjammer-user-api-1.2.27.yaml");

/// What the comparison found, and the exit it leads to.
pub struct Checked {
    /// The ranked report, or a line saying nothing differs.
    pub report: String,
    pub exit: Exit,
}

/// A public region's base URL, as the library makes it; a name that is not
/// one (`evil.example/`) is a usage error.
pub fn region_url(region: &str) -> Result<String, Failure> {
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Failure::usage(format!("not a region name: {region:?}")));
    }
    Ok(format!("https://{region}.api.threatjammer.com"))
}

/// Fetches `{base_url}/openapi.json` and compares it with [`RECORDED`].
pub async fn run(base_url: &str) -> Result<Checked, Failure> {
    let url = format!("{}/openapi.json", base_url.trim_end_matches('/'));
    let published = fetch(&url).await?;
    let recorded = threatjammer_spec::spec_io::parse_document(RECORDED).map_err(|e| Failure {
        exit: Exit::Other,
        message: format!("the recorded document does not parse: {e:#}"),
    })?;
    Ok(check(&recorded, &published, &url))
}

/// The deployment's document as JSON. Transport failures exit as any other
/// (5); an answer that is not an OpenAPI 3 document exits as the service's
/// error (3).
async fn fetch(url: &str) -> Result<serde_json::Value, Failure> {
    let transport = |message: String| Failure {
        exit: Exit::Transport,
        message,
    };
    let api = |message: String| Failure {
        exit: Exit::Api,
        message,
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| transport(format!("cannot make an HTTP client: {e}")))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| transport(format!("fetching {url}: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(api(format!("fetching {url}: the server answered {status}")));
    }
    let text = response
        .text()
        .await
        .map_err(|e| transport(format!("reading {url}: {e}")))?;
    let doc = threatjammer_spec::spec_io::parse_document(&text)
        .map_err(|e| api(format!("{url} is not a JSON or YAML document: {e:#}")))?;
    if !doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")) {
        return Err(api(format!("{url} is not an OpenAPI 3 document")));
    }
    Ok(doc)
}

/// The report of `published` against `recorded`: exit 0 when no change is
/// listed (prose alone is none), [`Exit::SpecBreaks`] when a change is
/// source- or wire-breaking, [`Exit::SpecDiffers`] otherwise.
fn check(recorded: &serde_json::Value, published: &serde_json::Value, url: &str) -> Checked {
    let report = compare(recorded, published);
    let exit = if report.source_breaking() + report.wire_breaking() > 0 {
        Exit::SpecBreaks
    } else if !report.changes.is_empty() {
        Exit::SpecDiffers
    } else {
        Exit::Ok
    };
    let report = if exit == Exit::Ok {
        format!(
            "{url} publishes the API this build was generated from ({}).\n",
            recorded["info"]["version"].as_str().unwrap_or("?")
        )
    } else {
        format!(
            "{url} differs from the API this build was generated from:\n\n{}",
            render::markdown(&report, None, 2)
        )
    };
    Checked { report, exit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_document_is_the_spec_of_records_source() {
        let record: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi/threatjammer.json")).unwrap();
        let recorded = threatjammer_spec::spec_io::parse_document(RECORDED).unwrap();
        assert_eq!(
            recorded["info"]["version"], record["info"]["version"],
            "cli/src/spec_check.rs must carry the upstream document openapi/threatjammer.json was imported from"
        );
    }

    #[test]
    fn prose_alone_is_no_difference() {
        let recorded = threatjammer_spec::spec_io::parse_document(RECORDED).unwrap();
        let mut published = recorded.clone();
        published["info"]["description"] = "reworded".into();
        assert_eq!(check(&recorded, &published, "u").exit, Exit::Ok);
    }
}
