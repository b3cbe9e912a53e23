//! The SQL of the assignment core, one named constant per statement. Every statement filters by
//! `restaurant_id = $1` (SPEC §8), except `FIND_FOREIGN_TABLE` and `BOOKING_RESTAURANT`, which exist
//! to find out *which* restaurant an id belongs to. Names resolve in the extension's schema: every
//! RPC pins `search_path = @extschema@, pg_catalog, pg_temp`.

use super::plans::{Stmt, Ty};

/// The booking columns every writer reads after taking the booking lock: status, instants, local
/// instants in the restaurant's time zone (an end before the start rolls over to the next day),
/// zone lock, the slot of its date and start time when one exists, party size.
macro_rules! booking_window_select {
    () => {
        "SELECT b.status::text, b.start_at, b.end_at,
                (b.booking_date + b.start_time) AT TIME ZONE r.timezone,
                ((b.booking_date + CASE WHEN b.end_time < b.start_time THEN 1 ELSE 0 END) + b.end_time)
                    AT TIME ZONE r.timezone,
                b.assigned_zone_id,
                (SELECT s.id FROM booking_slots s
                  WHERE s.restaurant_id = b.restaurant_id AND s.slot_date = b.booking_date
                    AND s.slot_time = b.start_time),
                b.party_size
           FROM bookings b
           JOIN restaurants r ON r.id = b.restaurant_id
          WHERE b.restaurant_id = $1 AND b.id = $2"
    };
}

/// The restaurant of a booking (the reference-named RPCs route through it).
pub const BOOKING_RESTAURANT: Stmt = Stmt {
    sql: "SELECT restaurant_id FROM bookings WHERE id = $1",
    args: &[Ty::Uuid],
};

