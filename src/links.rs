//! The server-relative links responses are full of (`/v1/asn/15704`), as a
//! type that knows what each one points at, and [`Client::follow`] to fetch it.
//!
//! The service writes a network's `/` doubly encoded (`212.231.0.0%252F16`),
//! so a prefix segment is decoded until no escape is left. Links that name
//! nothing this client can fetch, or name it wrongly (the service documents
//! `212.231.0.0.0%252F16`, a "network" of five octets), are kept as
//! [`Link::Unknown`] rather than rejected, so reading a response never fails
//! on a link; only following one does.

use crate::generated::types;
use crate::path::{decode_segment, encode_path, is_dot_segment};
use crate::{Client, Error};
use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;
use uuid::Uuid;

/// A link found in a response, by what it points at.
///
/// ```
/// use threatjammer::Link;
/// let link = Link::parse("/v1/asn/prefix/212.231.0.0%252F16").unwrap();
/// assert_eq!(link, Link::AsnPrefix("212.231.0.0/16".parse().unwrap()));
/// assert_eq!(Link::parse(""), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Link {
    /// An Autonomous System by number (`/v1/asn/15169`).
    Asn(u32),
    /// The prefixes of an Autonomous System (`/v1/asn/15169/prefixes`).
    AsnPrefixes(u32),
    /// An announced prefix (`/v1/asn/prefix/212.231.0.0%252F16`).
    AsnPrefix(IpNet),
    /// The announced prefix an address belongs to (`/v1/asn/ip/8.8.8.8`).
    AsnOfIp(IpAddr),
    /// A Regional Internet Registry by code (`/v1/asn/registry/arin`).
    Registry(String),
    /// A registry status by code (`/v1/asn/status/assigned`).
    RegistryStatus(String),
    /// The assessment of an address (`/v1/assess/ip/212.231.12.22`).
    Assessment(IpAddr),
    /// A datacenter by id (`/v1/datacenter/MICROSOFT_CORPORATION`).
    Datacenter(String),
    /// The prefixes of a datacenter (`/v1/datacenter/MICROSOFT_CORPORATION/prefixes`).
    DatacenterPrefixes(String),
    /// A datacenter prefix (`/v1/datacenter/prefix/20.33.0.0%252F16`).
    DatacenterPrefix(IpNet),
    /// The datacenter prefix an address belongs to (`/v1/datacenter/ip/20.33.1.1`).
    DatacenterOfIp(IpAddr),
    /// A platform dataset by name (`/v1/dataset/ip/FORUM_ACCOUNT_ABUSE`).
    Dataset(String),
    /// A data source by name (`/v1/source/ip/STOPFORUMSPAM_TOXIC`).
    Source(String),
    /// A data source over a time range (`/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D`).
    SourceRange {
        /// The source's name.
        source: String,
        /// The time range (`1H` … `365D`).
        range: String,
    },
    /// One change of the data log (`/v1/log/ip/id/3394366`).
    LogChange(u64),
    /// The log of changes for an address (`/v1/log/ip/212.231.12.22`).
    IpLog(IpAddr),
    /// The geolocation of an address (`/v1/geo/8.8.8.8`).
    Geo(IpAddr),
    /// An address the caller reported (`/v1/denylist/reported/ip/193.122.61.187`).
    ReportedIp(IpAddr),
    /// The analysis of a user agent, decoded (`/v1/ua/Mozilla%2F5.0%20…`).
    UserAgent(String),
    /// A user-agent family (`/v1/ua/family/CHROME`).
    UaFamily(String),
    /// A user-agent operating system (`/v1/ua/os/WINDOWS10`).
    UaOs(String),
    /// A user-agent type (`/v1/ua/type/BROWSER`).
    UaType(String),
    /// A user-agent vendor (`/v1/ua/vendor/GOOGLEINC`).
    UaVendor(String),
    /// A user-agent device (`/v1/ua/device/DESKTOP`).
    UaDevice(String),
    /// One of the caller's allowlists (`/v1/allowlist/private/{uuid}`).
    PrivateAllowlist(Uuid),
    /// The entries of one of the caller's allowlists (`/v1/allowlist/private/{uuid}/content`).
    PrivateAllowlistContent(Uuid),
    /// A curated allowlist (`/v1/allowlist/public/{uuid}`).
    PublicAllowlist(Uuid),
    /// One of the caller's denylists (`/v1/denylist/private/{uuid}`).
    PrivateDenylist(Uuid),
    /// The entries of one of the caller's denylists (`/v1/denylist/private/{uuid}/content`).
    PrivateDenylistContent(Uuid),
    /// A curated denylist (`/v1/denylist/public/{uuid}`).
    PublicDenylist(Uuid),
    /// An origin status by id (`/v1/origin/status/detail/block`).
    OriginStatus(String),
    /// The caller's own API key and its quota (`/v1/token/…`). The key in the
    /// link is not kept.
    Token,
    /// A link this client does not know how to follow, or one that does not
    /// parse (a network with five octets), as the response held it.
    Unknown(String),
}

