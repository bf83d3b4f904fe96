//! The reported-address list in its non-JSON forms.
//!
//! `GET /v1/denylist/reported/ip?output_format=CSV|AWS-WAF` answers text
//! (docs/upstream-defects.md, defect 9; the spec of record declares
//! `text/csv` and `text/plain` beside JSON). The generated `list_reported_ips`
//! decodes the JSON form; the other forms are sent through the same request
//! builder and read as text, so the path and the query are the spec's.

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

impl crate::Client {
    /// The addresses you reported, as the service's CSV or AWS WAF text
    /// (`format` [`OutputFormat::Csv`] or [`OutputFormat::AwsWaf`]); for the
    /// typed JSON form use [`Client::list_reported_ips`](crate::Client::list_reported_ips).
    pub async fn export_reported_ips(
        &self,
        format: OutputFormat,
        filter: &ReportedIpFilter,
    ) -> Result<String, Error> {
        let mut request = self.list_reported_ips().output_format(format);
        if let Some(dataset) = &filter.dataset {
            request = request.dataset(dataset.parse().map_err(|e| Error::Argument {
                operation: "list_reported_ips".into(),
                name: "dataset".into(),
                message: format!("{e}"),
            })?);
        }
        // Each filter is the setter of the same name.
        macro_rules! set {
            ($($field:ident),*) => {
                $(if let Some(value) = filter.$field.clone() {
                    request = request.$field(value);
                })*
            };
        }
        set!(
            reported_before,
            reported_after,
            expires_before,
            expires_after,
            greater_than,
            less_than,
            ip_protocol_version
        );
        request.send_text().await
    }
}
