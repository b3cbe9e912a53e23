//! The in-database allocator's pure core (SPEC §7): exact search for the best table sets of a
//! booking, their scores, and the reasons tables were left out. No SPI; covered by `cargo test`
//! (including property tests against a brute-force oracle).

pub mod day;
pub mod rng;
pub mod room;
pub mod score;
pub mod search;

#[cfg(test)]
mod baseline;
#[cfg(test)]
mod bounded_tests;
#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod quality_tests;
