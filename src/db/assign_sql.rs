//! The SQL of the assignment core, one named constant per statement. Every statement filters by
//! `restaurant_id = $1` (SPEC §8), except `FIND_FOREIGN_TABLE` and `BOOKING_RESTAURANT`, which exist
//! to find out *which* restaurant an id belongs to. Names resolve in the extension's schema: every
//! RPC pins `search_path = pg_catalog, @extschema@, pg_temp` (SPEC §10).

use super::plans::{Stmt, Ty};

/// The booking columns every writer reads after taking the booking lock: status, instants, local
/// instants in the restaurant's time zone ($3, read by `RESTAURANT_TIMEZONE` in its own statement,
/// SPEC §8 (5); an end before the start rolls over to the next day), zone lock, the slot of its
/// date and start time when one exists, party size, and the span a window must touch (the start
/// of the day before its date to the end of the day after, SPEC §10).
macro_rules! booking_window_select {
    () => {
        "SELECT b.status::text, b.start_at, b.end_at,
                (b.booking_date + b.start_time) AT TIME ZONE $3,
                ((b.booking_date + CASE WHEN b.end_time < b.start_time THEN 1 ELSE 0 END) + b.end_time)
                    AT TIME ZONE $3,
                b.assigned_zone_id,
                (SELECT s.id FROM booking_slots s
                  WHERE s.restaurant_id = $1 AND s.slot_date = b.booking_date AND s.slot_time = b.start_time),
                b.party_size,
                (b.booking_date - 1 + time '00:00') AT TIME ZONE $3,
                (b.booking_date + 2 + time '00:00') AT TIME ZONE $3
           FROM bookings b
          WHERE b.restaurant_id = $1 AND b.id = $2"
    };
}

/// The restaurant of a booking (the reference-named RPCs route through it). It also reads a
/// column outside the primary key (status, unused), so that the planner takes the hash index of
/// model step 10 (a bucket page and the row) instead of an index-only scan of the primary key,
/// whose depth grows with the bookings kept.
pub const BOOKING_RESTAURANT: Stmt = Stmt {
    name: "BOOKING_RESTAURANT",
    sql: "SELECT b.restaurant_id, b.status FROM bookings b WHERE b.id = $1",
    args: &[Ty::Uuid],
};

/// The restaurant's time zone, read alone (on Citus `restaurants` is a reference table).
pub const RESTAURANT_TIMEZONE: Stmt = Stmt {
    name: "RESTAURANT_TIMEZONE",
    sql: "SELECT r.timezone FROM restaurants r WHERE r.id = $1",
    args: &[Ty::Uuid],
};

/// Locks the booking row (first lock of every writer) and reads what the window needs. The local
/// date and times are converted in the restaurant's time zone; an end time before the start time
/// rolls over to the next day. Also the booking slot of its date and start time, if one exists
/// (slots are linked, never created here: a concurrent creation would make writers wait).
pub const LOCK_BOOKING: Stmt = Stmt {
    name: "LOCK_BOOKING",
    sql: concat!(booking_window_select!(), " FOR NO KEY UPDATE OF b"),
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text],
};

/// The same read without the lock (quotes are read-only).
pub const READ_BOOKING: Stmt =
    Stmt { name: "READ_BOOKING", sql: booking_window_select!(), args: &[Ty::Uuid, Ty::Uuid, Ty::Text] };

/// The ledger row of (booking, key): does it record the requested table set, and which window?
pub const LEDGER_ENTRY: Stmt = Stmt {
    name: "LEDGER_ENTRY",
    sql: "SELECT l.table_set_hash = md5(pg_catalog.array_to_string($3, ',')),
                 pg_catalog.lower(l.assignment_window), pg_catalog.upper(l.assignment_window)
            FROM booking_assignment_idempotency l
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.idempotency_key = $4",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Text],
};

