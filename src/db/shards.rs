//! Inside a call Citus delegated to a worker, the restaurant's rows are in shards on this very node.
//! Citus would still plan and execute each statement as a distributed one (a router plan, a local
//! task, the shard query deparsed and planned again), which costs far more than the statement
//! itself for the small keyed reads and writes of an RPC. So, there and only there, each kept
//! statement is prepared once more against the restaurant's local shard tables (their names put in
//! place of the table names after FROM, JOIN, INTO and UPDATE) and runs as a plain local
//! statement in the same transaction, with the same triggers, keys and locks (they are the
//! shard's own).
//!
//! "There" is: Citus is loaded, the call runs routed to a restaurant (a companion), the session is
//! one of Citus's own connections (a delegated call arrives over one: `application_name` starts
//! with `citus_internal`, where Citus executes every statement of the call locally anyway), and
//! every model table has its shard for that restaurant on this node. Anywhere else statements go
//! through Citus as usual. The shard names are cached per restaurant and checked on each call
//! (a shard moved away makes the cache forget them).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CStr;
use std::rc::Rc;

use pgrx::pg_sys;
use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::columns::Columns;

/// The restaurant's local shard tables: (table name, shard relation as SQL text).
pub struct ShardMap {
    /// Distinguishes the kept statements prepared for this map.
    pub id: usize,
    names: Vec<(String, String)>,
    /// A shard that must still exist for the map to be used.
    probe: pg_sys::Oid,
}

impl ShardMap {
    /// The statement with each model table after FROM, JOIN, INTO or UPDATE replaced by its shard.
    pub fn rewrite(&self, sql: &str) -> String {
        rewrite(sql, &self.names)
    }
}

/// The maps made so far (numbered from 1) and each restaurant's (`None`: not local here).
struct Maps {
    made: usize,
    by_restaurant: HashMap<Uuid, Option<Rc<ShardMap>>>,
}

thread_local! {
    static MAPS: RefCell<Maps> = RefCell::new(Maps { made: 0, by_restaurant: HashMap::new() });
}

/// Whether this session is one Citus opened to run a delegated call (or another internal command).
pub(crate) fn citus_internal_session() -> bool {
    // SAFETY: a lookup of a built-in GUC by a valid name.
    let p = unsafe { pg_sys::GetConfigOption(c"application_name".as_ptr(), true, false) };
    // SAFETY: GetConfigOption returns a NUL-terminated string owned by the GUC machinery.
    !p.is_null() && unsafe { CStr::from_ptr(p) }.to_bytes().starts_with(b"citus_internal")
}

/// The routed restaurant's local shards, when statements should use them (see the module).
pub fn local(client: &mut SpiClient<'_>) -> Option<Rc<ShardMap>> {
    let restaurant = super::route::restaurant()?;
    if !super::plans::citus_loaded() || !citus_internal_session() {
        return None;
    }
    let cached = MAPS.with(|m| m.borrow().by_restaurant.get(&restaurant).cloned());
    if let Some(entry) = cached {
        match entry {
            // SAFETY: a syscache lookup by oid; NULL when the relation is gone.
            Some(map) if !unsafe { pg_sys::get_rel_name(map.probe) }.is_null() => return Some(map),
            Some(_) => {}
            None => return None,
        }
    }
    let map = build(client, restaurant);
    MAPS.with(|m| m.borrow_mut().by_restaurant.insert(restaurant, map.clone()));
    map
}

/// Every model table of the extension's schema ($2: the search path's first schema after
/// pg_catalog, SPEC §10) that Citus manages, with the shard that holds the restaurant; None unless
/// every one of those shards is on this node.
const SHARDS_OF_RESTAURANT: &str = "
    SELECT c.relname::text, s.shard::regclass::text, s.shard::oid
      FROM pg_catalog.pg_dist_partition p
      JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
     CROSS JOIN LATERAL (
           SELECT pg_catalog.to_regclass(pg_catalog.shard_name(p.logicalrelid,
                      CASE WHEN p.partmethod = 'n' THEN pg_catalog.get_shard_id_for_distribution_column(p.logicalrelid)
                           ELSE pg_catalog.get_shard_id_for_distribution_column(p.logicalrelid, $1) END)) AS shard) s
     WHERE c.relnamespace = $2";

