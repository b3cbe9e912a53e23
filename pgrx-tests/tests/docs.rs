//! The documents a newcomer steers by stay true to the tree (CONTRIBUTING.md):
//! - CONTRIBUTING.md's *Layout* names every source file of the extension (`src/**/*.rs` but `mod.rs`),
//!   every entry of `sql/`, `scripts/` and `benches/`;
//! - pgrx-tests/README.md names every pgTAP suite and every test file of this crate;
//! - the README's *SQL API* table names every function of the installed extension (the
//!   `_in_restaurant` companions through the row that lists the RPCs they accompany).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pg_seating_sql_tests::connect;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of a markdown section, from its heading to the next heading of the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc.find(heading).unwrap_or_else(|| panic!("no heading {heading}"));
    let level = heading.chars().take_while(|c| *c == '#').count();
    let body = &doc[start + heading.len()..];
    let end = body
        .lines()
        .scan(0usize, |at, line| {
            let here = *at;
            *at += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, l)| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            hashes > 0 && hashes <= level && l[hashes..].starts_with(' ')
        })
        .map(|(at, _)| at)
        .unwrap_or(body.len());
    &body[..end]
}

/// Whether a name of the layout block looks like a path (`window.rs`, `src/domain/`, `test`).
fn is_path(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
}

/// The paths CONTRIBUTING.md's layout block names. A line is names (comma-separated), two or more
/// spaces, a description; a line indented by six or more spaces continues a description. A line
/// starting in the first column names paths from the root (a directory, ending in `/`, becomes the
/// prefix of the indented lines under it); an indented line names paths inside that directory.
fn layout_paths() -> BTreeSet<String> {
    let doc = read("CONTRIBUTING.md");
    let layout = section(&doc, "## Layout");
    let block = layout.split("```").nth(1).expect("the layout's code block");
    let mut named = BTreeSet::new();
    let mut prefix = String::new();
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if text.is_empty() || indent >= 6 {
            continue;
        }
        let head = text.split("  ").next().unwrap_or("");
        let names: Vec<&str> = head.split(',').map(str::trim).filter(|n| is_path(n)).collect();
        if names.is_empty() {
            continue;
        }
        if indent == 0 {
            prefix = if names[0].ends_with('/') { names[0].to_string() } else { String::new() };
            named.extend(names.iter().map(|n| n.to_string()));
        } else {
            named.extend(names.iter().map(|n| format!("{prefix}{n}")));
        }
    }
    named
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_layout_names_every_source_file_and_entry() {
    let named = layout_paths();
    let root = root();
    let mut missing = Vec::new();
    let mut sources = Vec::new();
    files_under(&root.join("src"), &mut sources);
    for path in sources {
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().to_string();
        if rel.ends_with(".rs") && !rel.ends_with("/mod.rs") && !named.contains(&rel) {
            missing.push(rel);
        }
    }
    for dir in ["sql", "scripts", "benches"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let rel = if path.is_dir() { format!("{dir}/{name}/") } else { format!("{dir}/{name}") };
            if !named.contains(&rel) {
                missing.push(rel);
            }
        }
    }
    assert!(missing.is_empty(), "CONTRIBUTING.md's Layout does not name: {missing:#?}");
}

#[test]
fn the_test_readme_names_every_suite_and_test_file() {
    let readme = read("pgrx-tests/README.md");
    let mut missing = Vec::new();
    for dir in ["pgrx-tests/sql", "pgrx-tests/tests"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if (name.ends_with(".sql") || name.ends_with(".rs")) && !readme.contains(&format!("`{name}`")) {
                missing.push(format!("{dir}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "pgrx-tests/README.md does not name: {missing:#?}");
}

#[test]
fn the_api_table_names_every_function() {
    let readme = read("README.md");
    let api = section(&readme, "## SQL API");
    let functions: Vec<String> = connect()
        .query(
            "SELECT DISTINCT p.proname::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
              WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
              ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(functions.len() > 40, "{functions:?}");
    let companions_row =
        api.lines().find(|l| l.starts_with("| `<rpc>_in_restaurant(")).expect("the companions' row of the API table");
    let mut missing = Vec::new();
    for f in &functions {
        let listed = match f.strip_suffix("_in_restaurant") {
            Some(rpc) => api.contains(&format!("`{f}(")) || companions_row.contains(&format!("`{rpc}`")),
            None => api.contains(&format!("`{f}(")) || api.contains(&format!("`{f}`")),
        };
        if !listed {
            missing.push(f.clone());
        }
    }
    assert!(missing.is_empty(), "the README's SQL API table does not name: {missing:#?}");
}
