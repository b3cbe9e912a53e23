//! Errors pass through with their own SQLSTATE (SPEC §6).
//!
//! When a statement run through SPI fails (a trigger of the app's raising `AB123`, a constraint, a
//! cancellation), pgrx turns the Postgres error into a Rust panic and raises it again at the
//! function's boundary with the same message, DETAIL and HINT, but its SQLSTATE mapped through
//! pgrx's table of known codes: any other code (an application's own, like the app's triggers
//! raise) comes out as XX000. So while an RPC runs, a context callback of ours sits on Postgres's
//! error context stack:
//!   * when any error is raised below it, Postgres calls it before unwinding, and it remembers the
//!     error's real SQLSTATE;
//!   * `pass_through` catches an error that reached Rust as XX000, marks the remembered code to be
//!     restored, and lets the error go on;
//!   * when pgrx raises it again at the boundary (the callback is still on the stack, which only
//!     the transaction's or the caller's error recovery resets), the callback puts the real code
//!     back with `errcode()`.
//!
//! Only an error that arrived as XX000 is ever changed, and only to the code it had when raised.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::ptr::addr_of_mut;

use pgrx::pg_sys::{self, panic::CaughtError};
use pgrx::{PgSqlErrorCode, PgTryBuilder};

unsafe extern "C-unwind" {
    /// Sets the SQLSTATE of the error being raised (elog.c; not in pgrx's bindings).
    fn errcode(sqlerrcode: std::os::raw::c_int) -> std::os::raw::c_int;
}

thread_local! {
    /// The SQLSTATE of the last error raised under the callback.
    static LAST_CODE: Cell<i32> = const { Cell::new(0) };
    /// The SQLSTATE to give back to the next error raised as XX000 (0: none).
    static RESTORE: Cell<i32> = const { Cell::new(0) };
}

/// The one callback node (a backend runs one thread; nested RPCs share it).
static mut NODE: pg_sys::ErrorContextCallback = pg_sys::ErrorContextCallback {
    previous: std::ptr::null_mut(),
    callback: Some(remember),
    arg: std::ptr::null_mut(),
};

const INTERNAL_ERROR: i32 = PgSqlErrorCode::ERRCODE_INTERNAL_ERROR as i32;

/// Called by Postgres for every error reported while the node is on the stack.
unsafe extern "C-unwind" fn remember(_arg: *mut std::ffi::c_void) {
    // SAFETY: geterrcode and errcode read and set the error being reported; this runs inside
    // errfinish, where that error is on top of the error stack.
    let code = unsafe { pg_sys::geterrcode() };
    let restore = RESTORE.with(|r| r.replace(0));
    if restore != 0 && code == INTERNAL_ERROR {
        unsafe { errcode(restore) };
    } else {
        LAST_CODE.with(|c| c.set(code));
    }
}

/// Whether the node is on the current error context stack (an outer RPC put it there).
fn on_stack() -> bool {
    // SAFETY: walks Postgres's linked list of callbacks; every node is live while on it.
    unsafe {
        let mut p = pg_sys::error_context_stack;
        while !p.is_null() {
            if std::ptr::eq(p, addr_of_mut!(NODE)) {
                return true;
            }
            p = (*p).previous;
        }
    }
    false
}

/// Runs `f` (an RPC's body) so that errors raised beneath it keep their SQLSTATE.
pub fn pass_through<R>(f: impl FnOnce() -> R) -> R {
    let pushed = !on_stack();
    if pushed {
        // SAFETY: links the static node in front of the current stack (single-threaded backend).
        unsafe {
            NODE.previous = pg_sys::error_context_stack;
            pg_sys::error_context_stack = addr_of_mut!(NODE);
        }
    }
    let out = PgTryBuilder::new(AssertUnwindSafe(f))
        .catch_others(|e| {
            if let CaughtError::PostgresError(report) | CaughtError::ErrorReport(report) = &e {
                if report.sql_error_code() == PgSqlErrorCode::ERRCODE_INTERNAL_ERROR {
                    let last = LAST_CODE.with(Cell::get);
                    if last != 0 && last != INTERNAL_ERROR {
                        RESTORE.with(|r| r.set(last));
                    }
                }
            }
            // The node stays on the stack for the raise at the boundary; error recovery resets it.
            e.rethrow()
        })
        .execute();
    if pushed {
        // SAFETY: a normal return: the node is on top again (callees pop what they push).
        unsafe {
            if std::ptr::eq(pg_sys::error_context_stack, addr_of_mut!(NODE)) {
                pg_sys::error_context_stack = NODE.previous;
            }
        }
    }
    out
}