fn build(client: &mut SpiClient<'_>, restaurant: Uuid) -> Option<Rc<ShardMap>> {
    let rows = client
        .select(SHARDS_OF_RESTAURANT, None, &[super::to_pg(restaurant).into(), super::plans::extension_schema().into()])
        .unwrap_or_else(|e| pgrx::error!("pg_seating: reading the restaurant's shards failed: {e}"));
    let mut names = Vec::new();
    let mut probe = pg_sys::InvalidOid;
    for row in rows {
        let (table, shard) =
            (row.read::<String>(1, "SHARDS_OF_RESTAURANT"), row.read::<String>(2, "SHARDS_OF_RESTAURANT"));
        let oid: Option<pg_sys::Oid> = row.read(3, "SHARDS_OF_RESTAURANT");
        match (table, shard, oid) {
            (Some(t), Some(s), Some(o)) => {
                if t == "bookings" {
                    probe = o;
                }
                names.push((t, s));
            }
            _ => return None, // a shard of this restaurant is not on this node
        }
    }
    if names.is_empty() || probe == pg_sys::InvalidOid {
        return None;
    }
    let id = MAPS.with(|m| {
        let mut m = m.borrow_mut();
        m.made += 1;
        m.made
    });
    Some(Rc::new(ShardMap { id, names, probe }))
}

/// Replaces each table of `names` that follows FROM, JOIN, INTO or UPDATE (case-insensitive) by
/// its shard; string literals and quoted identifiers are left alone.
pub fn rewrite(sql: &str, names: &[(String, String)]) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 64);
    let mut last_word = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            // a literal or quoted identifier, copied as it is (doubled quotes stay inside)
            let start = i;
            i += 1;
            while i < bytes.len() {
                if bytes[i] == c {
                    if i + 1 < bytes.len() && bytes[i + 1] == c {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push_str(&sql[start..i]);
            last_word.clear();
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$') {
                i += 1;
            }
            let word = &sql[start..i];
            let after_keyword = ["from", "join", "into", "update"].iter().any(|k| last_word.eq_ignore_ascii_case(k));
            match names.iter().find(|(t, _)| after_keyword && t == word) {
                Some((_, shard)) => out.push_str(shard),
                None => out.push_str(word),
            }
            last_word = word.to_string();
        } else {
            if !c.is_ascii_whitespace() {
                last_word.clear();
            }
            // copy one UTF-8 character
            let len = sql[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&sql[i..i + len]);
            i += len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    fn names() -> Vec<(String, String)> {
        [("bookings", "bookings_7"), ("allocations", "allocations_7"), ("booking_table_assignments", "bta_7")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn tables_after_from_join_into_update_become_shards() {
        let sql = "SELECT a.id FROM booking_table_assignments a JOIN allocations x ON x.id = a.allocation_id
                   WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.id = a.booking_id)";
        assert_eq!(
            rewrite(sql, &names()),
            "SELECT a.id FROM bta_7 a JOIN allocations_7 x ON x.id = a.allocation_id
                   WHERE EXISTS (SELECT 1 FROM bookings_7 b WHERE b.id = a.booking_id)"
        );
        assert_eq!(
            rewrite("INSERT INTO allocations (id) VALUES ($1)", &names()),
            "INSERT INTO allocations_7 (id) VALUES ($1)"
        );
        assert_eq!(
            rewrite("update bookings SET x = 1 WHERE restaurant_id = $1", &names()),
            "update bookings_7 SET x = 1 WHERE restaurant_id = $1"
        );
        assert_eq!(rewrite("DELETE FROM\n    allocations x", &names()), "DELETE FROM\n    allocations_7 x");
    }

    #[test]
    fn columns_literals_and_quoted_names_stay() {
        let sql = r#"SELECT bookings, 'FROM bookings', "window", a.bookings FROM x WHERE y = 'it''s FROM allocations'"#;
        assert_eq!(rewrite(sql, &names()), sql);
        // a word after FROM that is not a model table
        assert_eq!(rewrite("SELECT 1 FROM unnest($1) t", &names()), "SELECT 1 FROM unnest($1) t");
        // non-ASCII text passes through
        assert_eq!(rewrite("SELECT '€' FROM bookings", &names()), "SELECT '€' FROM bookings_7");
    }
}
