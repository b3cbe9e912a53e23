//! Day planning: seat as many of a day's bookings as the tables allow, then as many guests, then
//! with as few seats wasted (SPEC §7's rules for each booking's table sets). `auto_assign_day`
//! writes the plan this computes; the greedy first-fit loop below is the baseline it is measured
//! against.
//!
//! Method: every booking's usable table sets are quoted once against what is already busy (best
//! first, at most `CANDIDATES`). A first plan gives each booking, in one of three orders (largest
//! party first, smallest first, fewest usable sets first), the best set still free. Rounds of
//! improvement follow: each booking left out is inserted by an ejection chain (a free set if there
//! is one, else a set that collides with exactly one seated booking, which is moved to another of
//! its sets, recursively `DEPTH` deep: the chain seats one more booking and keeps everyone else
//! seated, or is undone); then each seated booking is traded for two or more left out when that
//! frees room for them; then a few seated bookings move at random to another free set (a kick).
//! From the best of the three starts, `LNS_STEPS` ruin-and-recreate steps: the seated bookings
//! around a random booking (overlapping it in time on tables it could use) are unseated, then it
//! and they are seated again in a random order, then every booking left out; a step is kept unless
//! the plan got worse. Each seated booking finally takes its best-ranked free set. Deterministic: the random draws are seeded from the bookings' ids.
//!
//! Bookings with the same party and the same busy tables over their windows have the same sets:
//! those are quoted once. Every loop counts its steps and checks the policy's interrupt hook
//! (`search::Ticker`).

use std::collections::HashMap;

use uuid::Uuid;

use super::rng::Rng;
use super::search::{quote, Busy, Policy, Table, Ticker};
use crate::domain::window::Window;

/// A booking to seat.
#[derive(Debug, Clone, PartialEq)]
pub struct DayBooking {
    pub id: Uuid,
    pub party: i32,
    pub window: Window,
}

/// Where a booking ended up (`None`: unassigned).
#[derive(Debug, Clone, PartialEq)]
pub struct Seating {
    pub booking: Uuid,
    pub tables: Option<Vec<Uuid>>,
}

/// Table sets considered per booking (best first).
const CANDIDATES: usize = 96;
/// Ruin-and-recreate steps after the first plans.
const LNS_STEPS: usize = 600;
/// How many seated bookings an ejection chain may move in turn.
const DEPTH: usize = 2;
/// Rounds of improvement after the first plans (each ends with a kick).
const ROUNDS: usize = 12;
/// Seated bookings moved by a kick.
const KICK: usize = 6;

/// One usable table set of a booking: table indices, seats, and its rank (0 = best).
#[derive(Clone)]
struct Candidate {
    tables: Vec<usize>,
    seats: i32,
}

/// The plan under construction: each booking's chosen candidate, and which bookings sit at each
/// table.
struct State<'a> {
    bookings: &'a [DayBooking],
    candidates: &'a [Vec<Candidate>],
    chosen: Vec<Option<usize>>,
    at_table: Vec<Vec<usize>>,
    ticker: Ticker,
}

/// (seated, covers, -wasted seats): larger is better.
type Objective = (usize, i64, i64);

