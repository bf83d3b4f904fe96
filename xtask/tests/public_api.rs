//! The library's public API, as `cargo xtask public-api` lists it, against the
//! checked-in snapshots/public_api.snap: a change to what users see fails here
//! until the snapshot is updated, so it shows in review.

use std::process::Command;

#[test]
fn the_public_api_is_the_snapshot() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("public-api")
        .output()
        .expect("running xtask");
    assert!(
        output.status.success(),
        "cargo xtask public-api failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listing = String::from_utf8(output.stdout).expect("the listing is UTF-8");
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("public_api", listing);
    });
}
