//! The caller's allow- and denylists, kept for one server's lifetime so that
//! what a test creates, changes and deletes reads back the way the service
//! documents: a created list is listed and readable, a change shows, and a
//! deleted list, a cleared content or a public list taken out of the
//! selection answers `404`, as does an id the mock never knew.
//!
//! The lists of the fixtures exist from the start; the first change to one
//! copies its fixture answer here. Memory stays bounded: ids are kept only
//! for lists that exist (at most [`MAX_LISTS`] created, plus the fixtures'),
//! and their entries are capped by [`MAX_ENTRIES`] in all, past which the
//! content update answers the documented `413`.

use super::{Body, MockRequest, MockResponse, State};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Lists a server creates at most; one more is refused with `400`.
const MAX_LISTS: usize = 1_000;
/// Entries the created and changed lists hold at most, together.
const MAX_ENTRIES: usize = 100_000;

/// `("allowlist" | "denylist", id)`.
type Key = (&'static str, String);

#[derive(Default)]
pub(super) struct Lists {
    /// Private lists created or changed through the mock, as `GET` answers them.
    private: HashMap<Key, Value>,
    /// Their content, by the answer's field (`cidrs`, `asns`, …).
    content: HashMap<Key, Vec<Value>>,
    deleted: HashSet<Key>,
    cleared: HashSet<Key>,
    /// Public lists taken out of the caller's selection.
    unselected: HashSet<Key>,
    /// For ids of created lists, so that two servers started alike create the same ids.
    created: u64,
}

impl Lists {
    fn entries(&self) -> usize {
        self.content.values().map(Vec::len).sum()
    }
}

/// The part of a list path: `/v1/{kind}/{scope}/{id}/…`.
struct Target {
    kind: &'static str,
    public: bool,
    id: Option<String>,
}

fn target(path: &str) -> Option<Target> {
    let mut segments = path.split('/').skip(2);
    let kind = match segments.next()? {
        "allowlist" => "allowlist",
        "denylist" => "denylist",
        _ => return None,
    };
    let public = match segments.next()? {
        "private" => false,
        "public" => true,
        _ => return None,
    };
    let id = segments
        .next()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(|id| id.to_string());
    Some(Target { kind, public, id })
}

fn not_found(what: &str) -> MockResponse {
    MockResponse::problem(404, "Not Found", &format!("No {what} with this id."))
}

fn accepted() -> MockResponse {
    MockResponse::empty(202)
}

/// The answer to a request for a list operation, or `None` to answer it from
/// the fixtures (a list of the fixtures, unchanged).
pub(super) fn answer(
    state: &State,
    operation: &str,
    request: &MockRequest,
    now_ms: u64,
) -> Option<MockResponse> {
    let target = target(&request.path)?;
    let kind = target.kind;
    let action = operation.split('_').next().unwrap_or("");
    if target.public {
        return public(state, operation, request, &target, action);
    }
    let listing = operation.starts_with("list_private_");
    if operation.starts_with("create_private_") {
        return Some(create(state, kind, request, now_ms));
    }
    if listing {
        return Some(listing_of(state, operation, kind, request));
    }
    let id = target.id?;
    let key = (kind, id);
    let known = {
        let lists = state.lock_lists();
        !lists.deleted.contains(&key)
            && (lists.private.contains_key(&key) || state.fixtures.knows_list(kind, false, &key.1))
    };
    if !known {
        return Some(not_found(&format!("private {kind}")));
    }
    let content = operation.ends_with("_content") || action == "clear";
    match (action, content) {
        ("get", false) => state
            .lock_lists()
            .private
            .get(&key)
            .cloned()
            .map(|list| MockResponse::json(200, list)),
        ("get", true) => content_page(state, &key, request),
        ("update", false) => {
            let mut list = materialized(state, &key)?;
            if let Some(Value::Object(changes)) = request.json() {
                for (field, value) in changes {
                    if held(&value) {
                        list[field] = value;
                    }
                }
            }
            list["updated_at"] = json!(now_ms);
            state.lock_lists().private.insert(key, list);
            Some(accepted())
        }
        ("update", true) => Some(update_content(state, key, request)),
        ("delete", false) => {
            let mut lists = state.lock_lists();
            lists.private.remove(&key);
            lists.content.remove(&key);
            lists.cleared.remove(&key);
            lists.deleted.insert(key);
            Some(accepted())
        }
        ("clear", _) => {
            let mut lists = state.lock_lists();
            lists.content.insert(key.clone(), Vec::new());
            lists.cleared.insert(key);
            Some(accepted())
        }
        // The origin statuses are answered from the fixtures, for lists that exist.
        _ => None,
    }
}

fn public(
    state: &State,
    operation: &str,
    request: &MockRequest,
    target: &Target,
    action: &str,
) -> Option<MockResponse> {
    let mut lists = state.lock_lists();
    if operation.starts_with("list_selected_public_") {
        let mut answer = match state.fixtures.best(operation, request, false) {
            Some(MockResponse {
                body: Body::Json(body),
                ..
            }) => body.clone(),
            _ => return None,
        };
        if let Some(shown) = answer["lists"].as_array_mut() {
            shown.retain(|list| {
                let id = list["self"]
                    .as_str()
                    .and_then(|l| l.rsplit('/').next())
                    .unwrap_or("");
                !lists.unselected.contains(&(target.kind, id.to_string()))
            });
        }
        return Some(MockResponse::json(200, answer));
    }
    let id = target.id.clone()?;
    let key = (target.kind, id);
    if !state.fixtures.knows_list(target.kind, true, &key.1) {
        return Some(not_found(&format!("public {}", target.kind)));
    }
    match action {
        "remove" => {
            lists.unselected.insert(key);
            Some(accepted())
        }
        // Setting a status selects the list again.
        "set" if !operation.ends_with("_origin_status") => {
            lists.unselected.remove(&key);
            None
        }
        _ if lists.unselected.contains(&key) => Some(not_found(&format!("public {}", target.kind))),
        _ => None,
    }
}

fn create(state: &State, kind: &'static str, request: &MockRequest, now_ms: u64) -> MockResponse {
    let payload = request
        .json()
        .map(|body| body["payload"].clone())
        .unwrap_or(Value::Null);
    let mut lists = state.lock_lists();
    if lists.private.len() >= MAX_LISTS {
        return MockResponse::problem(
            400,
            "Bad Request",
            &format!("The mock keeps at most {MAX_LISTS} lists."),
        );
    }
    lists.created += 1;
    let id = created_id(kind, lists.created);
    let link = format!("/v1/{kind}/private/{id}");
    let mut list = json!({
        "self": link,
        "name": payload["name"],
        "description": payload["description"],
        "resource_type": payload["resource_type"],
        "list_type": if kind == "allowlist" { "ALLOW" } else { "DENY" },
        "tags": payload["tags"],
        "created_at": now_ms,
        "updated_at": now_ms,
        "content": format!("{link}/content"),
        "origins": { "self": format!("{link}/origin"), "lists": [] },
    });
    if let Some(ttl) = payload.get("ttl").filter(|ttl| held(ttl)) {
        list["ttl"] = ttl.clone();
    }
    let key = (kind, id.to_string());
    lists.content.insert(key.clone(), Vec::new());
    lists.private.insert(key, list);
    MockResponse::json(202, Value::String(id.to_string()))
}

/// Whether the mock keeps a value it is sent: not a number past 64 bits,
/// which JSON here cannot carry back as the integer it was (the service's
/// integers are 64-bit too).
fn held(value: &Value) -> bool {
    !value.is_number() || value.is_i64() || value.is_u64()
}

/// A version 4 UUID that depends only on the list kind and how many lists the server made.
fn created_id(kind: &str, n: u64) -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        for byte in kind.bytes().chain(n.to_le_bytes()).chain([i as u8]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The list as kept here, copied from its fixture on the first change.
fn materialized(state: &State, key: &Key) -> Option<Value> {
    if let Some(list) = state.lock_lists().private.get(key) {
        return Some(list.clone());
    }
    let read = MockRequest {
        method: "GET".to_string(),
        path: format!("/v1/{}/private/{}", key.0, key.1),
        query: None,
        operation: None,
        headers: Vec::new(),
        body: Vec::new(),
    };
    match state
        .fixtures
        .best(&format!("get_private_{}", key.0), &read, false)
    {
        Some(MockResponse {
            body: Body::Json(list),
            ..
        }) => Some(list.clone()),
        _ => None,
    }
}

/// The field of the content answer that holds a list's entries.
pub(super) fn content_field(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "CIDR" => "cidrs",
        "COUNTRY" => "countries",
        "CONTINENT" => "continents",
        "AS" => "asns",
        "DATACENTER" => "datacenters",
        "USERAGENT" => "user_agents",
        _ => return None,
    })
}