impl Link {
    /// Reads a link as a response holds it. An empty string (the service's way
    /// of saying "none") is `None`; anything unrecognised is [`Link::Unknown`].
    pub fn parse(link: &str) -> Option<Link> {
        let link = link.trim();
        if link.is_empty() {
            return None;
        }
        Some(recognise(link).unwrap_or_else(|| Link::Unknown(link.to_string())))
    }

    /// The name of the [`Resource`] variant that following this link gives, or
    /// `None` for [`Link::Unknown`].
    pub fn resource_kind(&self) -> Option<&'static str> {
        Some(match self {
            Link::Asn(_) => "Asn",
            Link::AsnPrefixes(_) => "AsnPrefixes",
            Link::AsnPrefix(_) | Link::AsnOfIp(_) => "AsnPrefix",
            Link::Registry(_) => "Registry",
            Link::RegistryStatus(_) => "RegistryStatus",
            Link::Assessment(_) => "Assessment",
            Link::Datacenter(_) => "Datacenter",
            Link::DatacenterPrefixes(_) => "DatacenterPrefixes",
            Link::DatacenterPrefix(_) | Link::DatacenterOfIp(_) => "DatacenterPrefix",
            Link::Dataset(_) => "Dataset",
            Link::Source(_) => "Source",
            Link::SourceRange { .. } => "SourceRange",
            Link::LogChange(_) => "LogChange",
            Link::IpLog(_) => "IpLog",
            Link::Geo(_) => "Geo",
            Link::ReportedIp(_) => "ReportedIp",
            Link::UserAgent(_) => "UserAgent",
            Link::UaFamily(_) => "UaFamily",
            Link::UaOs(_) => "UaOs",
            Link::UaType(_) => "UaType",
            Link::UaVendor(_) => "UaVendor",
            Link::UaDevice(_) => "UaDevice",
            Link::PrivateAllowlist(_) | Link::PrivateDenylist(_) => "PrivateList",
            Link::PrivateAllowlistContent(_) | Link::PrivateDenylistContent(_) => "ListContent",
            Link::PublicAllowlist(_) | Link::PublicDenylist(_) => "PublicList",
            Link::OriginStatus(_) => "OriginStatus",
            Link::Token => "Token",
            Link::Unknown(_) => return None,
        })
    }
}