impl State<'_> {
    fn overlaps(&self, a: usize, b: usize) -> bool {
        let (x, y) = (self.bookings[a].window, self.bookings[b].window);
        x.start < y.end && y.start < x.end
    }

    /// The seated bookings (other than `b`) that candidate `c` of `b` would collide with.
    fn conflicts(&self, b: usize, c: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for &t in &self.candidates[b][c].tables {
            for &o in &self.at_table[t] {
                if o != b && self.overlaps(b, o) && !out.contains(&o) {
                    out.push(o);
                }
            }
        }
        out
    }

    fn place(&mut self, b: usize, c: usize) {
        debug_assert!(self.chosen[b].is_none());
        for &t in &self.candidates[b][c].tables {
            self.at_table[t].push(b);
        }
        self.chosen[b] = Some(c);
    }

    fn remove(&mut self, b: usize) -> Option<usize> {
        let c = self.chosen[b].take()?;
        for &t in &self.candidates[b][c].tables {
            self.at_table[t].retain(|&x| x != b);
        }
        Some(c)
    }

    /// The best-ranked free candidate of `b`, if any.
    fn free_candidate(&self, b: usize) -> Option<usize> {
        (0..self.candidates[b].len()).find(|&c| self.conflicts(b, c).is_empty())
    }

    /// Seats `b` (unseated), moving at most `depth` seated bookings one after another; on failure
    /// everything is as before. `chain` holds the bookings already being moved.
    fn insert(&mut self, b: usize, depth: usize, chain: &mut Vec<usize>) -> bool {
        self.ticker.tick();
        if let Some(c) = self.free_candidate(b) {
            self.place(b, c);
            return true;
        }
        if depth == 0 {
            return false;
        }
        chain.push(b);
        for c in 0..self.candidates[b].len() {
            let k = self.conflicts(b, c);
            if k.len() != 1 || chain.contains(&k[0]) {
                continue;
            }
            let other = k[0];
            let previous = self.remove(other).expect("a conflict is seated");
            self.place(b, c);
            if self.insert(other, depth - 1, chain) {
                chain.pop();
                return true;
            }
            self.remove(b);
            self.place(other, previous);
        }
        chain.pop();
        false
    }

    /// Makes `chosen` the plan.
    fn restore(&mut self, chosen: &[Option<usize>]) {
        for b in 0..self.chosen.len() {
            self.remove(b);
        }
        for (b, c) in chosen.iter().enumerate() {
            if let Some(c) = c {
                self.place(b, *c);
            }
        }
    }

    fn objective(&self) -> Objective {
        let mut o = (0usize, 0i64, 0i64);
        for (b, c) in self.chosen.iter().enumerate() {
            if let Some(c) = c {
                let party = i64::from(self.bookings[b].party);
                o.0 += 1;
                o.1 += party;
                o.2 -= i64::from(self.candidates[b][*c].seats) - party;
            }
        }
        o
    }
}

