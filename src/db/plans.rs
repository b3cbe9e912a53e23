//! Prepared statements kept for the life of the backend.
//!
//! Each statement is planned once per backend (`SPI_prepare` + `SPI_keepplan`) and reused: a kept
//! plan costs about as much as a PL/pgSQL statement, re-planning several times more. The cache is
//! keyed by the statement (the address of its SQL text) and dropped whenever the first schema of the active search path (the
//! extension's schema, pinned by every RPC) changes, e.g. after the extension was re-created in
//! another schema in the same session.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use pgrx::datum::DatumWithOid;
use pgrx::pg_sys::{self, PgBuiltInOids, PgOid};
use pgrx::spi::{OwnedPreparedStatement, SpiClient, SpiTupleTable};

/// Argument types of the kept statements.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Uuid,
    UuidArray,
    Text,
    Bool,
    TimestampTz,
    Jsonb,
    Int4,
    Date,
    Time,
}

impl Ty {
    /// The type's SQL name (for `PREPARE name(types) AS ...`, in the #[pg_test] that prepares
    /// every kept statement).
    #[cfg(feature = "pg_test")]
    pub fn sql_name(self) -> &'static str {
        match self {
            Ty::Uuid => "uuid",
            Ty::UuidArray => "uuid[]",
            Ty::Text => "text",
            Ty::Bool => "boolean",
            Ty::TimestampTz => "timestamptz",
            Ty::Jsonb => "jsonb",
            Ty::Int4 => "integer",
            Ty::Date => "date",
            Ty::Time => "time",
        }
    }

    fn oid(self) -> PgOid {
        PgOid::BuiltIn(match self {
            Ty::Uuid => PgBuiltInOids::UUIDOID,
            Ty::UuidArray => PgBuiltInOids::UUIDARRAYOID,
            Ty::Text => PgBuiltInOids::TEXTOID,
            Ty::Bool => PgBuiltInOids::BOOLOID,
            Ty::TimestampTz => PgBuiltInOids::TIMESTAMPTZOID,
            Ty::Jsonb => PgBuiltInOids::JSONBOID,
            Ty::Int4 => PgBuiltInOids::INT4OID,
            Ty::Date => PgBuiltInOids::DATEOID,
            Ty::Time => PgBuiltInOids::TIMEOID,
        })
    }
}

/// A statement: its name (the constant's, for errors), its SQL and the types of `$1..$n`.
pub struct Stmt {
    pub name: &'static str,
    pub sql: &'static str,
    pub args: &'static [Ty],
}

struct Cache {
    schema: pg_sys::Oid,
    /// Keyed by (statement, shard map): shard map 0 is the statement as written.
    plans: HashMap<(usize, usize), Rc<OwnedPreparedStatement>>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache { schema: pg_sys::InvalidOid, plans: HashMap::new() });
}

/// The extension's schema: the first schema of the active search path other than `pg_catalog`.
/// Every RPC pins `pg_catalog, @extschema@, pg_temp` (SPEC §10: built-ins first, so that nothing
/// created in the extension's schema can outrank them); the temporary schema is never returned.
pub fn extension_schema() -> pg_sys::Oid {
    let mut path = [pg_sys::InvalidOid; 4];
    // SAFETY: writes at most `path.len()` Oids into `path` and returns how many the path holds.
    let n = unsafe { pg_sys::fetch_search_path_array(path.as_mut_ptr(), path.len() as i32) };
    let catalog = pg_sys::Oid::from(pg_sys::PG_CATALOG_NAMESPACE);
    path.iter()
        .take(n.clamp(0, path.len() as i32) as usize)
        .copied()
        .find(|&s| s != catalog)
        .unwrap_or(pg_sys::InvalidOid)
}

