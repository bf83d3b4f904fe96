//! `threatjammer lists allow|deny ...`: the caller's private allow- and denylists.
//!
//! The two families of operations have the same shapes but are separate
//! methods on the client with their own request and parameter types, so each
//! action matches on the [`Kind`] and calls the one it names. Going through the
//! typed methods means the arguments are checked while the command line is
//! parsed (list ids as UUIDs, tags against the service's pattern) and a change
//! of the spec that touches these operations shows up here at compile time.

use crate::exit::Failure;
use crate::to_json;
use clap::{Subcommand, ValueEnum};
use serde_json::Value;
use std::num::NonZeroU64;
use threatjammer::types::{
    ListPrivateAllowlistsByTypeResourceType, ListPrivateDenylistsByTypeResourceType,
    PrivateAclGroupListInput, PrivateAclGroupListInputResourceType,
    PrivateAclGroupListInputTagsItem,
};
use threatjammer::{Client, Uuid};

/// Which family of lists a command works on.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Allow,
    Deny,
}

#[derive(Subcommand)]
pub enum ListAction {
    /// List your lists, or only those of one resource type
    List {
        #[arg(long = "type", value_enum)]
        resource: Option<Resource>,
    },
    /// Show one list: name, description, type, dates, origins
    Show { id: Uuid },
    /// Create a list and print its id
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// What the list holds
        #[arg(long = "type", value_enum)]
        resource: Resource,
        /// A tag (upper-case letters, digits and dashes); repeat for more
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<PrivateAclGroupListInputTagsItem>,
        /// Delete the list after this many seconds
        // The body takes an i64; the range keeps refusing negative values here.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(0..))]
        ttl: Option<i64>,
    },
    /// Delete a list with its entries
    Delete { id: Uuid },
    /// Show a list's entries; with --add or --remove, change them instead
    Content {
        id: Uuid,
        /// An entry to add (a CIDR, AS number, country, ...); repeat for more
        #[arg(long = "add", value_name = "ENTRY")]
        add: Vec<String>,
        /// An entry to remove; repeat for more
        #[arg(long = "remove", value_name = "ENTRY")]
        remove: Vec<String>,
        /// The page to show, from 1
        #[arg(long, conflicts_with_all = ["add", "remove"])]
        page: Option<NonZeroU64>,
        /// Entries a page
        #[arg(long, conflicts_with_all = ["add", "remove"],
              value_parser = clap::value_parser!(i64).range(0..))]
        page_size: Option<i64>,
    },
}

/// The kinds of resource a list holds.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Resource {
    Cidr,
    Country,
    Continent,
    As,
    Datacenter,
    Useragent,
}

// The API spells the resource type in three places with three types (the two
// listing paths in lower case, the creation body in upper case); one
// conversion each keeps the command line's single `--type`.

impl From<Resource> for ListPrivateAllowlistsByTypeResourceType {
    fn from(resource: Resource) -> Self {
        match resource {
            Resource::Cidr => Self::Cidr,
            Resource::Country => Self::Country,
            Resource::Continent => Self::Continent,
            Resource::As => Self::As,
            Resource::Datacenter => Self::Datacenter,
            Resource::Useragent => Self::Useragent,
        }
    }
}

impl From<Resource> for ListPrivateDenylistsByTypeResourceType {
    fn from(resource: Resource) -> Self {
        match resource {
            Resource::Cidr => Self::Cidr,
            Resource::Country => Self::Country,
            Resource::Continent => Self::Continent,
            Resource::As => Self::As,
            Resource::Datacenter => Self::Datacenter,
            Resource::Useragent => Self::Useragent,
        }
    }
}

impl From<Resource> for PrivateAclGroupListInputResourceType {
    fn from(resource: Resource) -> Self {
        match resource {
            Resource::Cidr => Self::Cidr,
            Resource::Country => Self::Country,
            Resource::Continent => Self::Continent,
            Resource::As => Self::As,
            Resource::Datacenter => Self::Datacenter,
            Resource::Useragent => Self::Useragent,
        }
    }
}

/// Runs one action and returns the answer as JSON for printing; changes the
/// service only accepts (delete, content updates) answer `null`.
pub async fn run(client: &Client, kind: Kind, action: ListAction) -> Result<Value, Failure> {
    use Kind::{Allow, Deny};
    let answer = match action {
        ListAction::List { resource: None } => match kind {
            Allow => to_json(client.list_private_allowlists().await?),
            Deny => to_json(client.list_private_denylists().await?),
        },
        ListAction::List {
            resource: Some(resource),
        } => match kind {
            Allow => to_json(
                client
                    .list_private_allowlists_by_type(resource.into())
                    .await?,
            ),
            Deny => to_json(
                client
                    .list_private_denylists_by_type(resource.into())
                    .await?,
            ),
        },
        ListAction::Show { id } => match kind {
            Allow => to_json(client.get_private_allowlist(id).await?),
            Deny => to_json(client.get_private_denylist(id).await?),
        },
        ListAction::Create {
            name,
            description,
            resource,
            tags,
            ttl,
        } => {
            let mut payload =
                PrivateAclGroupListInput::new(description, name, resource.into(), tags);
            if let Some(ttl) = ttl {
                payload = payload.ttl(ttl);
            }
            match kind {
                Allow => to_json(client.create_private_allowlist(payload).await?),
                Deny => to_json(client.create_private_denylist(payload).await?),
            }
        }
        ListAction::Delete { id } => match kind {
            Allow => to_json(client.delete_private_allowlist(id).await?),
            Deny => to_json(client.delete_private_denylist(id).await?),
        },
        ListAction::Content {
            id,
            add,
            remove,
            page,
            page_size,
        } if add.is_empty() && remove.is_empty() => match kind {
            Allow => {
                let mut request = client.get_private_allowlist_content(id);
                if let Some(page) = page {
                    request = request.page(page);
                }
                if let Some(size) = page_size {
                    request = request.page_size(size);
                }
                to_json(request.await?)
            }
            Deny => {
                let mut request = client.get_private_denylist_content(id);
                if let Some(page) = page {
                    request = request.page(page);
                }
                if let Some(size) = page_size {
                    request = request.page_size(size);
                }
                to_json(request.await?)
            }
        },
        ListAction::Content {
            id, add, remove, ..
        } => match kind {
            Allow => to_json(
                client
                    .update_private_allowlist_content(id)
                    .append(add)
                    .remove(remove)
                    .await?,
            ),
            Deny => to_json(
                client
                    .update_private_denylist_content(id)
                    .append(add)
                    .remove(remove)
                    .await?,
            ),
        },
    };
    Ok(answer)
}
