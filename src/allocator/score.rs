//! Plan scoring and ranking (SPEC §7).
//!
//! Score (lower is better) = w_overage·overage + w_fragmentation·fragmentation + w_zones·(zones − 1),
//! plus for n > 1: w_tables·(n − 1) + w_adjacency·adjacency cost (+ w_scarcity·scarcity, 0 by default).
//!
//! Ranking: score, overage, number of tables, total capacity, fragmentation, adjacency cost, table
//! numbers in natural order joined with `+`, then table ids.

use std::cmp::Ordering;

/// Weights of the score terms, each a `pg_seating.weight_*` setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub overage: f64,
    pub fragmentation: f64,
    pub zones: f64,
    pub tables: f64,
    pub adjacency: f64,
    pub scarcity: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { overage: 5.0, fragmentation: 2.0, zones: 4.0, tables: 3.0, adjacency: 1.0, scarcity: 0.0 }
    }
}

/// The terms of one plan's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakdown {
    pub overage: i32,
    pub fragmentation: i32,
    pub zones: i32,
    pub tables: i32,
    pub adjacency_cost: i32,
    pub scarcity: f64,
}

impl Breakdown {
    pub fn score(&self, w: &Weights) -> f64 {
        let mut s = w.overage * f64::from(self.overage)
            + w.fragmentation * f64::from(self.fragmentation)
            + w.zones * f64::from(self.zones - 1)
            + w.scarcity * self.scarcity;
        if self.tables > 1 {
            s += w.tables * f64::from(self.tables - 1) + w.adjacency * f64::from(self.adjacency_cost);
        }
        s
    }
}

/// Compares two table numbers naturally: case-insensitive, digit runs compared as numbers
/// (`T2` < `T10` < `t11`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.chars().peekable();
    let mut y = b.chars().peekable();
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let mut n1 = String::new();
                while let Some(c) = x.peek().copied().filter(char::is_ascii_digit) {
                    n1.push(c);
                    x.next();
                }
                let mut n2 = String::new();
                while let Some(d) = y.peek().copied().filter(char::is_ascii_digit) {
                    n2.push(d);
                    y.next();
                }
                let t1 = n1.trim_start_matches('0');
                let t2 = n2.trim_start_matches('0');
                let ord = t1.len().cmp(&t2.len()).then_with(|| t1.cmp(t2));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(c), Some(d)) => {
                let ord = c.to_lowercase().cmp(d.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                x.next();
                y.next();
            }
        }
    }
}

/// Compares two lists of table numbers (each already in natural order) as their `+`-joined text.
pub fn natural_cmp_joined(a: &[&str], b: &[&str]) -> Ordering {
    natural_cmp(&a.join("+"), &b.join("+"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["T10", "t2", "T1", "B3", "T02", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["a", "B3", "T1", "t2", "T02", "T10"]);
        assert_eq!(natural_cmp("M1+M2", "M1+M10"), Ordering::Less);
        assert_eq!(natural_cmp("x", "X"), Ordering::Equal);
    }

    #[test]
    fn score_terms() {
        let w = Weights::default();
        let single = Breakdown { overage: 2, fragmentation: 0, zones: 1, tables: 1, adjacency_cost: 7, scarcity: 0.0 };
        assert_eq!(single.score(&w), 10.0, "adjacency and table count only count for combinations");
        let combo = Breakdown { overage: 1, fragmentation: 4, zones: 1, tables: 3, adjacency_cost: 1, scarcity: 9.0 };
        assert_eq!(combo.score(&w), 5.0 + 8.0 + 6.0 + 1.0);
        let w2 = Weights { scarcity: 0.5, ..w };
        assert_eq!(combo.score(&w2), 20.0 + 4.5);
    }
}
