//! A restaurant's seating layout (its tables, with their scarcity, and adjacency edges) as the
//! allocator and `table_live_status` read it, kept per backend between calls.
//!
//! The layout changes rarely and is most of what a quote reads, so each backend keeps the last
//! layout it read per restaurant with the layout's identity: the xmin and version of the
//! restaurant's `restaurant_layout_versions` row (model step 8), which triggers on
//! `table_inventory` and `table_adjacencies` bump in the same transaction as any change. A call
//! reads that row with what it needs beside the layout (a quote the tables busy in its window,
//! `table_live_status` what covers each table at an instant: one statement) and uses the kept
//! layout only when the identity is the same. A row version's (xmin, version) names one committed or
//! in-progress state: a change makes a new row version; rolling it back (or to a savepoint)
//! brings the old row back together with the old layout; another transaction's rows have other
//! xmins. Without such a row (a restaurant whose tables never changed since step 8 added none)
//! nothing is kept. Under Citus the layout is kept only where statements run on the local shards
//! (`shards`); elsewhere every call reads it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use pgrx::datum::{DatumWithOid, FromDatum, IntoDatum, TimestampWithTimeZone};
use pgrx::spi::{SpiClient, SpiTupleTable};

use super::columns::Columns;
use uuid::Uuid;

use super::plans::{run, Stmt, Ty};
use super::{from_pg, to_pg, ts};
use crate::allocator::search::{assign_scarcity, Table};
use crate::domain::live::Cover;
use crate::domain::window::Window;

/// A restaurant's tables (scarcity assigned) and adjacency edges.
pub struct Layout {
    pub tables: Vec<Table>,
    pub edges: Vec<(Uuid, Uuid)>,
    /// Positions in `tables` in `table_number` order (the database's collation), for listings.
    pub by_number: Vec<usize>,
}

/// The identity of a layout: xmin and version of its `restaurant_layout_versions` row.
type Identity = (i64, i64);

/// Restaurants kept per backend at most; beyond, the cache starts again.
const KEEP: usize = 256;

thread_local! {
    static KEPT: RefCell<HashMap<Uuid, (Identity, Rc<Layout>)>> = RefCell::new(HashMap::new());
}

// The reads, composed into one statement per use (starting a statement costs more than these
// small reads): the tables as parallel arrays (decoding a few arrays is much cheaper than a row per
// table), the edges as two more, the identity, and the tables busy in a window.
macro_rules! tables_sql {
    () => {
        "SELECT pg_catalog.array_agg(t.id) AS ids, pg_catalog.array_agg(t.table_number) AS numbers, pg_catalog.array_agg(t.capacity) AS capacity,
                pg_catalog.array_agg(t.min_party_size) AS min_party, pg_catalog.array_agg(coalesce(t.max_party_size, 0)) AS max_party,
                pg_catalog.array_agg(t.zone_id) AS zones, pg_catalog.array_agg(t.mobility OPERATOR(pg_catalog.=) 'movable') AS movable, pg_catalog.array_agg(t.active) AS active,
                pg_catalog.array_agg(t.status OPERATOR(pg_catalog.=) 'out_of_service') AS oos, pg_catalog.array_agg(t.id ORDER BY t.table_number, t.id) AS by_number
           FROM table_inventory t
          WHERE t.restaurant_id = $1"
    };
}
macro_rules! edges_sql {
    () => {
        "SELECT pg_catalog.array_agg(e.table_a) AS a, pg_catalog.array_agg(e.table_b) AS b FROM table_adjacencies e WHERE e.restaurant_id = $1"
    };
}
macro_rules! identity_sql {
    () => {
        "SELECT v.xmin::text::bigint AS kx, v.version AS kv FROM restaurant_layout_versions v WHERE v.restaurant_id = $1"
    };
}
/// Tables another booking uses in the window ($2 the booking, $3/$4 the window): live allocations,
/// live holds, assignment rows (UNION: each once). Overlap is written as bounds (every window here
/// is a non-empty [start, end)), so the reads use the time-first btree indexes (restaurant, end)
/// and scan only what ends after the window starts, however much history the restaurant keeps.
macro_rules! busy_sql {
    () => {
        r#"SELECT pg_catalog.array_agg(b.id) AS busy FROM (
          SELECT a.resource_id AS id FROM allocations a
           WHERE a.restaurant_id = $1 AND a.resource_type = 'table' AND NOT a.shadow
             AND pg_catalog.upper(a."window") > $3 AND pg_catalog.lower(a."window") < $4 AND a.booking_id IS DISTINCT FROM $2
          UNION
          SELECT w.table_id FROM table_hold_windows w
           WHERE w.restaurant_id = $1 AND w.end_at > $3 AND w.start_at < $4
             AND w.status OPERATOR(pg_catalog.=) 'active' AND w.expires_at > now() AND w.booking_id IS DISTINCT FROM $2
          UNION
          SELECT x.table_id FROM booking_table_assignments x
           WHERE x.restaurant_id = $1 AND x.end_at > $3 AND x.start_at < $4 AND x.booking_id <> $2) b"#
    };
}