/// The rows an idempotent replay returns: the booking's assignments of the recorded set.
pub const REPLAY_ROWS: Stmt = Stmt {
    name: "REPLAY_ROWS",
    sql: "SELECT a.table_id, a.start_at, a.end_at, a.merge_group_id, a.id
            FROM booking_table_assignments a
           WHERE a.restaurant_id = $1 AND a.booking_id = $2 AND a.table_id = ANY($3)
           ORDER BY a.table_id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// The tables a booking holds (a window move without a table list moves them all).
pub const REPLAY_ROWS_ALL: Stmt = Stmt {
    name: "REPLAY_ROWS_ALL",
    sql: "SELECT a.table_id FROM booking_table_assignments a
           WHERE a.restaurant_id = $1 AND a.booking_id = $2
           ORDER BY a.table_id",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Locks the requested tables of the restaurant in ascending id order (the global lock order
/// after the booking row) and reads what the rules need: per table its zone, flags, mobility and,
/// when $4 (adjacency required), its neighbours inside the set (edges are stored once and read in
/// both directions); on every row, the zones of the tables the booking holds now (read after the
/// booking lock, so no other writer of this booking can change them meanwhile).
pub const LOCK_TABLES: Stmt = Stmt {
    name: "LOCK_TABLES",
    sql: "SELECT t.id, t.zone_id, t.active, t.status OPERATOR(pg_catalog.=) 'out_of_service', t.mobility::text,
                 CASE WHEN $4 THEN ARRAY(
                     SELECT CASE WHEN e.table_a = t.id THEN e.table_b ELSE e.table_a END
                       FROM table_adjacencies e
                      WHERE e.restaurant_id = $1
                        AND ((e.table_a = t.id AND e.table_b = ANY($2)) OR (e.table_b = t.id AND e.table_a = ANY($2))))
                 END,
                 ARRAY(SELECT c.zone_id
                         FROM booking_table_assignments a
                         JOIN table_inventory c ON c.restaurant_id = $1 AND c.id = a.table_id
                        WHERE a.restaurant_id = $1 AND a.booking_id = $3)
            FROM table_inventory t
           WHERE t.restaurant_id = $1 AND t.id = ANY($2)
           ORDER BY t.id
             FOR NO KEY UPDATE OF t",
    args: &[Ty::Uuid, Ty::UuidArray, Ty::Uuid, Ty::Bool],
};

/// Error path only: the lowest of the given ids that names a table of *another* restaurant.
pub const FIND_FOREIGN_TABLE: Stmt = Stmt {
    name: "FIND_FOREIGN_TABLE",
    sql: "SELECT t.id FROM table_inventory t WHERE t.id = ANY($1) ORDER BY t.id LIMIT 1",
    args: &[Ty::UuidArray],
};

/// Who else uses the requested tables during the window (read under the table locks, so only a
/// writer that bypasses the functions can slip in before the write): a live hold of another
/// booking, a non-shadow allocation of another booking, or another booking's assignment row.
/// One index probe per table and kind (LATERAL), lowest table id first, at most one row per kind.
pub const CONFLICTS: Stmt = Stmt {
    name: "CONFLICTS",
    sql: r#"(SELECT 'hold'::text, t.id, w.hold_id
             FROM pg_catalog.unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT w.hold_id FROM table_hold_windows w
                  WHERE w.restaurant_id = $1 AND w.table_id = t.id
                    AND w.hold_window OPERATOR(pg_catalog.&&) tstzrange($4, $5) AND w.status OPERATOR(pg_catalog.=) 'active' AND w.expires_at > now()
                    AND w.booking_id IS DISTINCT FROM $2
                  LIMIT 1) w
            ORDER BY t.id LIMIT 1)
          UNION ALL
          (SELECT 'allocation'::text, t.id, a.booking_id
             FROM pg_catalog.unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT a.booking_id FROM allocations a
                  WHERE a.restaurant_id = $1 AND a.resource_type = 'table' AND a.resource_id = t.id
                    AND NOT a.shadow AND a."window" OPERATOR(pg_catalog.&&) tstzrange($4, $5)
                    AND a.booking_id IS DISTINCT FROM $2
                  LIMIT 1) a
            ORDER BY t.id LIMIT 1)
          UNION ALL
          (SELECT 'assignment'::text, t.id, x.booking_id
             FROM pg_catalog.unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT x.booking_id FROM booking_table_assignments x
                  WHERE x.restaurant_id = $1 AND x.table_id = t.id
                    AND x.assignment_window OPERATOR(pg_catalog.&&) tstzrange($4, $5) AND x.booking_id <> $2
                  LIMIT 1) x
            ORDER BY t.id LIMIT 1)"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz],
};

