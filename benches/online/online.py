"""Booking-time seating against the offline optimum (benches/online/run, SPEC §7).

For each seeded day of benches/quality/generate.sql: every usable table set of every booking is
quoted before anything is seated and the offline optimum solved exactly (benches/quality/optimum.py,
HiGHS). Then, for each arrival order ("random": a seeded shuffle; "large first": parties by size,
largest first) and each pg_seating.make_room_moves in MOVES, the day is reset and its bookings are
seated one at a time, each by auto_assign_tables in its own transaction (autocommit), as an app does
when a booking is made; no re-planning afterwards. Prints one Markdown row per (order, moves) with
the mean and worst seated gap against the optimum, the moves per booking seated and the latency
percentiles of auto_assign_tables measured at the client (loopback, one connection).

usage: online.py CONNINFO DAYS MOVES...
"""
import os
import random
import statistics
import sys
import time

import highspy
import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "quality"))
from optimum import optimum  # noqa: E402

DAY = "2027-03-10"

RESET = """
SET session_replication_role = replica;
DELETE FROM booking_table_assignments WHERE restaurant_id = %(r)s;
DELETE FROM allocations WHERE restaurant_id = %(r)s;
DELETE FROM booking_assignment_idempotency WHERE restaurant_id = %(r)s;
DELETE FROM booking_confirmation_results WHERE restaurant_id = %(r)s;
DELETE FROM table_hold_windows WHERE restaurant_id = %(r)s;
DELETE FROM table_hold_members WHERE restaurant_id = %(r)s;
DELETE FROM table_holds WHERE restaurant_id = %(r)s;
DELETE FROM booking_state_history WHERE restaurant_id = %(r)s;
DELETE FROM capacity_outbox WHERE restaurant_id = %(r)s;
UPDATE bookings SET status = 'pending', assigned_zone_id = NULL, auto_assign_idempotency_key = NULL,
                    auto_assign_last_result = NULL
 WHERE restaurant_id = %(r)s;
SET session_replication_role = origin;
"""


