//! The paged listings are walked page by page to the last one, and no further.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use threatjammer::{ApiKey, Client, Error};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tja_AAAAbbbbCCCCddddEEEEffffGGGGhhhh0123";

fn client(server: &MockServer) -> Client {
    Client::new(&server.uri(), ApiKey::new(KEY).unwrap()).unwrap()
}

fn activity(n: usize) -> Value {
    json!({"self": format!("/v1/token/activity/{n}"), "event": "QUERY", "description": "",
        "data": {}, "created_at": n, "source": {"address": "203.0.113.9", "ua_string": "curl/8",
        "status_code": 200, "uri": "/v1/asn/15169", "body": "", "method": "GET"}})
}

/// Mounts `page` of a listing at `at`, answering `body`.
async fn page(server: &MockServer, at: &str, number: u32, body: Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .and(query_param("page", number.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

fn pages_asked(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn token_activity_is_walked_to_the_short_last_page() {
    let server = MockServer::start().await;
    for (number, count) in [(1, 5), (2, 5), (3, 2)] {
        let activities: Vec<Value> = (0..count).map(activity).collect();
        let body = json!({"self": "/v1/token/activity", "page": number, "page_size": 5,
            "activities": activities});
        page(&server, "/v1/token/activity", number, body).await;
    }
    let pages: Vec<_> = client(&server)
        .list_token_activity()
        .page_size(5)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.activities.len()).collect();
    assert_eq!(sizes, [5, 5, 2]);
    assert_eq!(
        pages_asked(&server.received_requests().await.unwrap()),
        [
            "page=1&page_size=5",
            "page=2&page_size=5",
            "page=3&page_size=5"
        ]
    );
    server.verify().await;
}

/// List content says nothing about paging: a full page is followed by a
/// request for the next, and an empty one ends the walk.
#[tokio::test]
async fn list_content_ends_at_an_empty_page() {
    let id = uuid::Uuid::nil();
    let at = format!("/v1/denylist/private/{id}/content");
    let server = MockServer::start().await;
    let full: Vec<u32> = (1..=20).collect();
    page(&server, &at, 1, json!({"self": at, "asns": full})).await;
    page(&server, &at, 2, json!({"self": at, "asns": full})).await;
    page(&server, &at, 3, json!({"self": at})).await;
    let pages: Vec<_> = client(&server)
        .get_private_denylist_content(id)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages.iter().map(|p| p.asns.len()).sum::<usize>(), 40);
    // No page size asked: the service's default (20) decides what "full" means.
    assert_eq!(
        pages_asked(&server.received_requests().await.unwrap()),
        ["page=1", "page=2", "page=3"]
    );
    server.verify().await;
}

#[tokio::test]
async fn origin_statuses_keep_the_origin_on_every_page() {
    let server = MockServer::start().await;
    let address = |n: usize| json!({"status": "block", "address": format!("203.0.113.{n}")});
    for (number, count) in [(1, 10), (2, 3)] {
        let addresses: Vec<Value> = (0..count).map(address).collect();
        Mock::given(method("GET"))
            .and(path("/v1/origin/addresses"))
            .and(query_param("query", "https://example.com"))
            .and(query_param("page", number.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "self": "/v1/origin/addresses", "page": number, "page_size": 10,
                "addresses": addresses})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let addresses: Vec<String> = client(&server)
        .list_origin_address_statuses("https://example.com")
        .page_size(10)
        .pages()
        .map_ok(|page| futures_util::stream::iter(page.addresses.into_iter().map(Ok::<_, Error>)))
        .try_flatten()
        .map_ok(|a| a.address)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(addresses.len(), 13);
    server.verify().await;
}

#[tokio::test]
async fn an_error_ends_the_walk_after_the_pages_before_it() {
    let server = MockServer::start().await;
    let cookies: Vec<Value> = (0..5)
        .map(|n| json!({"status": "pass", "cookie_id": format!("c{n}")}))
        .collect();
    page(
        &server,
        "/v1/origin/cookies",
        1,
        json!({"self": "/", "page": 1, "page_size": 5, "cookie_ids": cookies}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v1/origin/cookies"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"title": "Unauthorized"})))
        .expect(1)
        .mount(&server)
        .await;
    let outcomes: Vec<_> = client(&server)
        .list_origin_cookie_statuses("https://example.com")
        .page_size(5)
        .pages()
        .collect()
        .await;
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].as_ref().unwrap().cookie_ids.len(), 5);
    assert!(
        matches!(outcomes[1], Err(Error::Unauthorized(_))),
        "{outcomes:?}"
    );
    server.verify().await;
}
