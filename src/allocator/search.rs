//! The exact table-set search (SPEC §7). Pure Rust: no SPI, no Postgres types.
//!
//! Every feasible plan is considered; pruning only drops sets that cannot be feasible (a set whose
//! capacity already exceeds party + max overage only grows when extended; a set whose capacity plus
//! the largest capacities its remaining table budget could still add stays below the party), so no
//! cap or timeout can drop the best plan. Connected combinations are enumerated once each (ESU
//! enumeration: every connected set is grown from its lowest member through neighbours above it).
//!
//! The work is bounded by interrupts, not by a cap: the search checks its policy's [`Interrupt`] at
//! the start and every [`CHECK_EVERY`] steps.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

use uuid::Uuid;

use super::score::{natural_cmp_joined, Breakdown, Weights};
use crate::domain::window::Window;

/// One table as the allocator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: Uuid,
    pub number: String,
    pub capacity: i32,
    pub min_party: i32,
    pub max_party: Option<i32>,
    pub zone: Uuid,
    pub movable: bool,
    pub active: bool,
    pub out_of_service: bool,
    /// Scarcity of the table (e.g. how rare its size is); weighted by `Weights::scarcity`.
    pub scarcity: f64,
}

/// Fills each table's scarcity: how rare its capacity is in the restaurant (tables in all / tables
/// of that capacity, minus one). With `pg_seating.weight_scarcity` above 0, plans that use rare
/// sizes score worse, so they stay free for the parties that need them.
pub fn assign_scarcity(tables: &mut [Table]) {
    let n = tables.len() as f64;
    let counts: Vec<usize> =
        tables.iter().map(|t| tables.iter().filter(|u| u.capacity == t.capacity).count()).collect();
    for (t, c) in tables.iter_mut().zip(counts) {
        t.scarcity = n / c as f64 - 1.0;
    }
}

/// When a table is not free: a non-shadow allocation of another booking, or another booking's
/// live hold, over `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub table: Uuid,
    pub window: Window,
}

/// The knobs of the search (`pg_seating.*` settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Largest combination (1–6).
    pub max_tables: usize,
    /// Seats a plan may have beyond the party.
    pub max_overage: i32,
    /// Combinations must be connected through adjacency edges.
    pub require_adjacency: bool,
    pub weights: Weights,
    /// Checked while the searches run (the no-op by default).
    pub interrupt: Interrupt,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_tables: 5,
            max_overage: 4,
            require_adjacency: true,
            weights: Weights::default(),
            interrupt: Interrupt::NONE,
        }
    }
}

/// A check for interrupts that the searches (quote, making room, day planning) call at their start
/// and every [`CHECK_EVERY`] steps. In the extension it is Postgres's CHECK_FOR_INTERRUPTS
/// (`settings::policy`): a pending cancel, statement_timeout or terminate is raised there as an
/// error, which unwinds out of the search. A hook never changes a result, so every hook compares
/// equal.
#[derive(Clone, Copy)]
pub struct Interrupt(pub fn());

impl Interrupt {
    /// No check (pure callers).
    pub const NONE: Interrupt = Interrupt(no_interrupt);

    pub fn check(self) {
        (self.0)()
    }
}

fn no_interrupt() {}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt::NONE
    }
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Interrupt")
    }
}

impl PartialEq for Interrupt {
    fn eq(&self, _: &Interrupt) -> bool {
        true
    }
}

/// Steps between two interrupt checks. A step (a set the search grows, a move of the day planner)
/// takes microseconds, so checks come well within a millisecond of each other.
pub const CHECK_EVERY: u64 = 256;

/// Counts a search's steps and checks for interrupts every [`CHECK_EVERY`] of them.
pub(crate) struct Ticker {
    interrupt: Interrupt,
    steps: Cell<u64>,
}

