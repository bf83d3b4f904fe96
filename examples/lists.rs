//! Manage a private denylist: create it, add entries, read every page of its
//! content, and delete it.
//!
//! ```text
//! cargo run --example lists
//! ```
//!
//! With `THREATJAMMER_API_KEY` set it works on the service (or `THREATJAMMER_BASE_URL`);
//! private lists need a plan that includes them. Without it, it runs offline
//! against the crate's own mock (feature `mock`).

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
        let server = threatjammer_mock::MockServer::start().await;
        play_content_pages(&server);
        eprintln!(
            "THREATJAMMER_API_KEY is not set: running offline against a mock at {}",
            server.uri()
        );
        let built = Client::new(&server.uri(), server.api_key());
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
    // Inputs nested in a request body are built from their required fields
    // (description, name, resource type, tags), the optional ones by setter.
    let list = types::PrivateAclGroupListInput::new(
        "Autonomous systems we do not take sign-ups from",
        "risky-networks",
        types::PrivateAclGroupListInputResourceType::As,
        vec!["SIGNUP".parse().expect("tags are upper-case words")],
    );
    // Creating and changing lists is never retried by the client: a repeated
    // create would make two lists.
    let id = tj.create_private_denylist(list).await?;
    println!("created denylist {id}");

    let asns: Vec<String> = (64512..64537).map(|asn| asn.to_string()).collect();
    let added = asns.len();
    tj.update_private_denylist_content(id).append(asns).await?;
    println!("added {added} AS numbers");

    // The content is paged; the stream asks for pages until the last one.
    let pages: Vec<_> = tj
        .get_private_denylist_content(id)
        .page_size(10)
        .pages()
        .try_collect()
        .await?;
    let asns: Vec<i64> = pages.into_iter().flat_map(|page| page.asns).collect();
    println!("the list holds {} AS numbers: {asns:?}", asns.len());

    tj.delete_private_denylist(id).await?;
    println!("deleted denylist {id}");
    Ok(())
}

/// The mock answers from recorded fixtures and keeps no lists, so a hook plays
/// the list's content: the 25 AS numbers `run` adds, as many a page as asked.
fn play_content_pages(server: &threatjammer_mock::MockServer) {
    server.hook(|request| {
        if request.operation != Some(threatjammer::OperationId::GET_PRIVATE_DENYLIST_CONTENT) {
            return None;
        }
        let query = request.query.as_deref().unwrap_or("");
        let param = |name: &str| -> Option<usize> {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?
                .parse()
                .ok()
        };
        let (page, size) = (
            param("page").unwrap_or(1),
            param("page_size").unwrap_or(100),
        );
        let asns: Vec<i64> = (64512..64537)
            .skip(page.saturating_sub(1) * size)
            .take(size)
            .collect();
        Some(threatjammer_mock::MockResponse::json(
            200,
            serde_json::json!({"self": request.path, "asns": asns}),
        ))
    });
}
