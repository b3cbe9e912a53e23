//! The torture's operations: every writing RPC and the app's direct writes, each run on a random
//! live booking of the hot restaurant and one to three of its tables.

use postgres::Client;

use super::{replenish, Hot, Rng, DAY};

const LIVE_BOOKING: &str = "SELECT id::text, status::text FROM bookings
    WHERE restaurant_id = $1::text::uuid AND status NOT IN ('cancelled', 'no_show', 'completed')
    ORDER BY random() LIMIT 1";
const ANY_HOLD: &str =
    "SELECT id::text FROM table_holds WHERE restaurant_id = $1::text::uuid ORDER BY random() LIMIT 1";

/// One operation of the torture; [`Op::weight`] is how often a worker picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    AssignV2,
    AssignWindow,
    AssignV1,
    Unassign,
    Hold,
    ReleaseHold,
    SweepHolds,
    Confirm,
    ConfirmHold,
    Transition,
    AutoAssign,
    /// Making room on (pg_seating.make_room_moves): other bookings of that time may be moved.
    MakeRoom,
    QuoteRoom,
    KeepTables,
    AutoAssignDay,
    Quote,
    Validate,
    UpdateTime,
    TxAssignConfirm,
    // The app's direct writes and the RPCs around them (APP-CONTRACT.md §2, §3).
    DirectHold,
    DirectAssign,
    Prune,
    SyncWindows,
    ReleaseEmit,
}

impl Op {
    /// Every operation, in the order [`Op::pick`] lays out their weights.
    pub const ALL: [Op; 24] = [
        Op::AssignV2,
        Op::AssignWindow,
        Op::AssignV1,
        Op::Unassign,
        Op::Hold,
        Op::ReleaseHold,
        Op::SweepHolds,
        Op::Confirm,
        Op::ConfirmHold,
        Op::Transition,
        Op::AutoAssign,
        Op::MakeRoom,
        Op::QuoteRoom,
        Op::KeepTables,
        Op::AutoAssignDay,
        Op::Quote,
        Op::Validate,
        Op::UpdateTime,
        Op::TxAssignConfirm,
        Op::DirectHold,
        Op::DirectAssign,
        Op::Prune,
        Op::SyncWindows,
        Op::ReleaseEmit,
    ];

