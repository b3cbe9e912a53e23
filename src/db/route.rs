//! The restaurant a call is routed to. A reference-named RPC (`p_booking_id`, `p_hold_id`) looks
//! its restaurant up with one indexed read; its restaurant-keyed `_in_restaurant` companion
//! (SPEC §8) is told the restaurant and runs the same code with every lookup answered from it, so
//! on Citus the whole call runs on the node that holds that restaurant. A booking or hold of
//! another restaurant is then simply not found.

use std::cell::Cell;

use uuid::Uuid;

thread_local! {
    static ROUTED: Cell<Option<Uuid>> = const { Cell::new(None) };
}

/// The restaurant the running companion was called for, if any.
pub fn restaurant() -> Option<Uuid> {
    ROUTED.with(Cell::get)
}

/// Runs `f` routed to `restaurant`; the previous routing comes back afterwards, also when `f`
/// raises an error (pgrx unwinds through this frame).
pub fn within<R>(restaurant: Uuid, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Uuid>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ROUTED.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(ROUTED.with(|r| r.replace(Some(restaurant))));
    f()
}
