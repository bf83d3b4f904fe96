//! The public API of each published crate, as `cargo xtask public-api` lists
//! it, against its checked-in snapshot (snapshots/public_api.snap for the
//! library, public_api_mock.snap for the mock): a change to what users see
//! fails here until the snapshot is updated, so it shows in review.

use std::process::Command;

fn listing(package: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["public-api", "--package", package])
        .output()
        .expect("running xtask");
    assert!(
        output.status.success(),
        "cargo xtask public-api failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the listing is UTF-8")
}

#[test]
fn the_public_api_is_the_snapshot() {
    let listing = listing("threatjammer");
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("public_api", listing);
    });
}

#[test]
fn the_mocks_public_api_is_its_snapshot() {
    let listing = listing("threatjammer-mock");
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("public_api_mock", listing);
    });
}
