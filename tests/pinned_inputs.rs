//! The inputs the repository keeps verbatim from outside (the upstream OpenAPI
//! documents, the exchanges the service's documentation printed) are the ones
//! their README tables name, with the SHA-256 written there: editing one, or
//! dropping a file in beside them, fails here until the table says so too.

use aws_lc_rs::digest::{digest, SHA256};
use std::collections::BTreeMap;
use std::path::Path;

/// File name to checksum, from the rows of `README.md`'s table in `dir` that
/// start with a file name in backticks and hold a 64-digit hex checksum.
fn pinned(dir: &Path) -> BTreeMap<String, String> {
    let readme = dir.join("README.md");
    let text =
        std::fs::read_to_string(&readme).unwrap_or_else(|e| panic!("{}: {e}", readme.display()));
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .filter(|c| !c.is_empty())
            .collect();
        let Some((name, rest)) = cells.split_first() else {
            continue;
        };
        let is_sum = |c: &&&str| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit());
        if let Some(sum) = rest.iter().find(is_sum) {
            let earlier = rows.insert(name.to_string(), sum.to_ascii_lowercase());
            assert!(
                earlier.is_none(),
                "{}: {name} has two rows",
                readme.display()
            );
        }
    }
    rows
}

/// File name to checksum of every file in `dir` but its README.
fn actual(dir: &Path) -> BTreeMap<String, String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file() && !path.ends_with("README.md"))
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a readable file");
            let hex: String = digest(&SHA256, &bytes)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, hex)
        })
        .collect()
}

fn assert_pinned(dir: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let (expected, found) = (pinned(&dir), actual(&dir));
    assert!(!expected.is_empty(), "{}: no checksum rows", dir.display());
    assert_eq!(
        found,
        expected,
        "{}: the files (left) are not the ones README.md pins (right)",
        dir.display()
    );
}

#[test]
fn pinned_upstream_documents_are_unchanged() {
    assert_pinned("openapi/upstream");
}

#[test]
fn documented_exchanges_are_unchanged() {
    assert_pinned("tests/fixtures/documented");
}

/// The table reader itself: a wrong or missing checksum must not read as a match.
#[test]
fn a_row_pins_its_file_and_nothing_else_does() {
    let dir = std::env::temp_dir().join(format!("pinned-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), "abc").unwrap();
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    std::fs::write(
        dir.join("README.md"),
        format!("| file | sha |\n| --- | --- |\n| `a.txt` | `{abc}` |\nprose `b.txt` {abc}\n"),
    )
    .unwrap();
    assert_eq!(pinned(&dir), actual(&dir));
    std::fs::write(dir.join("a.txt"), "abd").unwrap();
    assert_ne!(pinned(&dir), actual(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}