/// What covers each table of the restaurant at an instant ($2): the live allocations (with whether
/// each is a maintenance block and whether its booking is checked in) in one probe of the
/// `allocations_no_overlap` GiST index, and the tables of live holds. (Subqueries in FROM only:
/// Citus cannot push down a subquery in the target list of an aggregate.)
macro_rules! live_sql {
    () => {
        r#"SELECT l.allocated, l.maintenance, l.seated, h.held FROM (
          SELECT pg_catalog.array_agg(a.resource_id) AS allocated, pg_catalog.array_agg(coalesce(a.is_maintenance, false)) AS maintenance,
                 pg_catalog.array_agg(b.id IS NOT NULL) AS seated
            FROM allocations a
            LEFT JOIN bookings b ON b.restaurant_id = a.restaurant_id AND b.id = a.booking_id AND b.status OPERATOR(pg_catalog.=) 'checked_in'
           WHERE a.restaurant_id = $1 AND a.resource_type = 'table' AND NOT a.shadow AND a."window" OPERATOR(pg_catalog.@>) $2) l, (
          SELECT pg_catalog.array_agg(w.table_id) AS held FROM table_hold_windows w
           WHERE w.restaurant_id = $1 AND w.status OPERATOR(pg_catalog.=) 'active' AND w.expires_at > now() AND w.hold_window OPERATOR(pg_catalog.@>) $2) h"#
    };
}

/// The layout: columns 1-10 the tables, 11-12 the edges, 13-14 the identity (NULL without a row).
const LAYOUT: Stmt = Stmt {
    name: "LAYOUT",
    sql: concat!(
        "SELECT * FROM (",
        tables_sql!(),
        ") t, (",
        edges_sql!(),
        ") e LEFT JOIN (",
        identity_sql!(),
        ") k ON true"
    ),
    args: &[Ty::Uuid],
};

/// The layout (columns 1-14 as in LAYOUT) and the tables busy in the window (column 15).
const LAYOUT_BUSY: Stmt = Stmt {
    name: "LAYOUT_BUSY",
    sql: concat!(
        "SELECT * FROM (",
        tables_sql!(),
        ") t, (",
        edges_sql!(),
        ") e LEFT JOIN (",
        identity_sql!(),
        ") k ON true, (",
        busy_sql!(),
        ") b"
    ),
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz],
};

/// The identity (columns 1-2) and the tables busy in the window (column 3).
const IDENTITY_BUSY: Stmt = Stmt {
    name: "IDENTITY_BUSY",
    sql: concat!("SELECT k.kx, k.kv, b.busy FROM (", busy_sql!(), ") b LEFT JOIN (", identity_sql!(), ") k ON true"),
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz],
};