impl Ticker {
    /// Checks once now, then every [`CHECK_EVERY`] steps.
    pub(crate) fn new(interrupt: Interrupt) -> Ticker {
        interrupt.check();
        Ticker { interrupt, steps: Cell::new(0) }
    }

    pub(crate) fn tick(&self) {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n.is_multiple_of(CHECK_EVERY) {
            self.interrupt.check();
        }
    }

    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }
}

/// Why a table takes part in no plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rejection {
    Inactive,
    OutOfService,
    Busy,
    PartyBelowMinimum,
}

impl Rejection {
    pub fn label(self) -> &'static str {
        match self {
            Rejection::Inactive => "inactive",
            Rejection::OutOfService => "out_of_service",
            Rejection::Busy => "busy",
            Rejection::PartyBelowMinimum => "party_below_min_party_size",
        }
    }
}

/// A candidate table set with its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Table ids in natural order of their numbers.
    pub tables: Vec<Uuid>,
    pub numbers: Vec<String>,
    pub zone: Uuid,
    pub total_capacity: i32,
    pub breakdown: Breakdown,
    pub score: f64,
}

impl Plan {
    /// The ranking of SPEC §7 (lower is better).
    pub fn rank_cmp(&self, other: &Plan) -> Ordering {
        head_cmp(self.score, &self.breakdown, self.total_capacity, other)
            .then_with(|| {
                let a: Vec<&str> = self.numbers.iter().map(String::as_str).collect();
                let b: Vec<&str> = other.numbers.iter().map(String::as_str).collect();
                natural_cmp_joined(&a, &b)
            })
            .then_with(|| self.tables.cmp(&other.tables))
    }
}

/// The answer to one quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Best first, at most `limit`.
    pub plans: Vec<Plan>,
    /// Tables unusable for this booking, with why.
    pub rejected: Vec<(Uuid, Rejection)>,
    /// How many feasible plans there were in all.
    pub feasible: usize,
    /// Nodes the combination search visited: each set of movable tables it grew (without the
    /// adjacency rule also one empty start per zone). Its work, for tests and benchmarks.
    pub nodes: u64,
}

/// The ranking's terms before the table numbers: a plan with these terms (score, breakdown, seats)
/// against `other`.
fn head_cmp(score: f64, breakdown: &Breakdown, total_capacity: i32, other: &Plan) -> Ordering {
    score
        .total_cmp(&other.score)
        .then(breakdown.overage.cmp(&other.breakdown.overage))
        .then(breakdown.tables.cmp(&other.breakdown.tables))
        .then(total_capacity.cmp(&other.total_capacity))
        .then(breakdown.fragmentation.cmp(&other.breakdown.fragmentation))
        .then(breakdown.adjacency_cost.cmp(&other.breakdown.adjacency_cost))
}

impl Quote {
    /// Why no plan fits a party of `party` among `tables` tables, for the DETAIL of the no-plan
    /// error: the tables left out by reason, and the sizes a plan would need.
    pub fn explain(&self, party: i32, tables: usize, policy: &Policy) -> String {
        let count = |r: Rejection| self.rejected.iter().filter(|(_, x)| *x == r).count();
        format!(
            "party of {party}; {tables} tables: {} busy in the window, {} out of service, {} inactive, {} need a larger \
             party; no single table or connected combination of up to {} movable tables of one zone seats {party} to {} \
             guests",
            count(Rejection::Busy),
            count(Rejection::OutOfService),
            count(Rejection::Inactive),
            count(Rejection::PartyBelowMinimum),
            policy.max_tables,
            party.saturating_add(policy.max_overage),
        )
    }
}

/// Wrapper ordering plans best-first for a max-heap that keeps the `limit` best (the worst on top).
struct Ranked(Plan);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.0.rank_cmp(&other.0) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank_cmp(&other.0)
    }
}

