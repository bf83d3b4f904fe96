// Each section's `<!-- areas: … -->` line (hidden when rendered) names the
// `area` facts (openapi/operations.overlay.yaml) whose methods link to it. The
// build reads the headings and these lines (build/docs_passes.rs), so this
// file is the one place that says which section shows which area.

//! The API area by area, with a short example of each.
//!
//! Every operation is a method on [`Client`](crate::Client) named after its
//! operation id; the method takes the required arguments and returns a
//! request builder ([`crate::request`]) with a setter for each optional one,
//! sent when awaited. Each method's documentation links to its area's section
//! here. The examples assume a client made once and shared:
//!
//! ```no_run
//! # fn demo() -> Result<(), threatjammer::BuildError> {
//! // The key from THREATJAMMER_API_KEY, the region `dublin` unless THREATJAMMER_REGION says otherwise.
//! let tj = threatjammer::Client::from_env()?;
//! # let _ = tj; Ok(()) }
//! ```
//!
//! Answers are printed with `{:?}` on purpose: the examples show which call
//! gives what, and the answer types' fields are documented in
//! [`crate::types`].
//!
//! # IP assessment
//! <!-- areas: assess -->
//!
//! The risk of an address: a score from 0 to 99, the risk level in words, why,
//! and links to what the service knows about it (its AS, its datacenter, the
//! datasets that list it). [`Client::assess_ips`](crate::Client::assess_ips)
//! takes several addresses in one request, `assess_ips_csv` a file of them,
//! and [`Client::assess_many`](crate::Client::assess_many) any number, in
//! batches ([`crate::bulk`]).
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let a = tj.assess_ip("212.231.12.22".parse()?).await?;
//! println!("score {:?}, risk {:?}: {}", a.score, a.risk, a.reason);
//!
//! let several = tj
//!     .assess_ips(vec!["8.8.8.8".into(), "2001:4860:4860::8888".into()])
//!     .await?;
//! println!("{several:?}");
//! # Ok(()) }
//! ```
//!
//! # Autonomous systems
//! <!-- areas: asn -->
//!
//! An AS by number, the AS and announced prefix of an address, an AS's
//! prefixes, and the Regional Internet Registries and record statuses the
//! answers refer to.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use threatjammer::types::GetRegistryCode;
//! let google = tj.get_asn(15169).await?;
//! println!("{} ({:?})", google.name, google.country_code);
//! let of_ip = tj.get_asn_of_ip("8.8.8.8".parse()?).await?;
//! let prefixes = tj.list_asn_prefixes(15169).await?;
//! let ripe = tj.get_registry(GetRegistryCode::Ripencc).await?;
//! println!("{of_ip:?}\n{prefixes:?}\n{ripe:?}");
//! # Ok(()) }
//! ```
//!
//! # Datacenters
//! <!-- areas: datacenter -->
//!
//! Whether an address belongs to a datacenter or hosting provider, and which;
//! a datacenter by id and its prefixes. A datacenter id is checked against the
//! spec's pattern when it is parsed, before anything is sent.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let prefix = tj.get_datacenter_of_ip("3.5.140.2".parse()?).await?;
//! println!("{prefix:?}");
//! let aws = tj.get_datacenter("AWS".parse()?).await?;
//! println!("{aws:?}");
//! # Ok(()) }
//! ```
//!
//! # Geolocation
//! <!-- areas: geo -->
//!
//! Where an address is: continent, country, region, city, coordinates and time
//! zone. [`Client::geolocate_ips`](crate::Client::geolocate_ips) takes several,
//! `geolocate_ips_csv` a file, and
//! [`Client::geolocate_many`](crate::Client::geolocate_many) any number.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let place = tj.geolocate_ip("212.231.12.22".parse()?).await?;
//! println!("{place:?}");
//! # Ok(()) }
//! ```
//!
//! # Datasets
//! <!-- areas: dataset -->
//!
//! The IP datasets the assessments draw on (each made of source lists), all of
//! them or one by name.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let all = tj.list_datasets().await?;
//! println!("{all:?}");
//! let tor = tj.get_dataset("TOR".parse()?).await?;
//! println!("{tor:?}");
//! # Ok(()) }
//! ```
//!
//! # Sources
//! <!-- areas: source -->
//!
//! The source lists the caller's plan can see, one of them, and one age range
//! of one (`1H` to `365D`), each with its score and risk level.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use threatjammer::types::GetSourceTimeRangeTimeRange;
//! let sources = tj.list_sources().await?;
//! println!("{sources:?}");
//! let last_day = tj
//!     .get_source_time_range("TOR_EXIT_NODES".parse()?, GetSourceTimeRangeTimeRange::X1d)
//!     .await?;
//! println!("{last_day:?}");
//! # Ok(()) }
//! ```
//!
//! # Logs
//! <!-- areas: log -->
//!
//! The recorded changes to the datasets: those concerning one address
//! (optionally in one dataset, or after a time), and one change by its id.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let changes = tj
//!     .list_log_changes_of_ip("212.231.12.22".parse()?)
//!     .dataset("TOR".parse()?)
//!     .await?;
//! println!("{changes:?}");
//! let one = tj.get_log_change(1).await?;
//! println!("{one:?}");
//! # Ok(()) }
//! ```
//!
//! # Allowlists and denylists
//! <!-- areas: allowlist denylist reported -->
//!
//! Public lists are curated by the service and switched on or off per caller;
//! private lists are the caller's own (networks, countries, continents, AS
//! numbers, datacenters or user agents), applied to the caller's origins. The
//! addresses the caller reports are a denylist of their own
//! (`list_reported_ips`, and `export_reported_ips` for its CSV and AWS WAF
//! forms). Creating and changing lists is never repeated by the retry policy:
//! a repeated create would make two lists.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use threatjammer::types::{self, ListPublicDenylistsByTypeResourceType};
//! let addr = "212.231.12.22".parse()?;
//! let covering = tj.find_ip_in_public_denylists(addr).await?;
//! println!("{covering:?}");
//! let by_country = tj
//!     .list_public_denylists_by_type(ListPublicDenylistsByTypeResourceType::Country)
//!     .await?;
//! println!("{by_country:?}");
//!
//! let list = types::PrivateAclGroupListInput::new(
//!     "Networks we do not take sign-ups from",
//!     "signup-blocks",
//!     types::PrivateAclGroupListInputResourceType::Cidr,
//!     vec!["SIGNUP".parse()?],
//! );
//! let id = tj.create_private_denylist(list).await?;
//! tj.update_private_denylist_content(id)
//!     .append(vec!["198.51.100.0/24".into()])
//!     .await?;
//!
//! let reported = tj.list_reported_ips().dataset("TOR".parse()?).await?;
//! println!("{reported:?}");
//! # Ok(()) }
//! ```
//!
//! # User agents
//! <!-- areas: ua -->
//!
//! What a user agent string is (client or crawler, family, vendor, operating
//! system, device, how common), one string or several at once, and the
//! descriptions of the codes the answers use. The string is passed as it is;
//! the client encodes it for the path.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let ua = tj
//!     .parse_user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
//!     .await?;
//! println!("{ua:?}");
//! let several = tj.parse_user_agents(vec!["curl/8.4.0".into()]).await?;
//! println!("{several:?}");
//! # Ok(()) }
//! ```
//!
//! # Origins
//! <!-- areas: origin origin_token -->
//!
//! The caller's web sites: their configuration, the snippets that add the
//! detection library to their pages, the status of their visitors (by address
//! or tracking cookie), their traffic, and the origin tokens the library
//! authenticates with. An origin is named by its scheme and domain.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::TryStreamExt;
//! let origins = tj.list_origins().await?;
//! println!("{origins:?}");
//! let scripts = tj.get_origin_scripts("https://shop.example.com").await?;
//! println!("{scripts:?}");
//! // A paged listing as a stream of every page, from the first to the last.
//! let pages: Vec<_> = tj
//!     .list_origin_address_statuses("https://shop.example.com")
//!     .page_size(100)
//!     .pages()
//!     .try_collect()
//!     .await?;
//! println!("{} pages", pages.len());
//! let tokens = tj.list_origin_tokens().await?;
//! println!("{tokens:?}");
//! # Ok(()) }
//! ```
//!
//! # Tokens
//! <!-- areas: token -->
//!
//! The caller's own API token: its quota (used, and when it refills) and what
//! it has been used for. The client's quota guard never holds back reading
//! the token, since that is how it learns the quota refilled;
//! [`Client::fetch_quota`](crate::Client::fetch_quota) reads it into the guard.
//!
//! ```no_run
//! # async fn demo(tj: threatjammer::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let token = tj.get_token().await?;
//! println!("{token:?}");
//! let recent = tj.list_token_activity().page_size(20).await?;
//! println!("{recent:?}");
//! # Ok(()) }
//! ```