/// The link's path in the form the service writes it (prefixes doubly encoded),
/// so that `Link::parse(&link.to_string())` gives the link back.
impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seg = |s: &str| encode_path(s).to_string();
        // The `/` of a network, encoded twice as the service does.
        let net = |n: &IpNet| format!("{}%252F{}", n.addr(), n.prefix_len());
        match self {
            Link::Asn(n) => write!(f, "/v1/asn/{n}"),
            Link::AsnPrefixes(n) => write!(f, "/v1/asn/{n}/prefixes"),
            Link::AsnPrefix(n) => write!(f, "/v1/asn/prefix/{}", net(n)),
            Link::AsnOfIp(ip) => write!(f, "/v1/asn/ip/{ip}"),
            Link::Registry(c) => write!(f, "/v1/asn/registry/{}", seg(c)),
            Link::RegistryStatus(c) => write!(f, "/v1/asn/status/{}", seg(c)),
            Link::Assessment(ip) => write!(f, "/v1/assess/ip/{ip}"),
            Link::Datacenter(id) => write!(f, "/v1/datacenter/{}", seg(id)),
            Link::DatacenterPrefixes(id) => write!(f, "/v1/datacenter/{}/prefixes", seg(id)),
            Link::DatacenterPrefix(n) => write!(f, "/v1/datacenter/prefix/{}", net(n)),
            Link::DatacenterOfIp(ip) => write!(f, "/v1/datacenter/ip/{ip}"),
            Link::Dataset(name) => write!(f, "/v1/dataset/ip/{}", seg(name)),
            Link::Source(name) => write!(f, "/v1/source/ip/{}", seg(name)),
            Link::SourceRange { source, range } => {
                write!(f, "/v1/source/ip/{}/range/{}", seg(source), seg(range))
            }
            Link::LogChange(id) => write!(f, "/v1/log/ip/id/{id}"),
            Link::IpLog(ip) => write!(f, "/v1/log/ip/{ip}"),
            Link::Geo(ip) => write!(f, "/v1/geo/{ip}"),
            Link::ReportedIp(ip) => write!(f, "/v1/denylist/reported/ip/{ip}"),
            Link::UserAgent(ua) => write!(f, "/v1/ua/{}", seg(ua)),
            Link::UaFamily(c) => write!(f, "/v1/ua/family/{}", seg(c)),
            Link::UaOs(c) => write!(f, "/v1/ua/os/{}", seg(c)),
            Link::UaType(c) => write!(f, "/v1/ua/type/{}", seg(c)),
            Link::UaVendor(c) => write!(f, "/v1/ua/vendor/{}", seg(c)),
            Link::UaDevice(c) => write!(f, "/v1/ua/device/{}", seg(c)),
            Link::PrivateAllowlist(id) => write!(f, "/v1/allowlist/private/{id}"),
            Link::PrivateAllowlistContent(id) => write!(f, "/v1/allowlist/private/{id}/content"),
            Link::PublicAllowlist(id) => write!(f, "/v1/allowlist/public/{id}"),
            Link::PrivateDenylist(id) => write!(f, "/v1/denylist/private/{id}"),
            Link::PrivateDenylistContent(id) => write!(f, "/v1/denylist/private/{id}/content"),
            Link::PublicDenylist(id) => write!(f, "/v1/denylist/public/{id}"),
            Link::OriginStatus(id) => write!(f, "/v1/origin/status/detail/{}", seg(id)),
            Link::Token => f.write_str("/v1/token"),
            Link::Unknown(text) => f.write_str(text),
        }
    }
}

fn recognise(link: &str) -> Option<Link> {
    // Only server-relative paths of this API version: an absolute URL could name another host.
    let path = link.strip_prefix("/v1/")?;
    if path.contains(['?', '#']) {
        return None;
    }
    let decoded: Vec<_> = path.split('/').map(decode_segment).collect::<Option<_>>()?;
    let segments: Vec<&str> = decoded.iter().map(|s| &**s).collect();
    Some(match segments.as_slice() {
        ["asn", "ip", ip] => Link::AsnOfIp(ip.parse().ok()?),
        ["asn", "prefix", net] => Link::AsnPrefix(network(net)?),
        ["asn", "registry", code] if *code != "all" => Link::Registry(name(code)?),
        ["asn", "status", code] if *code != "all" => Link::RegistryStatus(name(code)?),
        ["asn", number] => Link::Asn(number.parse().ok()?),
        ["asn", number, "prefixes"] => Link::AsnPrefixes(number.parse().ok()?),
        ["assess", "ip", ip] => Link::Assessment(ip.parse().ok()?),
        ["datacenter", "ip", ip] => Link::DatacenterOfIp(ip.parse().ok()?),
        ["datacenter", "prefix", net] => Link::DatacenterPrefix(network(net)?),
        ["datacenter", id] => Link::Datacenter(name(id)?),
        ["datacenter", id, "prefixes"] => Link::DatacenterPrefixes(name(id)?),
        ["dataset", "ip", dataset] => Link::Dataset(name(dataset)?),
        ["source", "ip", source] => Link::Source(name(source)?),
        ["source", "ip", source, "range", range] => Link::SourceRange {
            source: name(source)?,
            range: name(range)?,
        },
        ["log", "ip", "id", id] => Link::LogChange(log_id(id)?),
        ["log", "ip", ip] => Link::IpLog(ip.parse().ok()?),
        ["geo", ip] => Link::Geo(ip.parse().ok()?),
        ["denylist", "reported", "ip", ip] => Link::ReportedIp(ip.parse().ok()?),
        ["ua", "family", code] => Link::UaFamily(name(code)?),
        ["ua", "os", code] => Link::UaOs(name(code)?),
        ["ua", "type", code] => Link::UaType(name(code)?),
        ["ua", "vendor", code] => Link::UaVendor(name(code)?),
        ["ua", "device", code] => Link::UaDevice(name(code)?),
        ["ua", agent] if *agent != "csv" => Link::UserAgent(name(agent)?),
        ["allowlist", "private", id] => Link::PrivateAllowlist(id.parse().ok()?),
        ["allowlist", "private", id, "content"] => Link::PrivateAllowlistContent(id.parse().ok()?),
        ["allowlist", "public", id] => Link::PublicAllowlist(id.parse().ok()?),
        ["denylist", "private", id] => Link::PrivateDenylist(id.parse().ok()?),
        ["denylist", "private", id, "content"] => Link::PrivateDenylistContent(id.parse().ok()?),
        ["denylist", "public", id] => Link::PublicDenylist(id.parse().ok()?),
        ["origin", "status", "detail", id] => Link::OriginStatus(name(id)?),
        ["token"] | ["token", _] => Link::Token,
        _ => return None,
    })
}