/// The layout (columns 1-14 as in LAYOUT) and what covers its tables at the instant (15-18).
const LAYOUT_LIVE: Stmt = Stmt {
    name: "LAYOUT_LIVE",
    sql: concat!(
        "SELECT * FROM (",
        tables_sql!(),
        ") t, (",
        edges_sql!(),
        ") e LEFT JOIN (",
        identity_sql!(),
        ") k ON true, (",
        live_sql!(),
        ") l"
    ),
    args: &[Ty::Uuid, Ty::TimestampTz],
};

/// The identity (columns 1-2) and what covers the tables at the instant (3-6).
const IDENTITY_LIVE: Stmt = Stmt {
    name: "IDENTITY_LIVE",
    sql: concat!("SELECT k.kx, k.kv, l.* FROM (", live_sql!(), ") l LEFT JOIN (", identity_sql!(), ") k ON true"),
    args: &[Ty::Uuid, Ty::TimestampTz],
};

/// The restaurant's layout, read now (`auto_assign_day` reads it once per day plan).
pub fn read(client: &mut SpiClient<'_>, restaurant_id: Uuid) -> Rc<Layout> {
    let row = run(client, &LAYOUT, &[to_pg(restaurant_id).into()]).first();
    let (layout, identity) = decode(&row, &LAYOUT);
    keep(client, restaurant_id, identity, layout)
}

/// The restaurant's layout (kept or read) and the tables another booking than `booking_id` uses
/// in the window.
pub fn with_busy(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    window: Window,
) -> (Rc<Layout>, Vec<Uuid>) {
    let args = [to_pg(restaurant_id).into(), to_pg(booking_id).into(), ts(window.start).into(), ts(window.end).into()];
    with_extra(client, restaurant_id, (&IDENTITY_BUSY, &LAYOUT_BUSY), &args, uuids)
}

/// The restaurant's layout (kept or read) and what covers each of its tables at `at` (tables with
/// nothing on them are absent). One statement when the kept layout is still current.
pub fn with_live(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    at: TimestampWithTimeZone,
) -> (Rc<Layout>, HashMap<Uuid, Cover>) {
    let args = [to_pg(restaurant_id).into(), at.into()];
    with_extra(client, restaurant_id, (&IDENTITY_LIVE, &LAYOUT_LIVE), &args, covers)
}

