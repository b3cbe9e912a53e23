"""The quality benchmark's driver (benches/quality/run): for each day, every usable table set of every
booking (quote_tables with no limit, before anything is seated), the plan auto_assign_day writes, and
the offline optimum of the same day: a MILP over those sets (HiGHS through highspy), maximising the
bookings seated, then the guests seated, then minimising the seats wasted. Prints one Markdown row
per day and a total.

usage: optimum.py PSQL_ARGS... -- DAY_SPEC...   (DAY_SPEC: "seed:<n>" or "demo")
"""
import csv
import io
import subprocess
import sys
import time

import highspy


def psql(args, sql):
    out = subprocess.run(["psql", "-qXA", "-v", "ON_ERROR_STOP=1", "--csv", *args, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return list(csv.reader(io.StringIO(out)))[1:]


def optimum(bookings, sets):
    """bookings: {id: (party, start, end)}; sets: [(booking, tables tuple, seats)]."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    inf = highspy.kHighsInf
    seated_w, covers_w = 1_000_000.0, 1_000.0
    for b, _tables, seats in sets:
        party = bookings[b][0]
        # maximise: seated * W1 + covers * W2 - wasted  ->  minimise the negation
        h.addVar(0.0, 1.0)
        h.changeColCost(h.getNumCol() - 1, -(seated_w + covers_w * party - (seats - party)))
        h.changeColIntegrality(h.getNumCol() - 1, highspy.HighsVarType.kInteger)
    by_booking = {}
    by_table = {}
    for j, (b, tables, _seats) in enumerate(sets):
        by_booking.setdefault(b, []).append(j)
        for t in tables:
            by_table.setdefault(t, []).append(j)
    for cols in by_booking.values():
        h.addRow(-inf, 1.0, len(cols), cols, [1.0] * len(cols))
    # A table serves at most one booking at any instant: one row per table and booking start.
    for t, cols in by_table.items():
        starts = sorted({bookings[sets[j][0]][1] for j in cols})
        for s in starts:
            live = [j for j in cols if bookings[sets[j][0]][1] <= s < bookings[sets[j][0]][2]]
            if len(live) > 1:
                h.addRow(-inf, 1.0, len(live), live, [1.0] * len(live))
    h.run()
    x = h.getSolution().col_value
    seated = covers = wasted = 0
    for j, (b, _tables, seats) in enumerate(sets):
        if x[j] > 0.5:
            party = bookings[b][0]
            seated, covers, wasted = seated + 1, covers + party, wasted + seats - party
    status = h.modelStatusToString(h.getModelStatus())
    return seated, covers, wasted, status


def main():
    split = sys.argv.index("--")
    args, specs = sys.argv[1:split], sys.argv[split + 1:]
    rows = []
    for spec in specs:
        if spec == "demo":
            r, day = psql(args, "SELECT id, (SELECT min(booking_date) FROM bookings WHERE restaurant_id = r.id) "
                                "FROM restaurants r WHERE slug = 'the-copper-pot'")[0]
            label = "demo day"
        else:
            seed = spec.split(":")[1]
            r = psql(args, f"SELECT md5('quality-restaurant-{seed}')::uuid")[0][0]
            day = "2027-03-10"
            label = f"seed {seed}"
        tables = int(psql(args, f"SELECT count(*) FROM table_inventory WHERE restaurant_id = '{r}'")[0][0])
        bookings = {row[0]: (int(row[1]), float(row[2]), float(row[3])) for row in psql(args,
            f"SELECT id, party_size, extract(epoch FROM start_at), extract(epoch FROM end_at) FROM bookings "
            f"WHERE restaurant_id = '{r}' AND booking_date = '{day}' AND status NOT IN ('cancelled', 'no_show', 'completed')")}
        sets = [(row[0], tuple(row[1].strip("{}").split(",")), int(row[2])) for row in psql(args,
            f"SELECT b.id, q.table_ids, q.total_capacity FROM bookings b, "
            f"LATERAL quote_tables(b.id, 1000000) q WHERE b.restaurant_id = '{r}' AND b.booking_date = '{day}' "
            f"AND b.status NOT IN ('cancelled', 'no_show', 'completed')")]
        began = time.monotonic()
        plan = psql(args, f"SELECT count(*) FILTER (WHERE outcome IN ('assigned', 'kept')) FROM auto_assign_day('{r}', '{day}')")
        planned_s = time.monotonic() - began
        m = psql(args, f"SELECT d->>'seated', d->>'covers', d->>'wastedSeats' FROM day_plan_metrics('{r}', '{day}') d")[0]
        p_seated, p_covers, p_wasted = (int(v) for v in m)
        o_seated, o_covers, o_wasted, status = optimum(bookings, sets)
        rows.append((label, tables, len(bookings), len(sets), o_seated, o_covers, o_wasted, status,
                     p_seated, p_covers, p_wasted, planned_s))
        assert int(plan[0][0]) == p_seated
    print("| day | tables | bookings | table sets | optimum seated / covers / wasted | auto_assign_day seated / covers / wasted | seated gap | covers gap | auto_assign_day s |")
    print("|---|---|---|---|---|---|---|---|---|")
    gaps = []
    for (label, t, n, k, os_, oc, ow, status, ps, pc, pw, secs) in rows:
        gap = 100.0 * (os_ - ps) / os_ if os_ else 0.0
        cgap = 100.0 * (oc - pc) / oc if oc else 0.0
        if label != "demo day":
            gaps.append(gap)
        note = "" if status == "Optimal" else f" ({status})"
        print(f"| {label} | {t} | {n} | {k} | {os_} / {oc} / {ow}{note} | {ps} / {pc} / {pw} | {gap:.1f} % | {cgap:.1f} % | {secs:.2f} |")
    if gaps:
        print(f"\nSeeded days: mean seated gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} days, "
              f"at the optimum on {sum(1 for g in gaps if g == 0)}, worst {max(gaps):.1f} %.")


if __name__ == "__main__":
    main()