/// Runs a kept statement (as a read-write statement: each execution takes a fresh snapshot under
/// READ COMMITTED, so reads after a lock see what the lock waited for).
pub fn run<'conn>(client: &mut SpiClient<'conn>, stmt: &Stmt, args: &[DatumWithOid<'_>]) -> SpiTupleTable<'conn> {
    // Inside a call Citus delegated here, the restaurant's local shards (see `shards`).
    let shards = super::shards::local(client);
    let key = (stmt.sql.as_ptr() as usize, shards.as_ref().map_or(0, |m| m.id));
    let schema = extension_schema();
    let cached = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.schema != schema {
            c.plans.clear();
            c.schema = schema;
        }
        c.plans.get(&key).cloned()
    });
    let plan = match cached {
        Some(p) => p,
        None => {
            let types: Vec<PgOid> = stmt.args.iter().map(|t| t.oid()).collect();
            let sql = match &shards {
                Some(map) => std::borrow::Cow::Owned(map.rewrite(stmt.sql)),
                None => std::borrow::Cow::Borrowed(stmt.sql),
            };
            let prepared = client
                .prepare_mut(&*sql, &types)
                .unwrap_or_else(|e| pgrx::error!("pg_seating: cannot prepare statement: {e}"));
            let kept = Rc::new(prepared.keep());
            CACHE.with(|c| c.borrow_mut().plans.insert(key, kept.clone()));
            kept
        }
    };
    client.update(&*plan, None, args).unwrap_or_else(|e| pgrx::error!("pg_seating: statement failed: {e}"))
}

/// The planner settings of every pg_seating call: each statement is a keyed OLTP lookup or write.
const OLTP_SETTINGS: [(&std::ffi::CStr, &std::ffi::CStr); 5] = [
    // The model's trigger for direct deletes of allocations has nothing to do in a call.
    (c"pg_seating.internal_call", c"on"),
    // Plan each kept statement once; otherwise the plan cache may keep choosing custom plans and
    // plan every execution again. Under Citus: auto instead (see `citus_loaded`).
    (c"plan_cache_mode", c"force_generic_plan"),
    // A generic plan made while a table is small or freshly emptied would pick sequential scans
    // and keep them; every statement here has an index on (restaurant_id, ...) to use.
    (c"enable_seqscan", c"off"),
    // Plain index scans only: an index scan marks the index entries of dead rows it meets as dead,
    // so the next call skips them; a bitmap scan never does, and vacuum often leaves the index
    // alone when few rows died (its index-cleanup bypass). Under an evening's assign/unassign churn
    // a bitmap plan re-read every dead version of that evening on every call (10x the buffers).
    (c"enable_bitmapscan", c"off"),
    // A statement whose only plan is a sequential scan then costs 1e10, which would compile it with
    // JIT (over 100 ms) on every call; no statement here is worth compiling.
    (c"jit", c"off"),
];

/// Whether Citus is loaded in this backend (its GUCs exist only then). Citus cannot plan every
/// statement generically (`could not create distributed plan`, SPEC §8 (1)), so under Citus the
/// plan cache decides (`auto`): Citus prices a generic plan it cannot use out of reach, so such a
/// statement is planned for each execution, while a single-table, one-restaurant statement keeps
/// its generic plan (and Citus its local plan on the worker), which a custom plan per execution
/// would pay for in every call.
pub fn citus_loaded() -> bool {
    // SAFETY: a lookup by a valid NUL-terminated name; missing_ok returns NULL for an unknown GUC.
    unsafe { !pg_sys::GetConfigOption(c"citus.version".as_ptr(), true, false).is_null() }
}

/// Runs `f` (an RPC's body) with the OLTP planner settings, restored afterwards (exactly like a
/// function's `SET` clause, which pgrx cannot declare for us), and with errors raised beneath it
/// keeping their own SQLSTATE.
pub fn with_generic_plans<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: the same GUC nesting fmgr uses for a function's SET clause. On error the
    // transaction (or subtransaction) abort pops the nest level, so only a normal return restores.
    let level = unsafe { pg_sys::NewGUCNestLevel() };
    for (name, value) in OLTP_SETTINGS {
        let value = if name == c"plan_cache_mode" && citus_loaded() { c"auto" } else { value };
        // SAFETY: valid NUL-terminated names and values of user-settable GUCs.
        unsafe {
            pg_sys::set_config_option(
                name.as_ptr(),
                value.as_ptr(),
                // (superuser context: pg_seating.internal_call is not the caller's to set)
                pg_sys::GucContext::PGC_SUSET,
                pg_sys::GucSource::PGC_S_SESSION,
                pg_sys::GucAction::GUC_ACTION_SAVE,
                true,
                0,
                false,
            );
        }
    }
    // Errors raised beneath keep their own SQLSTATE (SPEC §6; see error_codes).
    let out = super::error_codes::pass_through(f);
    // SAFETY: pops exactly the level pushed above.
    unsafe { pg_sys::AtEOXact_GUC(true, level) };
    out
}