/// The radius of the subgraph induced by `members` (indices into `adj`): the smallest, over its
/// tables, of the largest BFS distance to the others; `members.len()` when it is not connected.
pub fn radius(members: &[usize], adj: &[Vec<usize>]) -> i32 {
    let n = members.len();
    if n <= 1 {
        return 0;
    }
    let pos = |t: usize| members.iter().position(|&m| m == t);
    let mut best = i32::MAX;
    for start in 0..n {
        let mut dist = vec![-1i32; n];
        dist[start] = 0;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(i) = queue.pop_front() {
            for &nb in &adj[members[i]] {
                if let Some(j) = pos(nb) {
                    if dist[j] < 0 {
                        dist[j] = dist[i] + 1;
                        queue.push_back(j);
                    }
                }
            }
        }
        if dist.iter().any(|&d| d < 0) {
            return n as i32;
        }
        best = best.min(*dist.iter().max().unwrap_or(&0));
    }
    best
}

/// The most seats up to `r` more tables could add to a set: for each position, prefix sums of the
/// largest capacities among the combinable tables after it in its group (its zone).
struct Reach {
    /// The largest budget tracked (a row holds r = 0..=k).
    k: usize,
    sums: Vec<i64>,
}

impl Reach {
    /// `item(i)`: the group and capacity of position `i` of `n`, or None when it is in no
    /// combination. Rows of positions that are in none stay 0 and are never read.
    fn after<G: Eq + std::hash::Hash>(n: usize, k: usize, item: impl Fn(usize) -> Option<(G, i32)>) -> Reach {
        let mut sums = vec![0i64; n * (k + 1)];
        // Per group, the k largest capacities seen so far (those after the current position), largest first.
        let mut tops: HashMap<G, Vec<i64>> = HashMap::new();
        for i in (0..n).rev() {
            let Some((group, capacity)) = item(i) else { continue };
            let top = tops.entry(group).or_default();
            let mut seats = 0i64;
            for r in 1..=k {
                seats += top.get(r - 1).copied().unwrap_or(0);
                sums[i * (k + 1) + r] = seats;
            }
            // A table can only add seats: one of none (or fewer) counts as 0, still an upper bound.
            let c = i64::from(capacity.max(0));
            let at = top.partition_point(|&x| x >= c);
            if at < k {
                top.insert(at, c);
                top.truncate(k);
            }
        }
        Reach { k, sums }
    }

    /// The most seats `r` more tables after position `i` could add.
    fn get(&self, i: usize, r: usize) -> i64 {
        self.sums[i * (self.k + 1) + r.min(self.k)]
    }
}

/// The radius of a set from its members' adjacency as bit masks (bit j of `adjacent[i]`: members i
/// and j are adjacent; at most 64 members): the same as [`radius`].
fn radius_of_masks(adjacent: &[u64]) -> i32 {
    let n = adjacent.len();
    if n <= 1 {
        return 0;
    }
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut best = i32::MAX;
    for start in 0..n {
        let (mut seen, mut frontier, mut depth) = (1u64 << start, 1u64 << start, 0);
        while seen != all {
            let mut next = 0u64;
            let mut f = frontier;
            while f != 0 {
                next |= adjacent[f.trailing_zeros() as usize];
                f &= f - 1;
            }
            frontier = next & !seen;
            if frontier == 0 {
                return n as i32;
            }
            seen |= frontier;
            depth += 1;
        }
        best = best.min(depth);
    }
    best
}

/// The combination graph as a bit matrix (row i, bit j: tables i and j are adjacent), for the
/// radius of each feasible set; empty above `MATRIX_TABLES` tables.
struct Matrix {
    words: usize,
    bits: Vec<u64>,
}

/// Tables up to which the combination graph is also kept as a bit matrix (2 MB at most).
const MATRIX_TABLES: usize = 4096;