/// Locks the booking row (first lock of every writer) and reads what the window needs. The local
/// date and times are converted in the restaurant's time zone; an end time before the start time
/// rolls over to the next day. Also the booking slot of its date and start time, if one exists
/// (slots are linked, never created here: a concurrent creation would make writers wait).
pub const LOCK_BOOKING: Stmt = Stmt {
    sql: concat!(booking_window_select!(), " FOR NO KEY UPDATE OF b"),
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The same read without the lock (quotes are read-only).
pub const READ_BOOKING: Stmt = Stmt { sql: booking_window_select!(), args: &[Ty::Uuid, Ty::Uuid] };

/// The ledger row of (booking, key): does it record the requested table set, and which window?
pub const LEDGER_ENTRY: Stmt = Stmt {
    sql: "SELECT l.table_set_hash = md5(array_to_string($3, ',')),
                 lower(l.assignment_window), upper(l.assignment_window)
            FROM booking_assignment_idempotency l
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.idempotency_key = $4",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Text],
};

/// The rows an idempotent replay returns: the booking's assignments of the recorded set.
pub const REPLAY_ROWS: Stmt = Stmt {
    sql: "SELECT a.table_id, a.start_at, a.end_at, a.merge_group_id, a.id
            FROM booking_table_assignments a
           WHERE a.restaurant_id = $1 AND a.booking_id = $2 AND a.table_id = ANY($3)
           ORDER BY a.table_id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// The tables a booking holds (a window move without a table list moves them all).
pub const REPLAY_ROWS_ALL: Stmt = Stmt {
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
    sql: "SELECT t.id, t.zone_id, t.active, t.status = 'out_of_service', t.mobility::text,
                 CASE WHEN $4 THEN ARRAY(
                     SELECT CASE WHEN e.table_a = t.id THEN e.table_b ELSE e.table_a END
                       FROM table_adjacencies e
                      WHERE e.restaurant_id = $1
                        AND ((e.table_a = t.id AND e.table_b = ANY($2)) OR (e.table_b = t.id AND e.table_a = ANY($2))))
                 END,
                 ARRAY(SELECT c.zone_id
                         FROM booking_table_assignments a
                         JOIN table_inventory c ON c.restaurant_id = a.restaurant_id AND c.id = a.table_id
                        WHERE a.restaurant_id = $1 AND a.booking_id = $3)
            FROM table_inventory t
           WHERE t.restaurant_id = $1 AND t.id = ANY($2)
           ORDER BY t.id
             FOR NO KEY UPDATE OF t",
    args: &[Ty::Uuid, Ty::UuidArray, Ty::Uuid, Ty::Bool],
};

/// Error path only: the lowest of the given ids that names a table of *another* restaurant.
pub const FIND_FOREIGN_TABLE: Stmt = Stmt {
    sql: "SELECT t.id FROM table_inventory t WHERE t.id = ANY($1) ORDER BY t.id LIMIT 1",
    args: &[Ty::UuidArray],
};

/// Who else uses the requested tables during the window (read under the table locks, so only a
/// writer that bypasses the functions can slip in before the write): a live hold of another
/// booking, a non-shadow allocation of another booking, or another booking's assignment row.
/// One index probe per table and kind (LATERAL), lowest table id first, at most one row per kind.
pub const CONFLICTS: Stmt = Stmt {
    sql: "(SELECT 'hold'::text, t.id, w.hold_id
             FROM unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT w.hold_id FROM table_hold_windows w
                  WHERE w.restaurant_id = $1 AND w.table_id = t.id
                    AND w.hold_window && tstzrange($4, $5) AND w.status = 'active' AND w.expires_at > now()
                    AND w.booking_id IS DISTINCT FROM $2
                  LIMIT 1) w
            ORDER BY t.id LIMIT 1)
          UNION ALL
          (SELECT 'allocation'::text, t.id, a.booking_id
             FROM unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT a.booking_id FROM allocations a
                  WHERE a.restaurant_id = $1 AND a.resource_type = 'table' AND a.resource_id = t.id
                    AND NOT a.shadow AND a.\"window\" && tstzrange($4, $5)
                    AND a.booking_id IS DISTINCT FROM $2
                  LIMIT 1) a
            ORDER BY t.id LIMIT 1)
          UNION ALL
          (SELECT 'assignment'::text, t.id, x.booking_id
             FROM unnest($3) AS t(id)
             CROSS JOIN LATERAL (
                 SELECT x.booking_id FROM booking_table_assignments x
                  WHERE x.restaurant_id = $1 AND x.table_id = t.id
                    AND x.assignment_window && tstzrange($4, $5) AND x.booking_id <> $2
                  LIMIT 1) x
            ORDER BY t.id LIMIT 1)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz],
};

