//! Pure domain rules: no SPI, no Postgres types. Covered by plain `cargo test`.
pub mod booking_update;
pub mod capacity;
pub mod day_plan;
pub mod error;
pub mod hold;
pub mod live;
pub mod state;
pub mod tableset;
pub mod window;
