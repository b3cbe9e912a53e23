//! Every installable version's script names C functions of the library (`AS 'MODULE_PATHNAME',
//! '<name>_wrapper'`): `CREATE EXTENSION pg_seating VERSION '<old>'` and every `ALTER EXTENSION
//! UPDATE` path load them from the *current* library. Renaming or removing a shipped `#[pg_extern]`
//! would break those paths with "could not find function" only when someone installs an old
//! version; this test names the missing symbol instead. The scripts are read from the tree
//! (sql/archive/) and from the extension directory of the server under test (the current
//! version's install script and the upgrade scripts, as installed); the symbols from the
//! installed library.

use std::collections::BTreeSet;

use pg_seating_sql_tests::connect;

/// Every `'…_wrapper'` a script names.
fn wrappers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for part in text.split('\'').skip(1).step_by(2) {
        if part.ends_with("_wrapper") && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            out.insert(part.to_string());
        }
    }
    out
}

#[test]
fn the_library_exports_every_symbol_an_installable_version_names() {
    let mut c = connect();
    let mut dir = |name: &str| -> String {
        c.query_one("SELECT setting FROM pg_config WHERE name = $1", &[&name]).expect("pg_config").get(0)
    };
    let (libdir, sharedir) = (dir("PKGLIBDIR"), dir("SHAREDIR"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut scripts: Vec<std::path::PathBuf> = Vec::new();
    for d in [root.join("sql/archive"), std::path::PathBuf::from(format!("{sharedir}/extension"))] {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("pg_seating--") && name.ends_with(".sql") {
                scripts.push(path);
            }
        }
    }
    assert!(scripts.len() >= 14, "the archived, upgrade and installed scripts: {scripts:?}");
    let nm = std::process::Command::new("nm")
        .args(["-D", "--defined-only", &format!("{libdir}/pg_seating.so")])
        .output()
        .expect("nm (binutils)");
    assert!(nm.status.success(), "nm: {}", String::from_utf8_lossy(&nm.stderr));
    let exported: BTreeSet<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect();
    let mut missing = Vec::new();
    let mut named = 0;
    for script in &scripts {
        let text = std::fs::read_to_string(script).unwrap();
        for w in wrappers(&text) {
            named += 1;
            if !exported.contains(&w) {
                missing.push(format!("{}: {w}", script.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(named > 100, "the scripts name the library's functions: {named}");
    assert!(
        missing.is_empty(),
        "symbols named by installable scripts but not exported by {libdir}/pg_seating.so (keep a stub for a \
         removed function):\n{}",
        missing.join("\n")
    );
}