/// The layout and what a call reads beside it, in one statement: when a layout is kept, `short`
/// (the identity in columns 1-2, the call's columns from 3), and the kept layout stands if the
/// identity is the same (else it is read again); otherwise `full` (the layout in columns 1-14, the
/// call's columns from 15), whose layout is kept. `extra` decodes the call's columns.
fn with_extra<T>(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    (short, full): (&Stmt, &Stmt),
    args: &[DatumWithOid<'_>],
    extra: fn(&SpiTupleTable<'_>, usize, &Stmt) -> T,
) -> (Rc<Layout>, T) {
    let kept = if keepable(client) { KEPT.with(|k| k.borrow().get(&restaurant_id).cloned()) } else { None };
    if let Some((kept_identity, layout)) = kept {
        let row = run(client, short, args).first();
        let value = extra(&row, 3, short);
        if identity(&row, 1, short) == Some(kept_identity) {
            return (layout, value);
        }
        return (read(client, restaurant_id), value);
    }
    let row = run(client, full, args).first();
    let (layout, identity) = decode(&row, full);
    let value = extra(&row, 15, full);
    (keep(client, restaurant_id, identity, layout), value)
}

/// Columns `first`..`first + 3` of IDENTITY_LIVE or LAYOUT_LIVE, per table.
fn covers(row: &SpiTupleTable<'_>, first: usize, stmt: &Stmt) -> HashMap<Uuid, Cover> {
    let allocated = uuids(row, first, stmt);
    let maintenance: Vec<bool> = array(row, first + 1, stmt);
    let seated: Vec<bool> = array(row, first + 2, stmt);
    let mut covers: HashMap<Uuid, Cover> = HashMap::new();
    for (i, table) in allocated.into_iter().enumerate() {
        let entry = covers.entry(table).or_default();
        entry.add_allocation(maintenance.get(i).copied().unwrap_or(false), seated.get(i).copied().unwrap_or(false));
    }
    for table in uuids(row, first + 3, stmt) {
        covers.entry(table).or_default().held = true;
    }
    covers
}

/// Whether layouts may be kept here: not where statements go through Citus's executor.
fn keepable(client: &mut SpiClient<'_>) -> bool {
    !super::plans::citus_loaded() || super::shards::local(client).is_some()
}

fn keep(client: &mut SpiClient<'_>, restaurant_id: Uuid, identity: Option<Identity>, layout: Layout) -> Rc<Layout> {
    let layout = Rc::new(layout);
    match identity {
        Some(identity) if keepable(client) => KEPT.with(|k| {
            let mut k = k.borrow_mut();
            if k.len() >= KEEP && !k.contains_key(&restaurant_id) {
                k.clear();
            }
            k.insert(restaurant_id, (identity, Rc::clone(&layout)));
        }),
        _ => {
            KEPT.with(|k| k.borrow_mut().remove(&restaurant_id));
        }
    }
    layout
}

/// A column of parallel arrays: element i belongs to table i (a NULL element reads as the
/// type's default, keeping the positions).
fn array<T: Default>(row: &SpiTupleTable<'_>, column: usize, stmt: &Stmt) -> Vec<T>
where
    Vec<Option<T>>: IntoDatum + FromDatum,
{
    let v: Vec<Option<T>> = row.col(column, stmt).unwrap_or_default();
    v.into_iter().map(Option::unwrap_or_default).collect()
}

fn uuids(row: &SpiTupleTable<'_>, column: usize, stmt: &Stmt) -> Vec<Uuid> {
    let v: Vec<Option<pgrx::Uuid>> = row.col(column, stmt).unwrap_or_default();
    v.into_iter().map(|u| u.map(from_pg).unwrap_or_default()).collect()
}

fn identity(row: &SpiTupleTable<'_>, column: usize, stmt: &Stmt) -> Option<Identity> {
    row.col::<i64>(column, stmt).zip(row.col::<i64>(column + 1, stmt))
}

/// Columns 1-14 of LAYOUT and LAYOUT_BUSY.
fn decode(row: &SpiTupleTable<'_>, stmt: &Stmt) -> (Layout, Option<Identity>) {
    let ids = uuids(row, 1, stmt);
    let numbers: Vec<String> = array(row, 2, stmt);
    let ints = |k: usize| -> Vec<i32> { array(row, k, stmt) };
    let (capacity, min_party, max_party) = (ints(3), ints(4), ints(5));
    let zones = uuids(row, 6, stmt);
    let flags = |k: usize| -> Vec<bool> { array(row, k, stmt) };
    let (movable, active, oos) = (flags(7), flags(8), flags(9));
    let mut tables: Vec<Table> = (0..ids.len())
        .map(|i| Table {
            id: ids[i],
            number: numbers.get(i).cloned().unwrap_or_default(),
            capacity: capacity[i],
            min_party: min_party[i],
            max_party: (max_party[i] > 0).then_some(max_party[i]),
            zone: zones[i],
            movable: movable[i],
            active: active[i],
            out_of_service: oos[i],
            scarcity: 0.0,
        })
        .collect();
    assign_scarcity(&mut tables);
    let position: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let by_number = uuids(row, 10, stmt).iter().filter_map(|id| position.get(id).copied()).collect();
    let edges = uuids(row, 11, stmt).into_iter().zip(uuids(row, 12, stmt)).collect();
    (Layout { tables, edges, by_number }, identity(row, 13, stmt))
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[&LAYOUT, &LAYOUT_BUSY, &IDENTITY_BUSY, &LAYOUT_LIVE, &IDENTITY_LIVE];
