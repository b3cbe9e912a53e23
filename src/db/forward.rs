//! A companion that Citus did not delegate forwards itself, so that it still runs whole on the
//! worker that holds its restaurant (SPEC §8).
//!
//! Citus delegates a distributed function only when the statement is the call itself
//! (`SELECT f(...)` or `SELECT * FROM f(...)`) and, inside a transaction, only with a constant
//! distribution argument. PostgREST never sends that: it calls `POST /rpc/f` inside a transaction,
//! as a CTE whose arguments come from `json_to_record($1)`. The companion then runs on the
//! coordinator, and every statement it runs is routed to the worker on its own (about 8x one node).
//!
//! So a companion that finds itself on a Citus node where it is a force-delegated distributed
//! function, in a session of its own (not one Citus opened to run a delegated call), calls itself
//! again through SPI as `SELECT * FROM <schema>.<companion>($1, ...)` with every argument bound:
//! that statement is the call, and Citus delegates it to the restaurant's worker — one round trip
//! within the caller's transaction, where the body runs against the local shards. A worker's error
//! comes back with its SQLSTATE, message, DETAIL and HINT. If Citus does not delegate the nested
//! call either (the restaurant's shard is on this node, metadata not synced), it runs here: a
//! per-backend flag stops it from forwarding again. `pg_seating.forward_companions = off` turns
//! forwarding off (to measure the per-statement route).
//!
//! A reference-named RPC (`assign_tables_atomic_v2(p_booking_id, ...)`, what the app calls) does
//! the same through its companion: it finds the booking's (or hold's) restaurant with one read, and
//! calls `<name>_in_restaurant(<restaurant>, <its own arguments>)` the same way, so on Citus the
//! app's unchanged calls also run whole on the restaurant's worker: the lookup (a read of every
//! shard of `bookings`) and one call, instead of a round trip per statement.

use std::cell::Cell;
use std::ffi::CStr;

use pgrx::datum::{DatumWithOid, JsonB, Range, TimestampWithTimeZone};
use pgrx::iter::TableIterator;
use pgrx::pg_sys;
use pgrx::spi::{Spi, SpiClient, SpiHeapTupleData, SpiTupleTable};

use super::columns::Columns;

thread_local! {
    /// Set while this backend runs a forwarded call (and the call it forwards to, if that one
    /// runs here after all).
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

/// Whether `fn_oid` is a distributed function Citus force-delegates on its first argument.
const FORCE_DELEGATED: &str = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_object o
                                WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                                  AND o.objid OPERATOR(pg_catalog.=) $1
                                  AND o.distribution_argument_index OPERATOR(pg_catalog.=) 0
                                  AND o.force_delegation)";

/// A companion's result read back from the forwarded call's rows.
pub trait Forwarded: Sized {
    fn from_rows(rows: SpiTupleTable<'_>, function: &'static str) -> Self;
}

/// One column of a forwarded call's row, by the companion's result type.
pub trait Column: Sized {
    fn column(row: &SpiHeapTupleData<'_>, n: usize, function: &'static str) -> Self;
}

macro_rules! columns {
    ($($t:ty),* $(,)?) => {$(
        impl Column for $t {
            fn column(row: &SpiHeapTupleData<'_>, n: usize, function: &'static str) -> Self {
                row.read::<$t>(n, function)
                    .unwrap_or_else(|| pgrx::error!("pg_seating: column {n} of forwarded {function} is NULL"))
            }
        }
        impl Column for Option<$t> {
            fn column(row: &SpiHeapTupleData<'_>, n: usize, function: &'static str) -> Self {
                row.read::<$t>(n, function)
            }
        }
    )*};
}

columns!(
    pgrx::Uuid,
    bool,
    i32,
    f64,
    String,
    JsonB,
    TimestampWithTimeZone,
    Range<TimestampWithTimeZone>,
    Vec<pgrx::Uuid>,
    crate::api::booking_status::BookingStatus,
);