def all_seatable(bookings, sets_of, chosen):
    """Whether every booking of `chosen` can be seated at once on one of its sets (HiGHS)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    cols = []
    for b in chosen:
        for tables in sets_of.get(b, []):
            h.addVar(0.0, 1.0)
            h.changeColIntegrality(h.getNumCol() - 1, highspy.HighsVarType.kInteger)
            cols.append((b, tables))
    by_booking, by_table = {}, {}
    for j, (b, tables) in enumerate(cols):
        by_booking.setdefault(b, []).append(j)
        for t in tables:
            by_table.setdefault(t, []).append(j)
    for b in chosen:
        js = by_booking.get(b, [])
        if not js:
            return False
        h.addRow(1.0, 1.0, len(js), js, [1.0] * len(js))
    for t, js in by_table.items():
        for s in sorted({bookings[cols[j][0]][1] for j in js}):
            live = [j for j in js if bookings[cols[j][0]][1] <= s < bookings[cols[j][0]][2]]
            if len(live) > 1:
                h.addRow(-inf, 1.0, len(live), live, [1.0] * len(live))
    h.run()
    return h.modelStatusToString(h.getModelStatus()) == "Optimal"


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else 0.0


def main():
    conninfo, days, moves = sys.argv[1], int(sys.argv[2]), [int(m) for m in sys.argv[3:]]
    conn = psycopg.connect(conninfo, autocommit=True)
    cur = conn.cursor()
    results = {}  # (order, moves) -> list of (gap %, moves done, seated, latencies)
    for seed in range(1, days + 1):
        r = cur.execute("SELECT md5(%s)::uuid", (f"quality-restaurant-{seed}",)).fetchone()[0]
        rows = cur.execute(
            "SELECT id::text, party_size, extract(epoch FROM start_at)::float8, extract(epoch FROM end_at)::float8 "
            "FROM bookings WHERE restaurant_id = %s AND booking_date = %s", (r, DAY)).fetchall()
        bookings = {b: (p, s, e) for b, p, s, e in rows}
        cur.execute(RESET.replace("%(r)s", f"'{r}'"))
        sets = [(b, tuple(str(t) for t in tables), seats) for b, tables, seats in cur.execute(
            "SELECT b.id::text, q.table_ids, q.total_capacity FROM bookings b, LATERAL quote_tables(b.id, 1000000) q "
            "WHERE b.restaurant_id = %s AND b.booking_date = %s", (r, DAY)).fetchall()]
        o_seated = optimum(bookings, sets)[0]
        ids = sorted(bookings)
        for order in ("random", "large first"):
            if order == "random":
                arrival = ids[:]
                random.Random(seed).shuffle(arrival)
            else:
                arrival = sorted(ids, key=lambda b: (-bookings[b][0], bookings[b][1], b))
            # The bound of any booking-time seating that keeps every accepted booking seated: a
            # booking is accepted when all accepted so far and it can be seated at once, in any
            # arrangement (every earlier booking may move).
            sets_of = {}
            for b, tables, _seats in sets:
                sets_of.setdefault(b, []).append(tables)
            accepted = []
            for b in arrival:
                if all_seatable(bookings, sets_of, accepted + [b]):
                    accepted.append(b)
            gap = 100.0 * (o_seated - len(accepted)) / o_seated if o_seated else 0.0
            results.setdefault((order, "any (bound)"), []).append((gap, 0, len(accepted), []))
            for m in moves:
                cur.execute(RESET.replace("%(r)s", f"'{r}'"))
                cur.execute(f"SET pg_seating.make_room_moves = {m}")
                latencies = []
                seated = 0
                for b in arrival:
                    began = time.perf_counter()
                    try:
                        cur.execute("SELECT count(*) FROM auto_assign_tables(%s::uuid)", (b,))
                        seated += 1
                    except psycopg.errors.RaiseException:
                        pass
                    latencies.append((time.perf_counter() - began) * 1000.0)
                moved = cur.execute(
                    "SELECT count(*) FROM booking_state_history WHERE restaurant_id = %s AND reason LIKE 'moved%%'",
                    (r,)).fetchone()[0]
                check = cur.execute(
                    "SELECT count(DISTINCT booking_id) FROM booking_table_assignments WHERE restaurant_id = %s",
                    (r,)).fetchone()[0]
                assert check == seated, (seed, order, m, check, seated)
                gap = 100.0 * (o_seated - seated) / o_seated if o_seated else 0.0
                results.setdefault((order, m), []).append((gap, moved, seated, latencies))
        cur.execute("RESET pg_seating.make_room_moves")
    print(f"{days} seeded days (benches/quality/generate.sql), each booking seated by auto_assign_tables "
          f"as it arrives; gap = bookings the offline optimum seats that this does not, per day.")
    print()
    print("| arrival order | make_room_moves | mean gap | worst day | days at the optimum | moves per booking seated | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (order, m), runs in sorted(results.items(), key=lambda kv: (kv[0][0] != "random", str(kv[0][1]))):
        gaps = [g for g, _, _, _ in runs]
        moved = sum(x for _, x, _, _ in runs)
        seated = sum(s for _, _, s, _ in runs)
        lat = [v for _, _, _, ls in runs for v in ls]
        timing = (f"{percentile(lat, 50):.2f} | {percentile(lat, 95):.2f} | {percentile(lat, 99):.2f}" if lat
                  else "- | - | -")
        moves_col = f"{moved / max(seated, 1):.3f}" if lat else "any"
        print(f"| {order} | {m} | {statistics.mean(gaps):.2f} % | {max(gaps):.1f} % | "
              f"{sum(1 for g in gaps if g <= 0)} of {len(gaps)} | {moves_col} | {timing} |")
    print()
    print("make_room_moves \"any (bound)\": no booking-time method that keeps every accepted booking seated can do "
          "better; the rest of the gap is bookings accepted first-come first-served that the optimum would turn "
          "away to seat more of the others.")


if __name__ == "__main__":
    main()