/// The entries of a list that has changed here; `None` for a fixture list
/// whose content was never touched.
fn kept_content(state: &State, key: &Key) -> Option<Vec<Value>> {
    state.lock_lists().content.get(key).cloned()
}

fn content_page(state: &State, key: &Key, request: &MockRequest) -> Option<MockResponse> {
    if state.lock_lists().cleared.contains(key) {
        return Some(not_found(&format!("content of the private {}", key.0)));
    }
    let entries = kept_content(state, key)?;
    let list = materialized(state, key)?;
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let number = |name: &str, default: usize| {
        query
            .get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    };
    let (page, size) = (number("page", 1), number("page_size", 20));
    let mut answer = json!({
        "self": format!("{}?page={page}&page_size={size}", request.path),
    });
    if let Some(field) = list["resource_type"].as_str().and_then(content_field) {
        let shown: Vec<Value> = entries
            .into_iter()
            .skip(page.saturating_sub(1).saturating_mul(size))
            .take(size)
            .collect();
        answer[field] = Value::Array(shown);
    }
    Some(MockResponse::json(200, answer))
}

fn update_content(state: &State, key: Key, request: &MockRequest) -> MockResponse {
    let Some(list) = materialized(state, &key) else {
        return not_found(&format!("private {}", key.0));
    };
    let resource_type = list["resource_type"].as_str().unwrap_or("").to_string();
    let body = request.json().unwrap_or(Value::Null);
    // The spec takes any text; like the addresses of a batch that are not
    // public, entries that are not of the list's kind are skipped.
    let read = |name: &str| -> Vec<Value> {
        body[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| super::contract::content_entry(&resource_type, entry.as_str()?))
            .collect()
    };
    let (append, remove) = (read("append"), read("remove"));
    let mut entries =
        kept_content(state, &key).unwrap_or_else(|| fixture_content(state, &key, &resource_type));
    entries.retain(|entry| !remove.contains(entry));
    for entry in append {
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    let mut lists = state.lock_lists();
    let others = lists.entries() - lists.content.get(&key).map_or(0, Vec::len);
    if others + entries.len() > MAX_ENTRIES {
        return MockResponse::problem(
            413,
            "Payload Too Large",
            &format!("The lists hold at most {MAX_ENTRIES} entries in all."),
        );
    }
    lists.cleared.remove(&key);
    lists.private.entry(key.clone()).or_insert(list);
    lists.content.insert(key, entries);
    accepted()
}

/// The entries the fixture of a list's content shows.
fn fixture_content(state: &State, key: &Key, resource_type: &str) -> Vec<Value> {
    let read = MockRequest {
        method: "GET".to_string(),
        path: format!("/v1/{}/private/{}/content", key.0, key.1),
        query: None,
        operation: None,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let field = content_field(resource_type).unwrap_or("");
    match state
        .fixtures
        .best(&format!("get_private_{}_content", key.0), &read, false)
    {
        Some(MockResponse {
            body: Body::Json(page),
            ..
        }) => page[field].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `GET …/private/all` and `…/private/all/{resource_type}`: the fixtures'
/// lists that still exist, as changed here, then the ones created here.
fn listing_of(
    state: &State,
    operation: &str,
    kind: &'static str,
    request: &MockRequest,
) -> MockResponse {
    let wanted = operation.ends_with("_by_type").then(|| {
        request
            .path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase()
    });
    let mut answer = match state.fixtures.best(operation, request, false) {
        Some(MockResponse {
            body: Body::Json(body),
            ..
        }) => body.clone(),
        _ => json!({ "self": request.path, "lists": [] }),
    };
    let lists = state.lock_lists();
    let id_of = |list: &Value| {
        list["self"]
            .as_str()
            .and_then(|link| link.rsplit('/').next())
            .map(str::to_string)
            .unwrap_or_default()
    };
    let mut shown: Vec<Value> = answer["lists"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|list| {
            let key = (kind, id_of(list));
            !lists.deleted.contains(&key) && !lists.private.contains_key(&key)
        })
        .cloned()
        .collect();
    let mut kept: Vec<&Value> = lists
        .private
        .iter()
        .filter(|((k, _), _)| *k == kind)
        .map(|(_, list)| list)
        .collect();
    kept.sort_by_key(|list| (list["created_at"].as_u64(), id_of(list)));
    shown.extend(kept.into_iter().cloned());
    if let Some(wanted) = wanted {
        shown.retain(|list| list["resource_type"].as_str() == Some(wanted.as_str()));
    }
    answer["lists"] = Value::Array(shown);
    MockResponse::json(200, answer)
}