macro_rules! rows {
    ($($t:ident $n:tt),+) => {
        impl<$($t: Column + 'static),+> Forwarded for TableIterator<'static, ($($t,)+)> {
            fn from_rows(rows: SpiTupleTable<'_>, function: &'static str) -> Self {
                let read: Vec<($($t,)+)> = rows.map(|row| ($($t::column(&row, $n, function),)+)).collect();
                TableIterator::new(read)
            }
        }
    };
}

rows!(A 1);
rows!(A 1, B 2);
rows!(A 1, B 2, C 3);
rows!(A 1, B 2, C 3, D 4);
rows!(A 1, B 2, C 3, D 4, E 5);
rows!(A 1, B 2, C 3, D 4, E 5, F 6);
rows!(A 1, B 2, C 3, D 4, E 5, F 6, G 7);
rows!(A 1, B 2, C 3, D 4, E 5, F 6, G 7, H 8, I 9, J 10, K 11, L 12, M 13, N 14, O 15, P 16);

/// `quote_tables`' reasons: the jsonb the worker built.
impl Column for crate::api::reasons::QuoteReasons {
    fn column(row: &SpiHeapTupleData<'_>, n: usize, function: &'static str) -> Self {
        crate::api::reasons::QuoteReasons::Forwarded(JsonB::column(row, n, function))
    }
}

/// A scalar result: the one row's one column.
macro_rules! scalars {
    ($($t:ty),*) => {$(
        impl Forwarded for $t {
            fn from_rows(rows: SpiTupleTable<'_>, function: &'static str) -> Self {
                let mut rows = rows;
                match rows.next() {
                    Some(row) => <$t as Column>::column(&row, 1, function),
                    None => pgrx::error!("pg_seating: forwarded {function} returned no row"),
                }
            }
        }
    )*};
}

scalars!(pgrx::Uuid, bool, JsonB, Option<JsonB>);

/// A `void` result (the call's one row carries nothing).
impl Forwarded for () {
    fn from_rows(_rows: SpiTupleTable<'_>, _function: &'static str) -> Self {}
}

/// Runs the companion being called (`fcinfo`) on the restaurant's worker when Citus did not
/// delegate it (see the module); `None` when it runs here. Call it after the NULL check of
/// `p_restaurant_id` (Citus must never plan a call with a NULL distribution argument).
pub fn forward<R: Forwarded>(fcinfo: pg_sys::FunctionCallInfo, function: &'static str) -> Option<R> {
    let (fn_oid, args) = call_to_forward(fcinfo)?;
    let _forwarding = Forwarding::enter();
    Spi::connect_mut(|client| {
        if !force_delegated(client, fn_oid) {
            return None;
        }
        let types = signature(fn_oid);
        let sql = call_of(fn_oid, types.len());
        let rows = client
            .update(sql.as_str(), None, &bind(&args, &types))
            .unwrap_or_else(|e| pgrx::error!("pg_seating: forwarding {function} failed: {e}"));
        Some(R::from_rows(rows, function))
    })
}

/// The running call's function and arguments, when it may be forwarded: on a Citus node, in a
/// session of its own (not one Citus opened for a delegated call), outside a companion's routed
/// body and outside a forwarded call, with `pg_seating.forward_companions` on.
fn call_to_forward(fcinfo: pg_sys::FunctionCallInfo) -> Option<(pg_sys::Oid, Vec<pg_sys::NullableDatum>)> {
    if fcinfo.is_null()
        || !crate::settings::FORWARD_COMPANIONS.get()
        || !super::plans::citus_loaded()
        || super::shards::citus_internal_session()
        || super::route::restaurant().is_some()
        || FORWARDING.with(Cell::get)
    {
        return None;
    }
    // SAFETY: `fcinfo` is the running call's, with its `flinfo` and `nargs` arguments.
    unsafe {
        let nargs = usize::try_from((*fcinfo).nargs).unwrap_or(0);
        Some(((*(*fcinfo).flinfo).fn_oid, (*fcinfo).args.as_slice(nargs).to_vec()))
    }
}

/// Marks this backend as running a forwarded call until dropped (also when an error unwinds).
struct Forwarding;

impl Forwarding {
    fn enter() -> Forwarding {
        FORWARDING.with(|f| f.set(true));
        Forwarding
    }
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        FORWARDING.with(|f| f.set(false));
    }
}

/// The call's arguments bound with their declared types (NULL stays NULL).
fn bind<'a>(args: &[pg_sys::NullableDatum], types: &[pg_sys::Oid]) -> Vec<DatumWithOid<'a>> {
    args.iter()
        .zip(types)
        .map(|(a, &oid)| {
            if a.isnull {
                DatumWithOid::null_oid(oid)
            } else {
                // SAFETY: the argument's datum, of the function's declared argument type.
                unsafe { DatumWithOid::new(a.value, oid) }
            }
        })
        .collect()
}

/// Where a reference-named RPC finds its restaurant: the booking or hold id in argument `n` (0-based).
#[derive(Clone, Copy)]
pub enum Owner {
    Booking(usize),
    Hold(usize),
}

/// The companion of a reference-named function: `<name>_in_restaurant` in the same schema, taking
/// `uuid` and then the same arguments.
const COMPANION_OF: &str = "SELECT p.oid FROM pg_catalog.pg_proc p
                             WHERE p.pronamespace OPERATOR(pg_catalog.=) $1
                               AND p.proname OPERATOR(pg_catalog.=) $2
                               AND pg_catalog.array_to_string(p.proargtypes::pg_catalog.oid[], ' ')
                                   OPERATOR(pg_catalog.=) $3";
