//! One side of the per-request comparison, alone, for an instruction profiler.
//!
//! Throughput on a shared machine is noisy; instruction counts are not. Run
//! each side twice with different counts under callgrind and subtract, so
//! that start-up (the runtime, the loopback server, TLS roots) cancels out:
//!
//! ```text
//! cargo bench --bench profile --no-run
//! B=$(ls -t target/release/deps/profile-* | grep -v '\.d$' | head -1)
//! valgrind --tool=callgrind $B client 1000      # and 3000; then baseline 1000 and 3000
//! ```
//!
//! `(total at 3000 - total at 1000) / 2000` is one request's instructions,
//! the loopback server's included (it runs in the same process). The sides
//! are `client`, `unobserved` (the client with drift observation off) and
//! `baseline`. A third argument, `concurrent`, runs each iteration as 64
//! requests at once. The sides `typed` and `value` decode the 500-result
//! assessment collection instead, into the generated type and into
//! `serde_json::Value` (the `decode_collection500` row of `cargo xtask perf`).

#[path = "contenders.rs"]
mod contenders;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let side = args.next().unwrap_or_else(|| "client".into());
    let n: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let concurrent = args.next().is_some_and(|a| a == "concurrent");
    if let Some(decode) = decoder(&side) {
        let body = contenders::collection500();
        for _ in 0..n {
            decode(std::hint::black_box(&body));
        }
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = contenders::server().await;
        let c = contenders::Contenders::new(&server.uri());
        // The first request of each side opens its connection.
        c.client().await;
        c.baseline().await;
        c.client_unobserved().await;
        for _ in 0..n {
            match (concurrent, side.as_str()) {
                (false, "client") => drop(std::hint::black_box(c.client().await)),
                (false, "unobserved") => drop(std::hint::black_box(c.client_unobserved().await)),
                (false, _) => drop(std::hint::black_box(c.baseline().await)),
                (true, "client") => {
                    contenders::concurrently(&c, |c| async move { c.client().await }).await
                }
                (true, "unobserved") => {
                    contenders::concurrently(&c, |c| async move { c.client_unobserved().await })
                        .await
                }
                (true, _) => {
                    contenders::concurrently(&c, |c| async move { c.baseline().await }).await
                }
            }
        }
    });
}

fn decoder(side: &str) -> Option<fn(&[u8])> {
    Some(match side {
        "typed" => |body| {
            let decoded: threatjammer::types::IpAssessmentCollectionOutput =
                serde_json::from_slice(body).expect("typed");
            drop(std::hint::black_box(decoded));
        },
        "value" => |body| {
            let decoded: serde_json::Value = serde_json::from_slice(body).expect("value");
            drop(std::hint::black_box(decoded));
        },
        _ => return None,
    })
}
