//! The exact table-set search (SPEC §7). Pure Rust: no SPI, no Postgres types.
//!
//! Every feasible plan is considered; pruning only drops sets that cannot be feasible (a set whose
//! capacity already exceeds party + max overage only grows when extended), so no cap or timeout
//! can drop the best plan. Connected combinations are enumerated once each (ESU enumeration:
//! every connected set is grown from its lowest member through neighbours above it).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_tables: 5, max_overage: 4, require_adjacency: true, weights: Weights::default() }
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
        self.score
            .total_cmp(&other.score)
            .then(self.breakdown.overage.cmp(&other.breakdown.overage))
            .then(self.breakdown.tables.cmp(&other.breakdown.tables))
            .then(self.total_capacity.cmp(&other.total_capacity))
            .then(self.breakdown.fragmentation.cmp(&other.breakdown.fragmentation))
            .then(self.breakdown.adjacency_cost.cmp(&other.breakdown.adjacency_cost))
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

struct Search<'a> {
    tables: &'a [Table],
    adj: Vec<Vec<usize>>,
    party: i32,
    policy: &'a Policy,
    limit: usize,
    heap: BinaryHeap<Ranked>,
    feasible: usize,
}

impl Search<'_> {
    fn consider(&mut self, members: &[usize]) {
        let total: i32 = members.iter().fold(0i32, |t, &i| t.saturating_add(self.tables[i].capacity));
        let largest = members.iter().map(|&i| self.tables[i].capacity).max().unwrap_or(0);
        let n = members.len();
        let mut order: Vec<usize> = members.to_vec();
        order.sort_by(|&a, &b| {
            super::score::natural_cmp(&self.tables[a].number, &self.tables[b].number)
                .then(self.tables[a].id.cmp(&self.tables[b].id))
        });
        let breakdown = Breakdown {
            overage: total.saturating_sub(self.party),
            fragmentation: total.saturating_sub(largest),
            zones: 1,
            tables: n as i32,
            adjacency_cost: if n > 1 { radius(members, &self.adj) } else { 0 },
            scarcity: members.iter().map(|&i| self.tables[i].scarcity).sum(),
        };
        let plan = Plan {
            tables: order.iter().map(|&i| self.tables[i].id).collect(),
            numbers: order.iter().map(|&i| self.tables[i].number.clone()).collect(),
            zone: self.tables[members[0]].zone,
            total_capacity: total,
            score: breakdown.score(&self.policy.weights),
            breakdown,
        };
        self.feasible += 1;
        if self.limit == 0 {
            return;
        }
        if self.heap.len() < self.limit {
            self.heap.push(Ranked(plan));
        } else if let Some(worst) = self.heap.peek() {
            if plan.rank_cmp(&worst.0) == Ordering::Less {
                self.heap.pop();
                self.heap.push(Ranked(plan));
            }
        }
    }

    /// ESU: grow connected sets from `root` through neighbours with a higher index.
    fn extend_connected(&mut self, set: &mut Vec<usize>, ext: Vec<usize>, root: usize, total: i32) {
        let upper = self.party.saturating_add(self.policy.max_overage);
        if set.len() >= 2 && total >= self.party {
            let members = set.clone();
            self.consider(&members);
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
            // Neighbours of w above the root, not in the set and not adjacent to it.
            let mut next = ext.clone();
            for &u in &self.adj[w] {
                if u > root && !set.contains(&u) && !next.contains(&u) && !set.iter().any(|&s| self.adj[s].contains(&u))
                {
                    next.push(u);
                }
            }
            set.push(w);
            self.extend_connected(set, next, root, grown);
            set.pop();
        }
    }

    /// Without the adjacency rule: every set of 2..max_tables tables of one zone.
    fn extend_any(&mut self, set: &mut Vec<usize>, pool: &[usize], from: usize, total: i32) {
        let upper = self.party.saturating_add(self.policy.max_overage);
        if set.len() >= 2 && total >= self.party {
            let members = set.clone();
            self.consider(&members);
        }
        if set.len() == self.policy.max_tables {
            return;
        }
        for k in from..pool.len() {
            let t = pool[k];
            let Some(grown) = total.checked_add(self.tables[t].capacity).filter(|&g| g <= upper) else {
                continue;
            };
            set.push(t);
            self.extend_any(set, pool, k + 1, grown);
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
    let index: std::collections::HashMap<Uuid, usize> = tables.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    // The combination graph: usable movable tables, edges within one zone.
    let mut adj = vec![Vec::new(); tables.len()];
    for (a, b) in edges {
        if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
            let ok = |k: usize| usable[k] && tables[k].movable;
            if i != j && ok(i) && ok(j) && tables[i].zone == tables[j].zone && !adj[i].contains(&j) {
                adj[i].push(j);
                adj[j].push(i);
            }
        }
    }
    let mut s = Search { tables, adj, party, policy, limit, heap: BinaryHeap::new(), feasible: 0 };
    // Saturating: a party of i32::MAX guests must get "no plan", not an overflow.
    let upper = party.saturating_add(policy.max_overage);

    // Single tables (fixed ones too).
    for (i, t) in tables.iter().enumerate() {
        if usable[i] && t.capacity >= party && t.capacity <= upper && t.max_party.is_none_or(|m| party <= m) {
            s.consider(&[i]);
        }
    }
    // Combinations of movable tables.
    let max_tables = policy.max_tables.clamp(1, 6);
    if max_tables >= 2 {
        if policy.require_adjacency {
            for root in 0..tables.len() {
                if !(usable[root] && tables[root].movable) || tables[root].capacity > upper {
                    continue;
                }
                let ext: Vec<usize> = s.adj[root].iter().copied().filter(|&u| u > root).collect();
                let mut set = vec![root];
                s.extend_connected(&mut set, ext, root, tables[root].capacity);
            }
        } else {
            let mut zones: Vec<Uuid> = tables.iter().map(|t| t.zone).collect();
            zones.sort();
            zones.dedup();
            for z in zones {
                let pool: Vec<usize> =
                    (0..tables.len()).filter(|&i| usable[i] && tables[i].movable && tables[i].zone == z).collect();
                let mut set = Vec::new();
                s.extend_any(&mut set, &pool, 0, 0);
            }
        }
    }
    let feasible = s.feasible;
    let mut plans: Vec<Plan> = s.heap.into_vec().into_iter().map(|r| r.0).collect();
    plans.sort_by(|a, b| a.rank_cmp(b));
    rejected.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Quote { plans, rejected, feasible }
}