/// A name from a link. Empty and dot segments name nothing: followed, they
/// would be resolved away and the request would go elsewhere.
fn name(segment: &str) -> Option<String> {
    (!segment.is_empty() && !is_dot_segment(segment)).then(|| segment.to_string())
}

/// Log ids are non-negative and travel as the API's 64-bit signed integers.
fn log_id(segment: &str) -> Option<u64> {
    segment.parse::<i64>().ok()?.try_into().ok()
}

/// A network as the service writes it: its `/` escaped once more than the
/// segment needs, so decoding goes on while escapes are left (at most twice more).
fn network(segment: &str) -> Option<IpNet> {
    let mut text = segment.to_string();
    for _ in 0..2 {
        if !text.contains('%') {
            break;
        }
        text = decode_segment(&text)?.into_owned();
    }
    text.parse().ok()
}

/// Anything that names a link: a [`Link`], or the string a response holds.
pub trait AsLink {
    /// The link, or `None` for an empty one.
    fn as_link(&self) -> Option<Link>;
}

impl AsLink for Link {
    fn as_link(&self) -> Option<Link> {
        Some(self.clone())
    }
}

impl AsLink for str {
    fn as_link(&self) -> Option<Link> {
        Link::parse(self)
    }
}

impl AsLink for String {
    fn as_link(&self) -> Option<Link> {
        Link::parse(self)
    }
}

impl<T: AsLink + ?Sized> AsLink for &T {
    fn as_link(&self) -> Option<Link> {
        (**self).as_link()
    }
}

/// A typed answer [`Client::follow_as`] can return: the output of one of the
/// operations links point at.
pub trait LinkTarget: Sized {
    /// The name of the [`Resource`] variant that holds it.
    const KIND: &'static str;
    /// Takes it out of a resource of its kind.
    fn from_resource(resource: Resource) -> Option<Self>;
}

