//! The reported-address list in its non-JSON forms.
//!
//! `GET /v1/denylist/reported/ip?output_format=CSV|AWS-WAF` answers text under
//! a `200` the upstream document declares as JSON only (docs/upstream-defects.md, defect 9).
//! The generated `list_reported_ips` decodes the JSON form; asked for another
//! form it would fail to decode, so the other forms are fetched here as text.

use crate::types::{
    ListReportedIpsIpProtocolVersion as IpProtocolVersion,
    ListReportedIpsOutputFormat as OutputFormat,
};
use crate::Error;
use serde::Serialize;

/// Which reported addresses to export. Every filter is optional; times are
/// milliseconds since the Unix epoch, as the service counts them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReportedIpFilter {
    /// Only addresses in this dataset (`ABUSE`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Reported before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_before: Option<i64>,
    /// Reported after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_after: Option<i64>,
    /// Expiring before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_before: Option<i64>,
    /// Expiring after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<i64>,
    /// Reported more than this many times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greater_than: Option<i64>,
    /// Reported fewer than this many times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub less_than: Option<i64>,
    /// IPv4, IPv6 or both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_protocol_version: Option<IpProtocolVersion>,
}

#[derive(Serialize)]
struct Query<'a> {
    #[serde(flatten)]
    filter: &'a ReportedIpFilter,
    output_format: OutputFormat,
}

impl crate::Client {
    /// The addresses you reported, as the service's CSV or AWS WAF text
    /// (`format` [`OutputFormat::Csv`] or [`OutputFormat::AwsWaf`]); for the
    /// typed JSON form use [`Client::list_reported_ips`](crate::Client::list_reported_ips).
    pub async fn export_reported_ips(
        &self,
        format: OutputFormat,
        filter: &ReportedIpFilter,
    ) -> Result<String, Error> {
        let query = Query {
            filter,
            output_format: format,
        };
        self.send_for_text("list_reported_ips", |http, base| {
            http.get(format!("{base}/v1/denylist/reported/ip"))
                .query(&query)
        })
        .await
    }
}
