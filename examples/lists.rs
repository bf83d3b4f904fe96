//! Manage a private denylist: create it, add entries, read every page of its
//! content, and delete it.
//!
//! ```text
//! cargo run --example lists
//! ```
//!
//! With `THREATJAMMER_API_KEY` set it works on the service (or `THREATJAMMER_BASE_URL`);
//! private lists need a plan that includes them. Without it, a mock on loopback
//! plays the service.

use futures_util::TryStreamExt;
use std::process::ExitCode;
use threatjammer::{types, Client, Error};

#[tokio::main]
async fn main() -> ExitCode {
    // Kept alive for the whole run: dropping it stops the offline server.
    let mut _offline = None;
    let built = if std::env::var_os("THREATJAMMER_API_KEY").is_some() {
        Client::from_env()
    } else {
        let server = offline::server().await;
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against {}",
            server.uri()
        );
        let key =
            threatjammer::ApiKey::new(format!("tja_{}", "Z".repeat(36))).expect("well-formed");
        let built = Client::new(&server.uri(), key);
        _offline = Some(server);
        built
    };
    let tj = match built {
        Ok(tj) => tj,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&tj).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(3)
        }
    }
}

async fn run(tj: &Client) -> Result<(), Error> {
    let body = types::CreatePrivateDenylistBody {
        payload: types::PrivateAclGroupListInput {
            name: "risky-networks".into(),
            description: "Autonomous systems we do not take sign-ups from".into(),
            resource_type: types::PrivateAclGroupListInputResourceType::As,
            tags: vec!["SIGNUP".parse().expect("tags are upper-case words")],
            ttl: None,
        },
    };
    // Creating and changing lists is never retried by the client: a repeated
    // create would make two lists.
    let id = tj.create_private_denylist(&body).await?;
    println!("created denylist {id}");

    let entries = types::UpdatePrivateDenylistContentBody {
        append: (64512..64537).map(|asn| asn.to_string()).collect(),
        remove: Vec::new(),
    };
    tj.update_private_denylist_content(&id, &entries).await?;
    println!("added {} AS numbers", entries.append.len());

    // The content is paged; the stream asks for pages until the last one.
    let pages: Vec<_> = tj
        .private_denylist_content_pages(id, Some(10))
        .try_collect()
        .await?;
    let asns: Vec<i64> = pages.into_iter().flat_map(|page| page.asns).collect();
    println!("the list holds {} AS numbers: {asns:?}", asns.len());

    tj.delete_private_denylist(&id).await?;
    println!("deleted denylist {id}");
    Ok(())
}

/// A mock that answers the calls of `run` the way the service documents them.
mod offline {
    use serde_json::json;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const ID: &str = "7f1c1a52-3bd6-4a3c-9d8e-5b0f3f5a2c11";

    pub async fn server() -> MockServer {
        let server = MockServer::start().await;
        let list = format!("/v1/denylist/private/{ID}");
        let content = format!("{list}/content");
        Mock::given(method("POST"))
            .and(path("/v1/denylist/private"))
            .respond_with(ResponseTemplate::new(202).set_body_json(ID))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path(content.as_str()))
            .respond_with(ResponseTemplate::new(202))
            .mount(&server)
            .await;
        let all: Vec<i64> = (64512..64537).collect();
        for (page, chunk) in all.chunks(10).enumerate() {
            Mock::given(method("GET"))
                .and(path(content.as_str()))
                .and(query_param("page", (page + 1).to_string()))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"self": content, "asns": chunk})),
                )
                .mount(&server)
                .await;
        }
        Mock::given(method("DELETE"))
            .and(path(list.as_str()))
            .respond_with(ResponseTemplate::new(202))
            .mount(&server)
            .await;
        server
    }
}