impl Matrix {
    fn new(adj: &[Vec<usize>]) -> Matrix {
        let n = adj.len();
        if n > MATRIX_TABLES {
            return Matrix { words: 0, bits: Vec::new() };
        }
        let words = n.div_ceil(64);
        let mut bits = vec![0u64; n * words];
        for (i, neighbours) in adj.iter().enumerate() {
            for &j in neighbours {
                bits[i * words + j / 64] |= 1u64 << (j % 64);
            }
        }
        Matrix { words, bits }
    }

    /// The radius of the set `members`, as [`radius`] computes it.
    fn radius(&self, members: &[usize], adj: &[Vec<usize>]) -> i32 {
        if self.bits.is_empty() || members.len() > 64 {
            return radius(members, adj);
        }
        let mut adjacent = [0u64; 64];
        for (i, &a) in members.iter().enumerate() {
            for (j, &b) in members.iter().enumerate() {
                if self.bits[a * self.words + b / 64] >> (b % 64) & 1 == 1 {
                    adjacent[i] |= 1u64 << j;
                }
            }
        }
        radius_of_masks(&adjacent[..members.len()])
    }
}

/// [`radius`] through the bit matrix, for the test that they agree.
#[cfg(test)]
pub(crate) fn radius_by_matrix(members: &[usize], adj: &[Vec<usize>]) -> i32 {
    Matrix::new(adj).radius(members, adj)
}

struct Search<'a> {
    tables: &'a [Table],
    adj: Vec<Vec<usize>>,
    matrix: Matrix,
    party: i32,
    policy: &'a Policy,
    limit: usize,
    heap: BinaryHeap<Ranked>,
    feasible: usize,
    /// Connected search: how many members of the current set each table is or is adjacent to.
    near: Vec<u32>,
    /// Connected search: what the tables above each root in its zone could add.
    reach: Reach,
    /// Whether sets that cannot reach the party are pruned (off only in the test that shows pruning
    /// changes no result).
    prune: bool,
    ticker: Ticker,
}