/// Plans the day: for each booking (in the given order), the tables it gets.
pub fn plan_day(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    bookings: &[DayBooking],
    policy: &Policy,
) -> Vec<Seating> {
    let ticker = Ticker::new(policy.interrupt);
    let index: HashMap<Uuid, usize> = tables.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    // A quote depends on the window only through the tables busy over it: bookings with the same
    // party and the same busy tables share one.
    let mut busy_at: HashMap<Uuid, Vec<Window>> = HashMap::new();
    for b in busy {
        busy_at.entry(b.table).or_default().push(b.window);
    }
    let mut quoted: HashMap<(i32, Vec<usize>), Vec<Candidate>> = HashMap::new();
    let candidates: Vec<Vec<Candidate>> = bookings
        .iter()
        .map(|b| {
            ticker.tick();
            let blocked: Vec<usize> = (0..tables.len())
                .filter(|&i| busy_at.get(&tables[i].id).is_some_and(|ws| ws.iter().any(|w| w.overlaps(&b.window))))
                .collect();
            quoted
                .entry((b.party, blocked))
                .or_insert_with(|| {
                    quote(tables, edges, busy, b.party, b.window, policy, CANDIDATES)
                        .plans
                        .into_iter()
                        .map(|p| Candidate {
                            tables: p.tables.iter().map(|t| index[t]).collect(),
                            seats: p.total_capacity,
                        })
                        .collect()
                })
                .clone()
        })
        .collect();
    let mut state = State {
        bookings,
        candidates: &candidates,
        chosen: vec![None; bookings.len()],
        at_table: vec![Vec::new(); tables.len()],
        ticker,
    };

    // Orders to build first plans from: largest party first (most guests), smallest first (most
    // bookings), fewest usable sets first (hardest to place).
    let key = |b: &DayBooking| (b.window.start, b.id);
    let mut largest: Vec<usize> = (0..bookings.len()).collect();
    largest.sort_by(|&a, &b| bookings[b].party.cmp(&bookings[a].party).then(key(&bookings[a]).cmp(&key(&bookings[b]))));
    let mut smallest: Vec<usize> = (0..bookings.len()).collect();
    smallest
        .sort_by(|&a, &b| bookings[a].party.cmp(&bookings[b].party).then(key(&bookings[a]).cmp(&key(&bookings[b]))));
    let mut hardest: Vec<usize> = (0..bookings.len()).collect();
    hardest.sort_by(|&a, &b| {
        candidates[a]
            .len()
            .cmp(&candidates[b].len())
            .then(bookings[b].party.cmp(&bookings[a].party))
            .then(key(&bookings[a]).cmp(&key(&bookings[b])))
    });

    let seed = bookings.iter().fold(0x05EA_7D47_u64, |h, b| h.rotate_left(7) ^ (b.id.as_u128() as u64));
    let mut rng = Rng(seed);
    let mut best: Option<(Objective, Vec<Option<usize>>)> = None;
    let mut chain = Vec::new();
    for first in [&largest, &smallest, &hardest] {
        for b in 0..bookings.len() {
            state.remove(b);
        }
        for &b in first {
            state.ticker.tick();
            if let Some(c) = state.free_candidate(b) {
                state.place(b, c);
            }
        }
        for _ in 0..ROUNDS {
            // Insert each booking left out (largest party first) by an ejection chain.
            for &b in &largest {
                if state.chosen[b].is_none() {
                    state.insert(b, DEPTH, &mut chain);
                }
            }
            // Trade one seated booking for two or more left out.
            for &x in &largest {
                let Some(previous) = state.remove(x) else { continue };
                let mut gained = Vec::new();
                for &b in smallest.iter() {
                    state.ticker.tick();
                    if b != x && state.chosen[b].is_none() {
                        if let Some(c) = state.free_candidate(b) {
                            state.place(b, c);
                            gained.push(b);
                        }
                    }
                }
                if gained.len() >= 2 || (gained.len() == 1 && state.insert(x, DEPTH, &mut chain)) {
                    if state.chosen[x].is_none() {
                        state.insert(x, DEPTH, &mut chain);
                    }
                } else {
                    for b in gained {
                        state.remove(b);
                    }
                    state.place(x, previous);
                }
            }
            let now = state.objective();
            if best.as_ref().is_none_or(|(o, _)| now > *o) {
                best = Some((now, state.chosen.clone()));
            }
            if now.0 == bookings.len() {
                break;
            }
            // Kick: move a few seated bookings to another free set of theirs.
            let seated: Vec<usize> = (0..bookings.len()).filter(|&b| state.chosen[b].is_some()).collect();
            if seated.is_empty() {
                break;
            }
            for _ in 0..KICK {
                state.ticker.tick();
                let b = seated[rng.below(seated.len() as u64) as usize];
                let Some(previous) = state.remove(b) else { continue };
                let n = candidates[b].len();
                let start = rng.below(n as u64) as usize;
                let next = (0..n)
                    .map(|i| (start + i) % n)
                    .find(|&c| c != previous && state.conflicts(b, c).is_empty())
                    .unwrap_or(previous);
                state.place(b, next);
            }
        }
    }

    // Ruin and recreate from the best plan: free the neighbourhood of a random booking (the seated
    // bookings overlapping it in time on the tables it could use), seat it and the freed bookings
    // again in a random order, then every booking left out; keep the result unless it is worse.
    let (mut current, mut current_plan) = best.clone().expect("three starts");
    state.restore(&current_plan);
    let mut order: Vec<usize> = Vec::new();
    for _ in 0..LNS_STEPS {
        if current.0 == bookings.len() {
            break;
        }
        state.ticker.tick();
        let pivot = rng.below(bookings.len() as u64) as usize;
        let mut near: Vec<usize> = Vec::new();
        for c in candidates[pivot].iter().take(8) {
            for &t in &c.tables {
                for &o in &state.at_table[t] {
                    if o != pivot && state.overlaps(pivot, o) && !near.contains(&o) {
                        near.push(o);
                    }
                }
            }
        }
        for &o in &near {
            state.remove(o);
        }
        state.remove(pivot);
        order.clear();
        order.push(pivot);
        order.extend(near.iter().copied());
        for i in (2..order.len()).rev() {
            let j = 1 + rng.below(i as u64) as usize;
            order.swap(i, j);
        }
        for &b in &order {
            state.insert(b, 1, &mut chain);
        }
        for &b in &largest {
            if state.chosen[b].is_none() {
                state.insert(b, 1, &mut chain);
            }
        }
        let now = state.objective();
        if now >= current {
            current = now;
            current_plan.clone_from(&state.chosen);
            if best.as_ref().is_none_or(|(o, _)| now > *o) {
                best = Some((now, state.chosen.clone()));
            }
        } else {
            state.restore(&current_plan);
        }
    }

    // The best plan seen; then each seated booking on its best-ranked free set.
    if let Some((_, chosen)) = best {
        state.restore(&chosen);
    }
    for &b in &largest {
        state.ticker.tick();
        if let Some(previous) = state.remove(b) {
            let c = state.free_candidate(b).unwrap_or(previous);
            state.place(b, c);
        }
    }

    bookings
        .iter()
        .enumerate()
        .map(|(b, booking)| Seating {
            booking: booking.id,
            tables: state.chosen[b].map(|c| candidates[b][c].tables.iter().map(|&t| tables[t].id).collect()),
        })
        .collect()
}