const BOOKING_OWNER: &str = "SELECT b.restaurant_id FROM bookings b WHERE b.id OPERATOR(pg_catalog.=) $1";
const HOLD_OWNER: &str = "SELECT h.restaurant_id FROM table_holds h WHERE h.id OPERATOR(pg_catalog.=) $1";

/// Runs the reference-named RPC being called (`fcinfo`) as its companion on the restaurant's
/// worker, where Citus would otherwise route each of its statements on its own (see the module);
/// `None` when it runs here: off Citus, inside a companion or a forwarded call, with a NULL or
/// unknown id (the RPC's own error follows), or when its companion is not distributed.
pub fn forward_to_companion<R: Forwarded>(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &'static str,
    owner: Owner,
) -> Option<R> {
    let (fn_oid, args) = call_to_forward(fcinfo)?;
    let index = match owner {
        Owner::Booking(i) | Owner::Hold(i) => i,
    };
    let id = args.get(index).filter(|a| !a.isnull)?.value;
    let _forwarding = Forwarding::enter();
    let types = signature(fn_oid);
    Spi::connect_mut(|client| {
        let mut companion_types = vec![pg_sys::UUIDOID];
        companion_types.extend(types.iter().copied());
        // SAFETY: a syscache lookup of the running function.
        let (schema, name) = unsafe {
            let name = CStr::from_ptr(pg_sys::get_func_name(fn_oid)).to_string_lossy().into_owned();
            (pg_sys::get_func_namespace(fn_oid), name)
        };
        let companion_name = format!("{name}_in_restaurant");
        let argtypes: Vec<String> = companion_types.iter().map(|t| t.to_u32().to_string()).collect();
        let argtypes = argtypes.join(" ");
        let companion = client
            .select(COMPANION_OF, None, &[schema.into(), companion_name.as_str().into(), argtypes.as_str().into()])
            .unwrap_or_else(|e| pgrx::error!("pg_seating: finding the companion of {function} failed: {e}"))
            .first()
            .read::<pg_sys::Oid>(1, "COMPANION_OF")?;
        if !force_delegated(client, companion) {
            return None;
        }
        let lookup = match owner {
            Owner::Booking(_) => BOOKING_OWNER,
            Owner::Hold(_) => HOLD_OWNER,
        };
        // SAFETY: the id argument's datum, a uuid.
        let id = unsafe { DatumWithOid::new(id, pg_sys::UUIDOID) };
        let restaurant = client
            .update(lookup, None, &[id])
            .unwrap_or_else(|e| pgrx::error!("pg_seating: finding the restaurant of {function} failed: {e}"))
            .first()
            .read::<pgrx::Uuid>(1, "OWNER")?;
        let sql = call_of(companion, companion_types.len());
        let mut bound: Vec<DatumWithOid<'_>> = vec![restaurant.into()];
        bound.extend(bind(&args, &types));
        let rows = client
            .update(sql.as_str(), None, &bound)
            .unwrap_or_else(|e| pgrx::error!("pg_seating: forwarding {function} failed: {e}"));
        Some(R::from_rows(rows, function))
    })
}

/// The argument types of a function.
fn signature(fn_oid: pg_sys::Oid) -> Vec<pg_sys::Oid> {
    // SAFETY: a syscache lookup of an existing function; the array is palloc'd.
    unsafe {
        let mut types: *mut pg_sys::Oid = std::ptr::null_mut();
        let mut n: i32 = 0;
        pg_sys::get_func_signature(fn_oid, &mut types, &mut n);
        let n = usize::try_from(n).unwrap_or(0);
        if types.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(types, n).to_vec()
        }
    }
}

fn force_delegated(client: &mut SpiClient<'_>, fn_oid: pg_sys::Oid) -> bool {
    let found = client
        .select(FORCE_DELEGATED, None, &[fn_oid.into()])
        .unwrap_or_else(|e| pgrx::error!("pg_seating: reading pg_dist_object failed: {e}"));
    found.first().read::<bool>(1, "FORCE_DELEGATED").unwrap_or(false)
}

/// `SELECT * FROM <schema>.<function>($1, ..., $n)`.
fn call_of(fn_oid: pg_sys::Oid, nargs: usize) -> String {
    // SAFETY: syscache lookups of an existing function; the names are NUL-terminated strings
    // palloc'd in the current context, and quote_identifier returns its argument or a palloc'd
    // quoted copy.
    let (schema, name) = unsafe {
        let quoted =
            |s: *const std::ffi::c_char| CStr::from_ptr(pg_sys::quote_identifier(s)).to_string_lossy().into_owned();
        (quoted(pg_sys::get_namespace_name(pg_sys::get_func_namespace(fn_oid))), quoted(pg_sys::get_func_name(fn_oid)))
    };
    let params: Vec<String> = (1..=nargs).map(|i| format!("${i}")).collect();
    format!("SELECT * FROM {schema}.{name}({})", params.join(", "))
}