    /// The operation's name in the report (its outcomes are counted under it).
    pub const fn name(self) -> &'static str {
        match self {
            Op::AssignV2 => "assign_v2",
            Op::AssignWindow => "assign_window",
            Op::AssignV1 => "assign_v1",
            Op::Unassign => "unassign",
            Op::Hold => "hold",
            Op::ReleaseHold => "release_hold",
            Op::SweepHolds => "sweep_holds",
            Op::Confirm => "confirm",
            Op::ConfirmHold => "confirm_hold",
            Op::Transition => "transition",
            Op::AutoAssign => "auto_assign",
            Op::MakeRoom => "make_room",
            Op::QuoteRoom => "quote_room",
            Op::KeepTables => "keep_tables",
            Op::AutoAssignDay => "auto_assign_day",
            Op::Quote => "quote",
            Op::Validate => "validate",
            Op::UpdateTime => "update_time",
            Op::TxAssignConfirm => "tx_assign_confirm",
            Op::DirectHold => "direct_hold",
            Op::DirectAssign => "direct_assign",
            Op::Prune => "prune",
            Op::SyncWindows => "sync_windows",
            Op::ReleaseEmit => "release_emit",
        }
    }

    /// The relative frequency of the operation.
    pub const fn weight(self) -> u64 {
        match self {
            Op::AssignV2 => 15,
            Op::AssignWindow => 5,
            Op::AssignV1 => 5,
            Op::Unassign => 10,
            Op::Hold => 8,
            Op::ReleaseHold => 4,
            Op::SweepHolds => 2,
            Op::Confirm => 10,
            Op::ConfirmHold => 8,
            Op::Transition => 12,
            Op::AutoAssign => 10,
            Op::MakeRoom => 6,
            Op::QuoteRoom => 2,
            Op::KeepTables => 2,
            Op::AutoAssignDay => 1,
            Op::Quote => 3,
            Op::Validate => 2,
            Op::UpdateTime => 4,
            Op::TxAssignConfirm => 4,
            Op::DirectHold => 5,
            Op::DirectAssign => 5,
            Op::Prune => 4,
            Op::SyncWindows => 4,
            Op::ReleaseEmit => 3,
        }
    }

    /// A random operation, in proportion to the weights.
    pub fn pick(rng: &mut Rng) -> Op {
        let total: u64 = Op::ALL.iter().map(|op| op.weight()).sum();
        let mut x = rng.below(total);
        for op in Op::ALL {
            if x < op.weight() {
                return op;
            }
            x -= op.weight();
        }
        Op::ALL[0]
    }

    /// Runs the operation; errors are the caller's to count.
    pub fn run(self, c: &mut Client, rng: &mut Rng, hot: &Hot) -> Result<(), postgres::Error> {
        let booking = c.query_opt(LIVE_BOOKING, &[&hot.restaurant])?;
        let Some(booking) = booking else { return replenish(c, hot) };
        let (b, status): (String, String) = (booking.get(0), booking.get(1));
        let tables = some_tables(rng, hot);
        match self {
            Op::AssignV2 => {
                c.query(
                    "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[], $3, $4)",
                    &[&b, &tables, &key(rng), &rng.chance(50)],
                )?;
            }
            Op::AssignWindow => {
                // The restaurant-keyed companion with a custom window: the booking's window moved by
                // -30, 0 or +30 minutes (allocations of neighbouring windows interleave).
                let shift = (rng.below(3) as i32 - 1) * 30;
                c.query(
                    "SELECT a.table_id FROM bookings b,
                        assign_tables_atomic_v2_in_restaurant(b.restaurant_id, b.id, $2::text[]::uuid[], $3, $4, NULL,
                            b.start_at + make_interval(mins => $5), b.end_at + make_interval(mins => $5)) a
                  WHERE b.id = $1::text::uuid",
                    &[&b, &tables, &key(rng), &rng.chance(50), &shift],
                )?;
            }
            Op::AssignV1 => {
                c.query(
                    "SELECT table_id FROM assign_tables_atomic($1::text::uuid, $2::text[]::uuid[],
                        (SELECT tstzrange(start_at, end_at) FROM bookings WHERE id = $1::text::uuid))",
                    &[&b, &tables],
                )?;
            }
            Op::Unassign => {
                if rng.chance(25) {
                    c.query(
                        "SELECT table_id FROM unassign_tables_atomic_in_restaurant($1::text::uuid, $2::text::uuid)",
                        &[&hot.restaurant, &b],
                    )?;
                } else if rng.chance(35) {
                    c.query("SELECT table_id FROM unassign_tables_atomic($1::text::uuid)", &[&b])?;
                } else {
                    c.query(
                        "SELECT table_id FROM unassign_tables_atomic($1::text::uuid, $2::text[]::uuid[])",
                        &[&b, &tables],
                    )?;
                }
            }
            Op::Hold => {
                let ttl = 1 + rng.below(8) as i32;
                c.query(
                    "SELECT create_table_hold($1::text::uuid, $2::text[]::uuid[], p_ttl_seconds => $3)",
                    &[&b, &tables, &ttl],
                )?;
            }
            Op::ReleaseHold => {
                if let Some(h) = c.query_opt(ANY_HOLD, &[&hot.restaurant])? {
                    let h: String = h.get(0);
                    c.query("SELECT release_table_hold($1::text::uuid)", &[&h])?;
                }
            }
            Op::SweepHolds => {
                c.query("SELECT sweep_expired_holds()", &[])?;
            }
            Op::Confirm => {
                c.query(
                "SELECT table_id FROM confirm_hold_assignment_with_transition($1::text::uuid, $2::text[]::uuid[], $3)",
                &[&b, &tables, &key(rng)],
            )?;
            }
            Op::ConfirmHold => {
                let mut tx = c.transaction()?;
                let hold: postgres::Row =
                    tx.query_one("SELECT create_table_hold($1::text::uuid, $2::text[]::uuid[])::text", &[&b, &tables])?;
                let hold: String = hold.get(0);
                tx.query(
                    "SELECT table_id FROM confirm_hold_assignment_tx($1::text::uuid, $2::text::uuid, $3,
                        p_target_status => $4::text)",
                    &[&hold, &b, &key(rng), &"confirmed"],
                )?;
                if rng.chance(20) {
                    tx.rollback()?;
                } else {
                    tx.commit()?;
                }
            }
            Op::Transition => {
                let total: u64 = TARGETS.iter().map(|(_, w)| w).sum();
                let mut x = rng.below(total);
                let mut target = TARGETS[0].0;
                for (t, w) in TARGETS {
                    if x < *w {
                        target = t;
                        break;
                    }
                    x -= w;
                }
                c.query(TRANSITION, &[&b, &target, &status])?;
            }
            Op::AutoAssign => {
                c.query(
                    "SELECT table_id FROM auto_assign_tables($1::text::uuid, $2, $3)",
                    &[&b, &key(rng), &rng.chance(30)],
                )?;
            }
            Op::MakeRoom => {
                let mut tx = c.transaction()?;
                tx.batch_execute(&format!("SET LOCAL pg_seating.make_room_moves = {}", 1 + rng.below(3)))?;
                tx.query("SELECT table_id FROM auto_assign_tables($1::text::uuid, $2)", &[&b, &key(rng)])?;
                tx.commit()?;
            }
            Op::QuoteRoom => {
                let mut tx = c.transaction()?;
                tx.batch_execute("SET LOCAL pg_seating.make_room_moves = 3")?;
                tx.query("SELECT rank FROM quote_tables($1::text::uuid)", &[&b])?;
                tx.commit()?;
            }
            Op::KeepTables => {
                c.execute(
                "UPDATE bookings SET keep_tables = NOT keep_tables WHERE restaurant_id = $1::text::uuid AND id = $2::text::uuid",
                &[&hot.restaurant, &b],
            )?;
            }
            Op::AutoAssignDay => {
                c.query(
                    "SELECT outcome FROM auto_assign_day($1::text::uuid, $2::text::date)",
                    &[&hot.restaurant, &DAY],
                )?;
            }
            Op::Quote => {
                c.query("SELECT rank FROM quote_tables($1::text::uuid)", &[&b])?;
            }
            Op::Validate => {
                c.query("SELECT validate_booking_capacity_after_assignment($1::text::uuid)", &[&b])?;
            }
            Op::UpdateTime => {
                // Moves the booking by -30, 0 or +30 minutes within the evening: its assignments
                // follow, or are released when the tables are taken.
                let shift = (rng.below(3) as i32 - 1) * 30;
                c.query(
                    "SELECT update_booking_with_capacity_check(b.id, b.restaurant_id, b.customer_id, b.booking_date,
                        b.start_time + make_interval(mins => $2), b.end_time + make_interval(mins => $2),
                        b.party_size, b.booking_type, b.customer_name, b.customer_email, b.customer_phone,
                        b.seating_preference)
                   FROM bookings b
                  WHERE b.id = $1::text::uuid AND b.start_time + make_interval(mins => $2) BETWEEN '17:30' AND '21:00'",
                    &[&b, &shift],
                )?;
            }
            Op::TxAssignConfirm => {
                let mut tx = c.transaction()?;
                tx.query(
                    "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[])",
                    &[&b, &tables],
                )?;
                tx.query(TRANSITION, &[&b, &"confirmed", &status])?;
                if rng.chance(30) {
                    tx.rollback()?;
                } else {
                    tx.commit()?;
                }
            }
            Op::DirectHold => {
                // The app's hold: the header with its columns (metadata NULL), then one member row per
                // table without restaurant_id; a refused member makes it delete the header.
                let ttl = 1 + rng.below(8) as i32;
                let hold: String = c
                .query_one(
                    "INSERT INTO table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at, created_by, metadata)
                     SELECT b.id, b.restaurant_id, t.zone_id, b.start_at, b.end_at, now() + make_interval(secs => $3::int), NULL, NULL
                       FROM bookings b, table_inventory t
                      WHERE b.id = $1::text::uuid AND t.id = ($2::text[]::uuid[])[1]
                     RETURNING id::text",
                    &[&b, &tables, &ttl],
                )?
                .get(0);
                for t in &tables {
                    if let Err(e) = c.execute(
                        "INSERT INTO table_hold_members (hold_id, table_id) VALUES ($1::text::uuid, $2::text::uuid)",
                        &[&hold, t],
                    ) {
                        let _ = c.execute("DELETE FROM table_holds WHERE id = $1::text::uuid", &[&hold]);
                        return Err(e);
                    }
                }
            }
            Op::DirectAssign => {
                // The staff "assign directly" insert: several tables in one statement, in id order, no
                // restaurant_id and no allocation.
                let mut sorted = tables.clone();
                sorted.sort();
                c.execute(
                "INSERT INTO booking_table_assignments (booking_id, table_id, assigned_at, assigned_by, idempotency_key, start_at, end_at)
                 SELECT b.id, t, now(), NULL, $3, b.start_at, b.end_at
                   FROM bookings b, unnest($2::text[]::uuid[]) WITH ORDINALITY u(t, o)
                  WHERE b.id = $1::text::uuid
                  ORDER BY o",
                &[&b, &sorted, &key(rng)],
            )?;
            }
            Op::Prune => {
                // The app's prune after a confirm: read the booking's table allocations, delete one
                // outside the set it keeps (never the last): refused (23503) while an assignment
                // backs it (SPEC §6). Or the staff releases a table by deleting its assignment row,
                // which releases it as unassign does.
                let rows = c.query(
                "SELECT id::text, resource_id::text FROM allocations WHERE booking_id = $1::text::uuid AND resource_type = 'table'",
                &[&b],
            )?;
                if rows.len() > 1 {
                    let victim: String = rows[rng.below(rows.len() as u64) as usize].get(0);
                    if rng.chance(50) {
                        c.execute("DELETE FROM allocations WHERE id IN ($1::text::uuid)", &[&victim])?;
                    } else {
                        c.execute(
                            "DELETE FROM booking_table_assignments WHERE allocation_id = $1::text::uuid",
                            &[&victim],
                        )?;
                    }
                }
            }
            Op::SyncWindows => {
                let shift = (rng.below(3) as i32 - 1) * 15;
                c.query(
                "SELECT s.table_id FROM bookings b,
                        sync_confirmed_assignment_windows(
                            p_booking_id => b.id,
                            p_table_ids => ARRAY(SELECT a.table_id FROM booking_table_assignments a WHERE a.booking_id = b.id),
                            p_window_start => b.start_at + make_interval(mins => $2),
                            p_window_end => b.end_at + make_interval(mins => $2),
                            p_actor_id => NULL, p_hold_id => NULL, p_merge_group_id => NULL,
                            p_idempotency_key => NULL, p_payload_checksum => NULL) s
                  WHERE b.id = $1::text::uuid",
                &[&b, &shift],
            )?;
            }
            Op::ReleaseEmit => {
                if let Some(h) = c.query_opt(ANY_HOLD, &[&hot.restaurant])? {
                    let h: String = h.get(0);
                    c.query("SELECT release_hold_and_emit(p_hold_id => $1::text::uuid, p_actor_id => NULL)", &[&h])?;
                }
            }
        }
        if rng.chance(10) {
            replenish(c, hot)?;
        }
        Ok(())
    }
}