/// Writes the assignment in one statement: a merge-group allocation for sets of two or more, one
/// table allocation and one assignment row per table, the ledger row (when keyed), the zone lock,
/// and the `capacity.assignment.sync` outbox event (deduplicated while pending).
/// $1 restaurant, $2 booking, $3 table ids (sorted), $4 start, $5 end, $6 assigned_by,
/// $7 idempotency key, $8 slot, $9 zone.
pub const WRITE_ASSIGNMENT: Stmt = Stmt {
    sql: "WITH mg AS (
              INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, \"window\", created_by)
              SELECT g.id, $1, $2, 'merge_group', g.id, tstzrange($4, $5), $6
                FROM (SELECT gen_random_uuid() AS id) g
               WHERE cardinality($3) > 1
              RETURNING id),
          ta AS (
              INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, \"window\", created_by)
              SELECT $1, $2, 'table', t, tstzrange($4, $5), $6 FROM unnest($3) t
              RETURNING id, resource_id),
          ins AS (
              INSERT INTO booking_table_assignments
                     (restaurant_id, booking_id, table_id, slot_id, assigned_by, idempotency_key,
                      start_at, end_at, allocation_id, merge_group_id)
              SELECT $1, $2, ta.resource_id, $8, $6, $7, $4, $5, ta.id, (SELECT id FROM mg) FROM ta
              RETURNING id, table_id, merge_group_id),
          led AS (
              INSERT INTO booking_assignment_idempotency
                     (restaurant_id, booking_id, idempotency_key, table_ids, assignment_window,
                      merge_group_allocation_id, table_set_hash)
              SELECT $1, $2, $7, $3, tstzrange($4, $5), (SELECT id FROM mg), md5(array_to_string($3, ','))
               WHERE $7 IS NOT NULL
              RETURNING 1),
          bk AS (
              UPDATE bookings SET assigned_zone_id = $9, updated_at = now()
               WHERE restaurant_id = $1 AND id = $2 AND assigned_zone_id IS DISTINCT FROM $9
              RETURNING 1),
          ob AS (
              INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, idempotency_key, payload)
              VALUES ($1, $2, 'capacity.assignment.sync',
                      $2::text || ':' || to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                               || ':' || to_char($5 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                               || ':' || array_to_string($3, ','),
                      $7,
                      jsonb_build_object('bookingId', $2, 'restaurantId', $1, 'tableIds', to_jsonb($3),
                                         'startAt', $4, 'endAt', $5, 'idempotencyKey', $7,
                                         'assignedBy', $6, 'source', 'assign_tables_atomic_v2'))
              ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
                 WHERE status IN ('pending', 'processing') DO NOTHING
              RETURNING 1)
          SELECT ins.table_id, ins.id, ins.merge_group_id,
                 (SELECT count(*) FROM led) + (SELECT count(*) FROM bk) + (SELECT count(*) FROM ob)
            FROM ins
           ORDER BY ins.table_id",
    args: &[
        Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid, Ty::Text, Ty::Uuid,
        Ty::Uuid,
    ],
};

/// Locks the booking for an unassign (no row: the booking does not exist).
pub const LOCK_BOOKING_FOR_UNASSIGN: Stmt = Stmt {
    sql: "SELECT 1 FROM bookings WHERE restaurant_id = $1 AND id = $2 FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Removes the chosen assignments (all when $3 and $4 are NULL; else those of the tables in $3
/// and those of merge group $4) and nothing else; `RELEASE_TABLES` then removes what hung on them.
/// Two statements, assignments first: a table allocation deleted while its assignment still
/// exists releases that assignment itself (the model's trigger for direct deletes), which must
/// find nothing to do here. Each row also carries the booking's status before the call and
/// whether no table remains, so the caller can refuse to leave a checked-in party without a table.
pub const UNASSIGN: Stmt = Stmt {
    sql: "WITH target AS (
              SELECT a.id
                FROM booking_table_assignments a
               WHERE a.restaurant_id = $1 AND a.booking_id = $2
                 AND (($3 IS NULL AND $4 IS NULL) OR a.table_id = ANY($3) OR a.merge_group_id = $4)),
          del_bta AS (
              DELETE FROM booking_table_assignments a
               WHERE a.restaurant_id = $1 AND a.id IN (SELECT id FROM target)
              RETURNING a.table_id, a.merge_group_id)
          SELECT d.table_id, d.merge_group_id,
                 (SELECT b.status::text FROM bookings b WHERE b.restaurant_id = $1 AND b.id = $2),
                 NOT EXISTS (SELECT 1 FROM booking_table_assignments a
                              WHERE a.restaurant_id = $1 AND a.booking_id = $2 AND a.id NOT IN (SELECT id FROM target))
            FROM del_bta d
           ORDER BY d.table_id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Uuid],
};