impl Search<'_> {
    fn consider(&mut self, members: &[usize]) {
        self.feasible += 1;
        if self.limit == 0 {
            return;
        }
        let total: i32 = members.iter().fold(0i32, |t, &i| t.saturating_add(self.tables[i].capacity));
        let largest = members.iter().map(|&i| self.tables[i].capacity).max().unwrap_or(0);
        let n = members.len();
        let breakdown = Breakdown {
            overage: total.saturating_sub(self.party),
            fragmentation: total.saturating_sub(largest),
            zones: 1,
            tables: n as i32,
            adjacency_cost: if n > 1 { self.matrix.radius(members, &self.adj) } else { 0 },
            scarcity: members.iter().map(|&i| self.tables[i].scarcity).sum(),
        };
        let score = breakdown.score(&self.policy.weights);
        let tables = self.tables;
        // A full heap takes only a plan that ranks before its worst (`Plan::rank_cmp`): compared on
        // the terms before the table numbers first, and nothing is allocated for a plan left out.
        let full = self.heap.len() >= self.limit;
        let head = match self.heap.peek() {
            Some(Ranked(worst)) if full => head_cmp(score, &breakdown, total, worst),
            _ => Ordering::Less,
        };
        if head == Ordering::Greater {
            return;
        }
        let mut order: Vec<usize> = members.to_vec();
        order.sort_by(|&a, &b| {
            super::score::natural_cmp(&tables[a].number, &tables[b].number).then(tables[a].id.cmp(&tables[b].id))
        });
        if let (true, Some(Ranked(worst))) = (head == Ordering::Equal, self.heap.peek()) {
            let ours: Vec<&str> = order.iter().map(|&i| tables[i].number.as_str()).collect();
            let theirs: Vec<&str> = worst.numbers.iter().map(String::as_str).collect();
            let tail = natural_cmp_joined(&ours, &theirs)
                .then_with(|| order.iter().map(|&i| tables[i].id).cmp(worst.tables.iter().copied()));
            if tail != Ordering::Less {
                return;
            }
        }
        if full {
            self.heap.pop();
        }
        self.heap.push(Ranked(Plan {
            tables: order.iter().map(|&i| tables[i].id).collect(),
            numbers: order.iter().map(|&i| tables[i].number.clone()).collect(),
            zone: tables[members[0]].zone,
            total_capacity: total,
            score,
            breakdown,
        }));
    }

    /// Whether a set of `len` tables and `seats` seats, growing with tables after position `at`,
    /// can still seat the party: its seats plus the most that the tables its budget still allows
    /// could add.
    fn can_reach(&self, reach: &Reach, at: usize, len: usize, seats: i32) -> bool {
        !self.prune
            || i64::from(seats) + reach.get(at, self.policy.max_tables.saturating_sub(len)) >= i64::from(self.party)
    }

    /// Table `t` joins the current set.
    fn join(&mut self, t: usize) {
        self.near[t] += 1;
        for &u in &self.adj[t] {
            self.near[u] += 1;
        }
    }

    /// Table `t` leaves the current set.
    fn leave(&mut self, t: usize) {
        self.near[t] -= 1;
        for &u in &self.adj[t] {
            self.near[u] -= 1;
        }
    }

    /// ESU: grow connected sets from `root` through neighbours with a higher index.
    fn extend_connected(&mut self, set: &mut Vec<usize>, ext: Vec<usize>, root: usize, total: i32) {
        self.ticker.tick();
        let upper = self.party.saturating_add(self.policy.max_overage);
        if set.len() >= 2 && total >= self.party {
            self.consider(set);
        }
        if set.len() == self.policy.max_tables {
            return;
        }
        let mut ext = ext;
        while let Some(w) = ext.pop() {
            // A sum beyond i32 exceeds any bound: prune it like any other over-capacity set.
            let Some(grown) = total.checked_add(self.tables[w].capacity).filter(|&g| g <= upper) else {
                continue;
            };
            if !self.can_reach(&self.reach, root, set.len() + 1, grown) {
                continue;
            }
            // Neighbours of w above the root, not in the set and not adjacent to it (so not in
            // `ext` either: everything there is adjacent to the set).
            let mut next = ext.clone();
            for &u in &self.adj[w] {
                if u > root && self.near[u] == 0 {
                    debug_assert!(!next.contains(&u));
                    next.push(u);
                }
            }
            set.push(w);
            self.join(w);
            self.extend_connected(set, next, root, grown);
            self.leave(w);
            set.pop();
        }
    }

    /// Without the adjacency rule: every set of 2..max_tables tables of one zone.
    fn extend_any(&mut self, set: &mut Vec<usize>, pool: &[usize], reach: &Reach, from: usize, total: i32) {
        self.ticker.tick();
        let upper = self.party.saturating_add(self.policy.max_overage);
        if set.len() >= 2 && total >= self.party {
            self.consider(set);
        }
        if set.len() == self.policy.max_tables {
            return;
        }
        for k in from..pool.len() {
            let t = pool[k];
            let Some(grown) = total.checked_add(self.tables[t].capacity).filter(|&g| g <= upper) else {
                continue;
            };
            if !self.can_reach(reach, k, set.len() + 1, grown) {
                continue;
            }
            set.push(t);
            self.extend_any(set, pool, reach, k + 1, grown);
            set.pop();
        }
    }
}

/// Finds the `limit` best plans for a party in a window.
pub fn quote(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    party: i32,
    window: Window,
    policy: &Policy,
    limit: usize,
) -> Quote {
    search(tables, edges, busy, party, window, policy, limit, true)
}

/// [`quote`] without pruning by reach: the reference the pruned search must equal.
#[cfg(test)]
pub(crate) fn quote_unpruned(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    party: i32,
    window: Window,
    policy: &Policy,
    limit: usize,
) -> Quote {
    search(tables, edges, busy, party, window, policy, limit, false)
}