/// One to three distinct tables, as text.
fn some_tables(rng: &mut Rng, hot: &Hot) -> Vec<String> {
    let n = 1 + rng.below(3) as usize;
    let start = rng.below(hot.tables.len() as u64) as usize;
    if rng.chance(70) {
        // A run of neighbours (adjacent in the chain).
        (0..n).map(|i| hot.tables[(start + i) % hot.tables.len()].clone()).collect()
    } else {
        let mut v: Vec<String> = (0..n).map(|_| rng.pick(&hot.tables).clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

fn key(rng: &mut Rng) -> Option<String> {
    rng.chance(30).then(|| format!("torture-{}", rng.below(4)))
}

const TARGETS: &[(&str, u64)] = &[
    ("pending", 10),
    ("pending_allocation", 6),
    ("confirmed", 20),
    ("checked_in", 18),
    ("completed", 6),
    ("cancelled", 4),
    ("no_show", 2),
];

const TRANSITION: &str = "SELECT status::text FROM apply_booking_state_transition(
        $1::text::uuid, $2::text,
        CASE WHEN $2 IN ('checked_in', 'completed') THEN coalesce((SELECT checked_in_at FROM bookings WHERE id = $1::text::uuid), now()) END,
        CASE WHEN $2 = 'completed' THEN now() END,
        now(), $3::text, $2::text, NULL, now(), 'torture', '{}')";