/// After `UNASSIGN` removed the assignments of tables $3: their table allocations (shadow
/// mirrors included), merge groups left without members, the ledger rows that recorded any of
/// those tables; with $4 (a release, not a re-assignment) also the zone lock when nothing remains,
/// and a confirmed booking left without a table moves to `pending_allocation` with a history row
/// (reason `tables_released`).
pub const RELEASE_TABLES: Stmt = Stmt {
    sql: "WITH remaining AS (
              SELECT a.merge_group_id
                FROM booking_table_assignments a
               WHERE a.restaurant_id = $1 AND a.booking_id = $2),
          del_alloc AS (
              DELETE FROM allocations x
               WHERE x.restaurant_id = $1 AND x.booking_id = $2 AND x.resource_type = 'table'
                 AND x.resource_id = ANY($3)
              RETURNING 1),
          del_led AS (
              DELETE FROM booking_assignment_idempotency l
               WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.table_ids && $3
              RETURNING 1),
          del_mg AS (
              DELETE FROM allocations x
               WHERE x.restaurant_id = $1 AND x.booking_id = $2 AND x.resource_type = 'merge_group'
                 AND x.id NOT IN (SELECT merge_group_id FROM remaining WHERE merge_group_id IS NOT NULL)
              RETURNING 1),
          before AS (
              SELECT b.status FROM bookings b WHERE b.restaurant_id = $1 AND b.id = $2),
          demote AS (
              SELECT $4 AND NOT EXISTS (SELECT 1 FROM remaining)
                     AND (SELECT status FROM before) = 'confirmed' AS yes),
          unlock AS (
              UPDATE bookings
                 SET assigned_zone_id = NULL,
                     status = CASE WHEN (SELECT yes FROM demote) THEN 'pending_allocation' ELSE status END,
                     updated_at = now()
               WHERE restaurant_id = $1 AND id = $2 AND $4 AND NOT EXISTS (SELECT 1 FROM remaining)
                 AND (assigned_zone_id IS NOT NULL OR (SELECT yes FROM demote))
              RETURNING 1),
          history AS (
              INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status, reason, metadata)
              SELECT $1, $2, 'confirmed', 'pending_allocation', 'tables_released',
                     jsonb_build_object('released_tables', cardinality($3))
               WHERE (SELECT yes FROM demote)
              RETURNING 1)
          SELECT (SELECT count(*) FROM del_alloc) + (SELECT count(*) FROM del_mg)
                 + (SELECT count(*) FROM del_led) + (SELECT count(*) FROM unlock) + (SELECT count(*) FROM history)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::Bool],
};

/// Moves the booking's assignments of tables $3 to the window [$4, $5): the rows, their live
/// table allocations and merge groups, and the ledger rows that recorded only moved tables (key
/// $6 when given), which also take merge group $7 and payload checksum $8 when given. Returns the
/// moved rows (the columns of booking_table_assignments), ordered by table id.
pub const MOVE_TABLES: Stmt = Stmt {
    sql: "WITH a AS (
              UPDATE booking_table_assignments x SET start_at = $4, end_at = $5, updated_at = now()
               WHERE x.restaurant_id = $1 AND x.booking_id = $2 AND x.table_id = ANY($3)
              RETURNING x.*),
          t AS (
              UPDATE allocations y SET \"window\" = tstzrange($4, $5), updated_at = now()
               WHERE y.restaurant_id = $1 AND y.booking_id = $2 AND NOT y.shadow
                 AND ((y.resource_type = 'table' AND y.resource_id IN (SELECT table_id FROM a))
                      OR (y.resource_type = 'merge_group' AND y.id IN (SELECT merge_group_id FROM a)))
              RETURNING 1),
          l AS (
              UPDATE booking_assignment_idempotency l
                 SET assignment_window = tstzrange($4, $5),
                     merge_group_allocation_id = coalesce($7, l.merge_group_allocation_id),
                     payload_checksum = coalesce($8, l.payload_checksum)
               WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND ($6 IS NULL OR l.idempotency_key = $6)
                 AND l.table_ids <@ ARRAY(SELECT table_id FROM a)
              RETURNING 1)
          SELECT a.id, a.restaurant_id, a.booking_id, a.table_id, a.slot_id, a.assigned_at, a.assigned_by, a.notes,
                 a.idempotency_key, a.start_at, a.end_at, a.allocation_id, a.merge_group_id,
                 tstzrange(a.start_at, a.end_at), a.created_at, a.updated_at,
                 (SELECT count(*) FROM t) + (SELECT count(*) FROM l)
            FROM a
           ORDER BY a.table_id",
    args: &[
        Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Text, Ty::Uuid, Ty::Text,
    ],
};
