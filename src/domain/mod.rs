//! Pure domain rules: no SPI, no Postgres types. Covered by plain `cargo test`.
pub mod capacity;
pub mod error;
pub mod state;
pub mod tableset;
pub mod window;
