//! What must hold after a torture run: the data invariants of the hot restaurant and no session
//! left inside a transaction.

use postgres::Client;

use super::APPLICATION;
use crate::invariant_violations;

/// The invariants, from the anomaly finder and from independent SQL (empty when healthy).
pub fn violations(c: &mut Client, restaurant: &str) -> Vec<String> {
    let mut out = invariant_violations(c, restaurant);
    for r in c
        .query(
            "SELECT kind || ': ' || coalesce(booking_id::text, '') || ' ' || coalesce(detail, '')
               FROM find_assignment_anomalies() WHERE restaurant_id = $1::text::uuid",
            &[&restaurant],
        )
        .expect("anomaly finder")
    {
        out.push(format!("anomaly finder: {}", r.get::<_, String>(0)));
    }
    let checks: [(&str, &str); 7] = [
        ("confirmed without a table",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid AND b.status = 'confirmed'
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x
                              WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)"),
        ("terminal booking with table state",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid
             AND b.status IN ('cancelled', 'no_show', 'completed')
             AND (EXISTS (SELECT 1 FROM booking_table_assignments x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM allocations x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM table_holds x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM booking_assignment_idempotency x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR b.assigned_zone_id IS NOT NULL)"),
        ("zone lock without a table",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid AND b.assigned_zone_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x
                              WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)"),
        ("hold window row differs from its hold",
         "SELECT w.hold_id::text FROM table_hold_windows w JOIN table_holds h
             ON h.restaurant_id = w.restaurant_id AND h.id = w.hold_id
          WHERE w.restaurant_id = $1::text::uuid
            AND (w.start_at, w.end_at, w.expires_at, w.status, w.booking_id)
                IS DISTINCT FROM (h.start_at, h.end_at, h.expires_at, h.status, h.booking_id)"),
        ("hold without members",
         "SELECT h.id::text FROM table_holds h WHERE h.restaurant_id = $1::text::uuid
             AND NOT EXISTS (SELECT 1 FROM table_hold_members m WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id)"),
        ("hold windows out of step with members",
         "SELECT h.id::text FROM table_holds h WHERE h.restaurant_id = $1::text::uuid
             AND (SELECT count(*) FROM table_hold_members m WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id)
              <> (SELECT count(*) FROM table_hold_windows w WHERE w.restaurant_id = h.restaurant_id AND w.hold_id = h.id)"),
        ("status differs from its last history row",
         "SELECT b.id::text FROM bookings b
            JOIN LATERAL (SELECT h.to_status FROM booking_state_history h
                           WHERE h.restaurant_id = b.restaurant_id AND h.booking_id = b.id
                           ORDER BY h.id DESC LIMIT 1) last ON true
          WHERE b.restaurant_id = $1::text::uuid AND last.to_status <> b.status"),
    ];
    for (name, sql) in checks {
        for row in c.query(sql, &[&restaurant]).unwrap_or_else(|e| panic!("{name}: {e}")) {
            out.push(format!("{name}: {}", row.get::<_, String>(0)));
        }
    }
    let idle: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
            &[&APPLICATION],
        )
        .expect("pg_stat_activity")
        .get(0);
    if idle > 0 {
        out.push(format!("{idle} torture sessions left idle in a transaction"));
    }
    out
}
