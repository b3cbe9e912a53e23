//! Pure domain rules: no SPI, no Postgres types. Covered by plain `cargo test`.
pub mod error;