// The writes of an assignment, one routed statement per table and row (SPEC §8 (4): a
// data-modifying CTE over several tables, or an INSERT ... SELECT, goes through Citus's
// coordinator). The merge group's id is made by the caller.

/// The merge-group allocation of a set of two or more tables.
/// $1 restaurant, $2 booking, $3 merge group id, $4 start, $5 end, $6 assigned_by.
pub const INSERT_MERGE_GROUP: Stmt = Stmt {
    name: "INSERT_MERGE_GROUP",
    sql: r#"INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, "window", created_by)
          VALUES ($3, $1, $2, 'merge_group', $3, tstzrange($4, $5), $6)"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// One table's live allocation; returns its id.
/// $1 restaurant, $2 booking, $3 table, $4 start, $5 end, $6 assigned_by.
pub const INSERT_TABLE_ALLOCATION: Stmt = Stmt {
    name: "INSERT_TABLE_ALLOCATION",
    sql: r#"INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window", created_by)
          VALUES ($1, $2, 'table', $3, tstzrange($4, $5), $6)
          RETURNING id"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// One assignment row; returns its id.
/// $1 restaurant, $2 booking, $3 table, $4 start, $5 end, $6 assigned_by, $7 key, $8 slot,
/// $9 allocation, $10 merge group.
pub const INSERT_ASSIGNMENT: Stmt = Stmt {
    name: "INSERT_ASSIGNMENT",
    sql: "INSERT INTO booking_table_assignments
                 (restaurant_id, booking_id, table_id, slot_id, assigned_by, idempotency_key,
                  start_at, end_at, allocation_id, merge_group_id)
          VALUES ($1, $2, $3, $8, $6, $7, $4, $5, $9, $10)
          RETURNING id",
    args: &[
        Ty::Uuid,
        Ty::Uuid,
        Ty::Uuid,
        Ty::TimestampTz,
        Ty::TimestampTz,
        Ty::Uuid,
        Ty::Text,
        Ty::Uuid,
        Ty::Uuid,
        Ty::Uuid,
    ],
};

/// The ledger row of a keyed assignment.
/// $1 restaurant, $2 booking, $3 key, $4 table ids (sorted), $5 start, $6 end, $7 merge group.
pub const INSERT_LEDGER: Stmt = Stmt {
    name: "INSERT_LEDGER",
    sql: "INSERT INTO booking_assignment_idempotency
                 (restaurant_id, booking_id, idempotency_key, table_ids, assignment_window,
                  merge_group_allocation_id, table_set_hash)
          VALUES ($1, $2, $3, $4, tstzrange($5, $6), $7, md5(pg_catalog.array_to_string($4, ',')))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// The zone lock. $1 restaurant, $2 booking, $3 zone, $4 now.
pub const SET_BOOKING_ZONE: Stmt = Stmt {
    name: "SET_BOOKING_ZONE",
    sql: "UPDATE bookings SET assigned_zone_id = $3, updated_at = $4
           WHERE restaurant_id = $1 AND id = $2 AND assigned_zone_id IS DISTINCT FROM $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::TimestampTz],
};

/// The `capacity.assignment.sync` outbox event (deduplicated while pending).
/// $1 restaurant, $2 booking, $3 table ids, $4 start, $5 end, $6 assigned_by, $7 key.
pub const INSERT_SYNC_EVENT: Stmt = Stmt {
    name: "INSERT_SYNC_EVENT",
    sql: r#"INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, idempotency_key, payload)
          VALUES ($1, $2, 'capacity.assignment.sync',
                  $2::text || ':' || to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                           || ':' || to_char($5 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                           || ':' || pg_catalog.array_to_string($3, ','),
                  $7,
                  pg_catalog.jsonb_build_object('bookingId', $2, 'restaurantId', $1, 'tableIds', pg_catalog.to_jsonb($3),
                                     'startAt', $4, 'endAt', $5, 'idempotencyKey', $7,
                                     'assignedBy', $6, 'source', 'assign_tables_atomic_v2'))
          ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
             WHERE status IN ('pending', 'processing') DO NOTHING"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid, Ty::Text],
};

/// Locks the booking for an unassign and reads its status (no row: the booking does not exist).
pub const LOCK_BOOKING_FOR_UNASSIGN: Stmt = Stmt {
    name: "LOCK_BOOKING_FOR_UNASSIGN",
    sql: "SELECT status::text FROM bookings WHERE restaurant_id = $1 AND id = $2 FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Removes the chosen assignments (all when $3 and $4 are NULL; else those of the tables in $3
/// and those of merge group $4) and nothing else; the statements below then remove what hung on
/// them. Assignments go first: a table allocation deleted while its assignment still exists
/// releases that assignment itself (the model's trigger for direct deletes), which must find
/// nothing to do here.
pub const DELETE_ASSIGNMENTS: Stmt = Stmt {
    name: "DELETE_ASSIGNMENTS",
    sql: "DELETE FROM booking_table_assignments a
           WHERE a.restaurant_id = $1 AND a.booking_id = $2
             AND (($3 IS NULL AND $4 IS NULL) OR a.table_id = ANY($3) OR a.merge_group_id = $4)
          RETURNING a.table_id, a.merge_group_id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Uuid],
};

/// Whether the booking still holds a table (read after `DELETE_ASSIGNMENTS`).
pub const HOLDS_ANY_TABLE: Stmt = Stmt {
    name: "HOLDS_ANY_TABLE",
    sql: "SELECT EXISTS (SELECT 1 FROM booking_table_assignments a WHERE a.restaurant_id = $1 AND a.booking_id = $2)",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// After `DELETE_ASSIGNMENTS` removed the assignments of tables $3: their table allocations
/// (shadow mirrors included) and the merge groups left without members.
pub const DELETE_RELEASED_ALLOCATIONS: Stmt = Stmt {
    name: "DELETE_RELEASED_ALLOCATIONS",
    sql: "DELETE FROM allocations x
           WHERE x.restaurant_id = $1 AND x.booking_id = $2
             AND ((x.resource_type = 'table' AND x.resource_id = ANY($3))
                  OR (x.resource_type = 'merge_group'
                      AND NOT EXISTS (SELECT 1 FROM booking_table_assignments a
                                       WHERE a.restaurant_id = $1 AND a.booking_id = $2 AND a.merge_group_id = x.id)))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// The ledger rows that recorded any of the released tables $3.
pub const DELETE_RELEASED_LEDGER: Stmt = Stmt {
    name: "DELETE_RELEASED_LEDGER",
    sql: "DELETE FROM booking_assignment_idempotency l
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.table_ids OPERATOR(pg_catalog.&&) $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// A released booking left without a table: no zone lock, and the status the caller decided
/// ($3: `pending_allocation` for a confirmed booking, else unchanged). $4 now.
pub const RELEASE_BOOKING: Stmt = Stmt {
    name: "RELEASE_BOOKING",
    sql: "UPDATE bookings SET assigned_zone_id = NULL, status = $3::booking_status, updated_at = $4
           WHERE restaurant_id = $1 AND id = $2 AND (assigned_zone_id IS NOT NULL OR status <> $3::booking_status)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::TimestampTz],
};

/// The history row of a confirmed booking moved to `pending_allocation` by a release.
/// $1 restaurant, $2 booking, $3 released tables, $4 now.
pub const INSERT_RELEASE_HISTORY: Stmt = Stmt {
    name: "INSERT_RELEASE_HISTORY",
    sql: "INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status, changed_at, reason, metadata)
          VALUES ($1, $2, 'confirmed', 'pending_allocation', $4, 'tables_released',
                  pg_catalog.jsonb_build_object('released_tables', $3))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Int4, Ty::TimestampTz],
};

/// Moves the booking's assignments of tables $3 to the window [$4, $5) ($6 now). Returns the
/// moved rows (the columns of booking_table_assignments), ordered by table id.
pub const MOVE_ASSIGNMENTS: Stmt = Stmt {
    name: "MOVE_ASSIGNMENTS",
    sql: "UPDATE booking_table_assignments x SET start_at = $4, end_at = $5, updated_at = $6
           WHERE x.restaurant_id = $1 AND x.booking_id = $2 AND x.table_id = ANY($3)
          RETURNING x.id, x.restaurant_id, x.booking_id, x.table_id, x.slot_id, x.assigned_at, x.assigned_by, x.notes,
                    x.idempotency_key, x.start_at, x.end_at, x.allocation_id, x.merge_group_id,
                    x.assignment_window, x.created_at, x.updated_at",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// Moves the live allocations of the moved tables $3 and merge groups $4 to [$5, $6) ($7 now).
pub const MOVE_ALLOCATIONS: Stmt = Stmt {
    name: "MOVE_ALLOCATIONS",
    sql: r#"UPDATE allocations y SET "window" = tstzrange($5, $6), updated_at = $7
           WHERE y.restaurant_id = $1 AND y.booking_id = $2 AND NOT y.shadow
             AND ((y.resource_type = 'table' AND y.resource_id = ANY($3))
                  OR (y.resource_type = 'merge_group' AND y.id = ANY($4)))"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// Moves the ledger rows that recorded only moved tables $3 (key $4 when given) to [$5, $6); they
/// also take merge group $7 and payload checksum $8 when given.
pub const MOVE_LEDGER: Stmt = Stmt {
    name: "MOVE_LEDGER",
    sql: "UPDATE booking_assignment_idempotency l
             SET assignment_window = tstzrange($5, $6),
                 merge_group_allocation_id = coalesce($7, l.merge_group_allocation_id),
                 payload_checksum = coalesce($8, l.payload_checksum)
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND ($4 IS NULL OR l.idempotency_key = $4)
             AND l.table_ids OPERATOR(pg_catalog.<@) $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Text, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid, Ty::Text],
};

/// Whether $3 is a merge-group allocation of the booking (sync_confirmed_assignment_windows records
/// a caller's `p_merge_group_id` in the ledger only then).
pub const MERGE_GROUP_OF_BOOKING: Stmt = Stmt {
    name: "MERGE_GROUP_OF_BOOKING",
    sql: "SELECT a.id FROM allocations a
           WHERE a.restaurant_id = $1 AND a.booking_id = $2 AND a.id = $3 AND a.resource_type = 'merge_group'",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid],
};

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[
    &BOOKING_RESTAURANT,
    &RESTAURANT_TIMEZONE,
    &LOCK_BOOKING,
    &LEDGER_ENTRY,
    &REPLAY_ROWS,
    &REPLAY_ROWS_ALL,
    &LOCK_TABLES,
    &FIND_FOREIGN_TABLE,
    &CONFLICTS,
    &INSERT_MERGE_GROUP,
    &INSERT_TABLE_ALLOCATION,
    &INSERT_ASSIGNMENT,
    &INSERT_LEDGER,
    &SET_BOOKING_ZONE,
    &INSERT_SYNC_EVENT,
    &LOCK_BOOKING_FOR_UNASSIGN,
    &DELETE_ASSIGNMENTS,
    &HOLDS_ANY_TABLE,
    &DELETE_RELEASED_ALLOCATIONS,
    &DELETE_RELEASED_LEDGER,
    &RELEASE_BOOKING,
    &INSERT_RELEASE_HISTORY,
    &MOVE_ASSIGNMENTS,
    &MOVE_ALLOCATIONS,
    &MOVE_LEDGER,
    &MERGE_GROUP_OF_BOOKING,
];