/// One move of an ejection chain: the booking and the tables it moves to.
pub type ChainMove = (Uuid, Vec<Uuid>);

/// Booking-time seating by an ejection chain (SPEC §7): `new` is seated among `seated` (bookings
/// that may move, each on the tables it holds) and what may not move (`fixed`), moving at most
/// `max_moves` of them one after another: `new` takes a set that collides with exactly one seated
/// booking, which takes a set colliding with exactly one other, and so on, until one finds a free
/// set. The fewest moves are tried first. Returns `new`'s tables and the moves as (booking,
/// tables), in an order in which each move's tables are free when it is applied (no move takes a
/// table that a booking moved later, or `new`, still holds).
pub fn chain_insert(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    fixed: &[Busy],
    seated: &[(DayBooking, Vec<Uuid>)],
    new: &DayBooking,
    policy: &Policy,
    max_moves: usize,
) -> Option<(Vec<Uuid>, Vec<ChainMove>)> {
    let ticker = Ticker::new(policy.interrupt);
    let index: HashMap<Uuid, usize> = tables.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut bookings: Vec<DayBooking> = seated.iter().map(|(b, _)| b.clone()).collect();
    bookings.push(new.clone());
    // Sets are quoted against what may not move over each booking's window (one quote per party
    // and window: a sitting's bookings share them).
    let mut quoted: HashMap<(i32, i64, i64), Vec<Candidate>> = HashMap::new();
    let mut candidates: Vec<Vec<Candidate>> = Vec::with_capacity(bookings.len());
    let mut initial: Vec<Option<usize>> = Vec::with_capacity(bookings.len());
    for (i, b) in bookings.iter().enumerate() {
        ticker.tick();
        let mut list = quoted
            .entry((b.party, b.window.start, b.window.end))
            .or_insert_with(|| {
                quote(tables, edges, fixed, b.party, b.window, policy, CANDIDATES)
                    .plans
                    .into_iter()
                    .map(|p| Candidate { tables: p.tables.iter().map(|t| index[t]).collect(), seats: p.total_capacity })
                    .collect()
            })
            .clone();
        // A seated booking's own tables are always one of its candidates (staying put).
        let here = seated.get(i).map(|(_, held)| {
            let mut at: Vec<usize> = held.iter().filter_map(|t| index.get(t).copied()).collect();
            at.sort_unstable();
            at
        });
        let start = here.and_then(|at| {
            if at.is_empty() {
                return None;
            }
            let found = list.iter().position(|c| {
                let mut s = c.tables.clone();
                s.sort_unstable();
                s == at
            });
            Some(found.unwrap_or_else(|| {
                let seats = at.iter().map(|&t| tables[t].capacity).sum();
                list.push(Candidate { tables: at, seats });
                list.len() - 1
            }))
        });
        candidates.push(list);
        initial.push(start);
    }
    let mut state = State {
        bookings: &bookings,
        candidates: &candidates,
        chosen: vec![None; bookings.len()],
        at_table: vec![Vec::new(); tables.len()],
        ticker,
    };
    for (b, c) in initial.iter().enumerate() {
        if let Some(c) = c {
            state.place(b, *c);
        }
    }
    let me = bookings.len() - 1;
    let mut chain = Vec::new();
    let seated_ok = (1..=max_moves).any(|depth| state.insert(me, depth, &mut chain));
    if !seated_ok {
        return None;
    }
    let ids = |b: usize, c: usize| -> Vec<Uuid> { candidates[b][c].tables.iter().map(|&t| tables[t].id).collect() };
    let mine = ids(me, state.chosen[me]?);
    // The moves, ordered so that each one's new tables are free when it is applied.
    let mut pending: Vec<usize> = (0..me).filter(|&b| state.chosen[b] != initial[b]).collect();
    let mut holds: Vec<Option<usize>> = initial.clone();
    let mut moves = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let next = pending.iter().position(|&m| {
            let Some(to) = state.chosen[m] else { return false };
            pending.iter().all(|&o| {
                o == m
                    || !state.overlaps(m, o)
                    || holds[o]
                        .is_none_or(|h| candidates[o][h].tables.iter().all(|t| !candidates[m][to].tables.contains(t)))
            })
        })?;
        let m = pending.remove(next);
        holds[m] = state.chosen[m];
        moves.push((bookings[m].id, ids(m, state.chosen[m]?)));
    }
    Some((mine, moves))
}