#[allow(clippy::too_many_arguments)]
fn search(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    party: i32,
    window: Window,
    policy: &Policy,
    limit: usize,
    prune: bool,
) -> Quote {
    let ticker = Ticker::new(policy.interrupt);
    let mut rejected = Vec::new();
    let mut usable = vec![false; tables.len()];
    for (i, t) in tables.iter().enumerate() {
        let why = if !t.active {
            Some(Rejection::Inactive)
        } else if t.out_of_service {
            Some(Rejection::OutOfService)
        } else if busy.iter().any(|b| b.table == t.id && b.window.overlaps(&window)) {
            Some(Rejection::Busy)
        } else if party < t.min_party {
            Some(Rejection::PartyBelowMinimum)
        } else {
            None
        };
        match why {
            Some(r) => rejected.push((t.id, r)),
            None => usable[i] = true,
        }
    }
    let index: HashMap<Uuid, usize> = tables.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let combinable = |k: usize| usable[k] && tables[k].movable;
    // The combination graph: usable movable tables, edges within one zone.
    let mut adj = vec![Vec::new(); tables.len()];
    for (a, b) in edges {
        if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
            if i != j && combinable(i) && combinable(j) && tables[i].zone == tables[j].zone && !adj[i].contains(&j) {
                adj[i].push(j);
                adj[j].push(i);
            }
        }
    }
    let max_tables = policy.max_tables.clamp(1, 6);
    // The budget never exceeds the tables there are.
    let budget = policy.max_tables.min(tables.len());
    let reach = if max_tables >= 2 && policy.require_adjacency {
        Reach::after(tables.len(), budget, |i| combinable(i).then(|| (tables[i].zone, tables[i].capacity)))
    } else {
        Reach::after(0, 0, |_| None::<((), i32)>)
    };
    let mut s = Search {
        tables,
        matrix: Matrix::new(&adj),
        adj,
        party,
        policy,
        limit,
        heap: BinaryHeap::new(),
        feasible: 0,
        near: vec![0; tables.len()],
        reach,
        prune,
        ticker,
    };
    // Saturating: a party of i32::MAX guests must get "no plan", not an overflow.
    let upper = party.saturating_add(policy.max_overage);

    // Single tables (fixed ones too).
    for (i, t) in tables.iter().enumerate() {
        if usable[i] && t.capacity >= party && t.capacity <= upper && t.max_party.is_none_or(|m| party <= m) {
            s.consider(&[i]);
        }
    }
    // Combinations of movable tables.
    if max_tables >= 2 {
        if policy.require_adjacency {
            for (root, table) in tables.iter().enumerate() {
                let seats = table.capacity;
                if !combinable(root) || seats > upper || !s.can_reach(&s.reach, root, 1, seats) {
                    continue;
                }
                let ext: Vec<usize> = s.adj[root].iter().copied().filter(|&u| u > root).collect();
                let mut set = vec![root];
                s.join(root);
                s.extend_connected(&mut set, ext, root, seats);
                s.leave(root);
            }
        } else {
            let mut zones: Vec<Uuid> = tables.iter().map(|t| t.zone).collect();
            zones.sort();
            zones.dedup();
            for z in zones {
                let pool: Vec<usize> = (0..tables.len()).filter(|&i| combinable(i) && tables[i].zone == z).collect();
                let reach = Reach::after(pool.len(), budget, |k| Some(((), tables[pool[k]].capacity)));
                let mut set = Vec::new();
                s.extend_any(&mut set, &pool, &reach, 0, 0);
            }
        }
    }
    let feasible = s.feasible;
    let nodes = s.ticker.steps();
    let mut plans: Vec<Plan> = s.heap.into_vec().into_iter().map(|r| r.0).collect();
    plans.sort_by(|a, b| a.rank_cmp(b));
    rejected.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Quote { plans, rejected, feasible, nodes }
}
