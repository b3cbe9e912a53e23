//! Every SQL block of docs/runbook.md runs against the test database (each in a rolled-back
//! transaction), and the blocks that say "expect no rows" / "expect two rows" return that.

use pg_seating_sql_tests::connect;

fn blocks() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/runbook.md")).expect("runbook");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sql") => current = Some(String::new()),
            (Some(_), "```") => out.push(current.take().unwrap()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn every_runbook_block_runs() {
    let blocks = blocks();
    assert!(blocks.len() >= 10, "found {} SQL blocks", blocks.len());
    let mut c = connect();
    for (i, sql) in blocks.iter().enumerate() {
        let mut tx = c.transaction().unwrap();
        let rows = tx.simple_query(sql).unwrap_or_else(|e| panic!("runbook block {i} failed: {e}\n{sql}"));
        let returned = rows.iter().filter(|m| matches!(m, postgres::SimpleQueryMessage::Row(_))).count();
        if sql.contains("expect no rows") {
            assert_eq!(returned, 0, "runbook block {i} should return no rows:\n{sql}");
        }
        if sql.contains("expect two rows") {
            assert_eq!(returned, 2, "runbook block {i} should return two rows:\n{sql}");
        }
        tx.rollback().unwrap();
    }
}