/// Declares [`Resource`] and makes each of its types a [`LinkTarget`].
macro_rules! resources {
    ($($(#[doc = $doc:literal])* $variant:ident($ty:ty),)*) => {
        /// What a followed link points at: the decoded answer of the operation
        /// that fetches it.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Resource {
            $($(#[doc = $doc])* $variant($ty),)*
        }

        impl Resource {
            /// The variant's name, as [`Link::resource_kind`] gives it.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Resource::$variant(_) => stringify!($variant),)*
                }
            }
        }

        $(impl LinkTarget for $ty {
            const KIND: &'static str = stringify!($variant);
            fn from_resource(resource: Resource) -> Option<Self> {
                match resource {
                    Resource::$variant(value) => Some(value),
                    _ => None,
                }
            }
        })*
    };
}

resources! {
    /// An Autonomous System.
    Asn(types::AutonomousSystemOutput),
    /// The prefixes of an Autonomous System.
    AsnPrefixes(types::AutonomousSystemPrefixesOutput),
    /// An announced prefix and its AS.
    AsnPrefix(types::AutonomousSystemPrefixOutput),
    /// A Regional Internet Registry.
    Registry(types::AutonomousSystemRegistryOutput),
    /// A registry status.
    RegistryStatus(types::AutonomousSystemStatusOutput),
    /// The assessment of an address.
    Assessment(types::IpAssessmentOutput),
    /// A datacenter.
    Datacenter(types::DatacenterOutput),
    /// The prefixes of a datacenter.
    DatacenterPrefixes(types::DatacenterPrefixesOutput),
    /// A datacenter prefix.
    DatacenterPrefix(types::DatacenterPrefixOutput),
    /// A platform dataset.
    Dataset(types::DatasetTypeOutput),
    /// A data source.
    Source(types::SourceOutput),
    /// A data source over a time range.
    SourceRange(types::SourceTimeRangeOutput),
    /// One change of the data log.
    LogChange(types::IpLogOutput),
    /// The log of changes for an address.
    IpLog(types::IpLogCollectionOutput),
    /// The geolocation of an address.
    Geo(types::GeoIpOutput),
    /// An address the caller reported.
    ReportedIp(types::IpListOutput),
    /// The analysis of a user agent.
    UserAgent(types::UaOutput),
    /// A user-agent family.
    UaFamily(types::FamilyOutput),
    /// A user-agent operating system.
    UaOs(types::OsOutput),
    /// A user-agent type.
    UaType(types::TypeOutput),
    /// A user-agent vendor.
    UaVendor(types::VendorOutput),
    /// A user-agent device.
    UaDevice(types::DeviceOutput),
    /// One of the caller's allow- or denylists.
    PrivateList(types::PrivateAclGroupListOutput),
    /// The first page of the entries of one of the caller's lists (the
    /// `*_content_pages` streams walk them all).
    ListContent(types::PrivateAclListCollectionOutput),
    /// A curated allow- or denylist.
    PublicList(types::PublicAclGroupListOutput),
    /// An origin status.
    OriginStatus(types::OriginStatusDetailsOutput),
    /// The caller's API key and its quota. Its `self_` holds the key: do not log it.
    Token(types::TokenOutput),
}

impl Client {
    /// Fetches what a link points at and decodes it as the operation that
    /// serves it. An empty link is `Ok(None)`: the service writes `""` when
    /// there is nothing to point at (an address in no datacenter).
    ///
    /// Links to networks are followed with the prefix lookups (`POST
    /// /v1/asn/prefix`, `POST /v1/datacenter/prefix`), since the service has no
    /// `GET` for the paths it writes. A [`Link::Unknown`] is an
    /// [`Error::Link`], and nothing is sent.
    ///
    /// ```no_run
    /// # async fn demo(tj: threatjammer::Client) -> Result<(), threatjammer::Error> {
    /// let a = tj.assess_ip("212.231.12.22".parse().unwrap()).await?;
    /// if let Some(threatjammer::Resource::Asn(asn)) = tj.follow(&a.asn).await? {
    ///     println!("{} {:?}", asn.name, asn.risk);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn follow(&self, link: &(impl AsLink + ?Sized)) -> Result<Option<Resource>, Error> {
        let Some(link) = link.as_link() else {
            return Ok(None);
        };
        let path = link.to_string();
        let resource = match link {
            Link::Asn(_) => Resource::Asn(self.get_path("get_asn", &path).await?),
            Link::AsnPrefixes(_) => {
                Resource::AsnPrefixes(self.get_path("list_asn_prefixes", &path).await?)
            }
            Link::AsnPrefix(net) => Resource::AsnPrefix(
                self.lookup_asn_prefix(net.to_string())
                .await?,
            ),
            Link::AsnOfIp(_) => Resource::AsnPrefix(self.get_path("get_asn_of_ip", &path).await?),
            Link::Registry(_) => Resource::Registry(self.get_path("get_registry", &path).await?),
            Link::RegistryStatus(_) => {
                Resource::RegistryStatus(self.get_path("get_registry_status", &path).await?)
            }
            Link::Assessment(_) => Resource::Assessment(self.get_path("assess_ip", &path).await?),
            Link::Datacenter(_) => {
                Resource::Datacenter(self.get_path("get_datacenter", &path).await?)
            }
            Link::DatacenterPrefixes(_) => Resource::DatacenterPrefixes(
                self.get_path("list_datacenter_prefixes", &path).await?,
            ),
            Link::DatacenterPrefix(net) => Resource::DatacenterPrefix(
                self.lookup_datacenter_prefix(net.to_string())
                .await?,
            ),
            Link::DatacenterOfIp(_) => {
                Resource::DatacenterPrefix(self.get_path("get_datacenter_of_ip", &path).await?)
            }
            Link::Dataset(_) => Resource::Dataset(self.get_path("get_dataset", &path).await?),
            Link::Source(_) => Resource::Source(self.get_path("get_source", &path).await?),
            Link::SourceRange { .. } => {
                Resource::SourceRange(self.get_path("get_source_time_range", &path).await?)
            }
            Link::LogChange(_) => {
                Resource::LogChange(self.get_path("get_log_change", &path).await?)
            }
            Link::IpLog(_) => {
                Resource::IpLog(self.get_path("list_log_changes_of_ip", &path).await?)
            }
            Link::Geo(_) => Resource::Geo(self.get_path("geolocate_ip", &path).await?),
            Link::ReportedIp(_) => {
                Resource::ReportedIp(self.get_path("get_reported_ip", &path).await?)
            }
            Link::UserAgent(_) => {
                Resource::UserAgent(self.get_path("parse_user_agent", &path).await?)
            }
            Link::UaFamily(_) => Resource::UaFamily(self.get_path("get_ua_family", &path).await?),
            Link::UaOs(_) => Resource::UaOs(self.get_path("get_ua_os", &path).await?),
            Link::UaType(_) => Resource::UaType(self.get_path("get_ua_type", &path).await?),
            Link::UaVendor(_) => Resource::UaVendor(self.get_path("get_ua_vendor", &path).await?),
            Link::UaDevice(_) => Resource::UaDevice(self.get_path("get_ua_device", &path).await?),
            Link::PrivateAllowlist(_) => {
                Resource::PrivateList(self.get_path("get_private_allowlist", &path).await?)
            }
            Link::PrivateDenylist(_) => {
                Resource::PrivateList(self.get_path("get_private_denylist", &path).await?)
            }
            Link::PrivateAllowlistContent(_) => Resource::ListContent(
                self.get_path("get_private_allowlist_content", &path)
                    .await?,
            ),
            Link::PrivateDenylistContent(_) => {
                Resource::ListContent(self.get_path("get_private_denylist_content", &path).await?)
            }
            Link::PublicAllowlist(_) => {
                Resource::PublicList(self.get_path("get_public_allowlist", &path).await?)
            }
            Link::PublicDenylist(_) => {
                Resource::PublicList(self.get_path("get_public_denylist", &path).await?)
            }
            Link::OriginStatus(_) => {
                Resource::OriginStatus(self.get_path("describe_origin_status", &path).await?)
            }
            Link::Token => Resource::Token(self.get_path("get_token", &path).await?),
            Link::Unknown(text) => {
                return Err(self.link_error(&text, "it names nothing this client can fetch".into()))
            }
        };
        Ok(Some(resource))
    }

    /// Like [`Client::follow`], for a link whose kind is known:
    /// `tj.follow_as::<types::AutonomousSystemOutput>(&assessment.asn)`.
    /// A link to another kind of resource is an [`Error::Link`], found before
    /// anything is sent.
    pub async fn follow_as<T: LinkTarget>(
        &self,
        link: &(impl AsLink + ?Sized),
    ) -> Result<Option<T>, Error> {
        let Some(link) = link.as_link() else {
            return Ok(None);
        };
        if link.resource_kind() != Some(T::KIND) {
            let reason = format!(
                "it points to {}, not {}",
                link.resource_kind()
                    .unwrap_or("nothing this client can fetch"),
                T::KIND
            );
            return Err(self.link_error(&link.to_string(), reason));
        }
        match self.follow(&link).await? {
            None => Ok(None),
            Some(resource) => {
                let kind = resource.kind();
                T::from_resource(resource).map(Some).ok_or_else(|| {
                    self.link_error(
                        &link.to_string(),
                        format!("it gave {kind}, not {}", T::KIND),
                    )
                })
            }
        }
    }

    /// The link came from a response, so it may hold anything a server chose,
    /// the key included.
    fn link_error(&self, link: &str, reason: String) -> Error {
        Error::Link {
            link: link.to_string(),
            reason,
        }
        .redacted(&self.hook_state().redactor)
    }

    /// `GET` of a path built from a link, as the operation that serves it.
    ///
    /// Hand-built rather than through the generated methods because the path is
    /// already in hand, exactly as the service wrote it: decoding it into typed
    /// arguments only to encode them again could only lose something.
    async fn get_path<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        operation_id: &'static str,
        path: &str,
    ) -> Result<T, Error> {
        // Checked before sending: a link is data a server wrote, and a segment
        // the URL parser would resolve away must not send the key elsewhere.
        if let Err(refused) = self.hook_state().check_path(path) {
            return Err(self.link_error(path, refused.to_string()));
        }
        self.send(operation_id, |http, base| http.get(format!("{base}{path}")))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_links_parse() {
        let cases = [
            ("/v1/asn/15704", Link::Asn(15704)),
            ("/v1/asn/15169/prefixes", Link::AsnPrefixes(15169)),
            (
                "/v1/asn/prefix/212.231.0.0%252F16",
                Link::AsnPrefix("212.231.0.0/16".parse().unwrap()),
            ),
            (
                "/v1/asn/prefix/2.58.148.0%2F22",
                Link::AsnPrefix("2.58.148.0/22".parse().unwrap()),
            ),
            ("/v1/asn/registry/arin", Link::Registry("arin".into())),
            (
                "/v1/asn/status/assigned",
                Link::RegistryStatus("assigned".into()),
            ),
            (
                "/v1/datacenter/MICROSOFT_CORPORATION",
                Link::Datacenter("MICROSOFT_CORPORATION".into()),
            ),
            ("/v1/log/ip/id/3394366", Link::LogChange(3394366)),
            (
                "/v1/dataset/ip/FORUM_ACCOUNT_ABUSE",
                Link::Dataset("FORUM_ACCOUNT_ABUSE".into()),
            ),
            (
                "/v1/source/ip/STOPFORUMSPAM_TOXIC/range/7D",
                Link::SourceRange {
                    source: "STOPFORUMSPAM_TOXIC".into(),
                    range: "7D".into(),
                },
            ),
            ("/v1/ua/family/CHROME", Link::UaFamily("CHROME".into())),
            (
                "/v1/ua/Mozilla%2F5.0%20%28X11%29",
                Link::UserAgent("Mozilla/5.0 (X11)".into()),
            ),
            (
                "/v1/assess/ip/212.231.12.22",
                Link::Assessment("212.231.12.22".parse().unwrap()),
            ),
            (
                "/v1/denylist/reported/ip/2001:db8::1",
                Link::ReportedIp("2001:db8::1".parse().unwrap()),
            ),
            (
                "/v1/token/tja_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
                Link::Token,
            ),
        ];
        for (text, link) in cases {
            assert_eq!(Link::parse(text), Some(link.clone()), "{text}");
            // The canonical form reads back as the same link.
            assert_eq!(Link::parse(&link.to_string()), Some(link), "{text}");
        }
    }

    #[test]
    fn odd_links_are_unknown_or_none() {
        assert_eq!(Link::parse(""), None);
        assert_eq!(Link::parse("  "), None);
        for text in [
            "/v1/asn/prefix/212.231.0.0.0%252F16",
            "/v1/asn/not-a-number",
            "/v1/asn/registry/all",
            "/v1/log/ip/id/-4",
            "/v1/origin/addresses?query=https://example.com",
            "https://elsewhere.example/v1/asn/1",
            "/v2/asn/1",
            "/v1/datacenter/",
            "/v1/allowlist/private/not-a-uuid",
        ] {
            assert_eq!(
                Link::parse(text),
                Some(Link::Unknown(text.to_string())),
                "{text}"
            );
        }
    }
}
