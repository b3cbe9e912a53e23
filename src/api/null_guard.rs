//! A NULL `p_restaurant_id` never reaches Citus's routing (SPEC §8). Citus plans a call of a
//! distributed function by hashing its distribution argument before the function runs; a NULL
//! there crashes the backend (measured on Citus 13.2.2: a literal NULL, `NULL::uuid`, and a NULL
//! bind parameter of a prepared statement all end in a segmentation fault of the coordinator).
//! The companion's own 22004 comes too late, so this planner hook, installed when the library
//! loads, raises that same error while the statement is planned: for a `SELECT f(...)` or
//! `SELECT ... FROM f(...)` of a function named `*_in_restaurant` whose first argument is a NULL
//! constant or a NULL bound parameter. It runs before Citus's planner when pg_seating is loaded
//! after Citus (`shared_preload_libraries = 'citus, pg_seating'`, which `pg_seating_distribute()`
//! requires).
//!
//! It also keeps Citus's function delegation away from a shape it mishandles. Citus looks for a
//! delegable call in the query *after* PostgreSQL's planner has rewritten it, so a companion whose
//! arguments come from a subquery or CTE the planner pulls up (`SELECT * FROM (SELECT '…'::uuid AS
//! r) x, LATERAL f(x.r, …)`) looks like `SELECT * FROM f('…')`, and deparsing the rewritten query
//! for the worker crashes the backend (Citus 13.2.2, in a transaction and out). So where a query
//! level calls a companion beside other FROM items, its subqueries and CTEs get `LIMIT ALL`
//! (no rows change): they are no longer pulled up, the call is not delegated as written, and the
//! companion forwards itself to its restaurant's worker instead (`db::forward`).
//!
//! And it keeps a role that cannot log in (Supabase's `service_role` and `authenticated` are NOLOGIN)
//! from a delegation that would fail: Citus opens the connection to the worker as the current
//! role, before the SECURITY DEFINER companion runs (08006 `role "service_role" is not permitted to
//! log in`). For such a role a companion call gets an always-true volatile filter
//! (`clock_timestamp() IS NOT NULL`), which Citus does not delegate; the companion then runs here
//! as its owner and forwards itself (one call to the worker, as the owner). Everything else passes
//! through unchanged.

use std::ffi::{c_char, c_int, CStr};

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{PgList, PgLogLevel, PgSqlErrorCode};

/// The suffix of every restaurant-keyed companion.
const COMPANION_SUFFIX: &str = "_in_restaurant";

static mut PREVIOUS: pg_sys::planner_hook_type = None;

/// Installs the hook (once per process, from `_PG_init`).
pub fn install() {
    // SAFETY: _PG_init runs once per process, before any planning in it.
    unsafe {
        PREVIOUS = pg_sys::planner_hook;
        pg_sys::planner_hook = Some(plan);
    }
}

#[pg_guard]
unsafe extern "C-unwind" fn plan(
    parse: *mut pg_sys::Query,
    query_string: *const c_char,
    cursor_options: c_int,
    bound_params: pg_sys::ParamListInfo,
) -> *mut pg_sys::PlannedStmt {
    // SAFETY: the planner's arguments, as the planner passes them.
    unsafe {
        refuse_null_restaurant(parse, bound_params);
        if crate::db::plans::citus_loaded() {
            keep_companion_arguments_apart(parse);
            if !current_user_can_log_in() {
                keep_from_delegation(parse);
            }
        }
        match PREVIOUS {
            Some(previous) => previous(parse, query_string, cursor_options, bound_params),
            None => pg_sys::standard_planner(parse, query_string, cursor_options, bound_params),
        }
    }
}

/// Gives every subquery and CTE beside a companion call (in a FROM list, or in the target list of
/// a query with a FROM) `LIMIT ALL`, at every level of the query (see the module): a subquery with
/// a limit is never pulled up into its parent.
unsafe fn keep_companion_arguments_apart(query: *mut pg_sys::Query) {
    // SAFETY (whole body): nodes of a valid Query tree, modified before planning as a planner hook
    // may; the Const is allocated in the planner's memory context.
    unsafe {
        if query.is_null() {
            return;
        }
        let rtable = PgList::<pg_sys::RangeTblEntry>::from_pg((*query).rtable);
        let (calls_companion, in_targets) = companion_calls(query);
        let ctes = PgList::<pg_sys::CommonTableExpr>::from_pg((*query).cteList);
        // `SELECT * FROM f(…)` and `SELECT f(…)` as written stay as they are.
        let apart = (calls_companion && (rtable.len() > 1 || !ctes.is_empty()))
            || (in_targets && (!rtable.is_empty() || !ctes.is_empty()));
        let calls_companion = calls_companion || in_targets;
        for rte in rtable.iter_ptr() {
            if (*rte).rtekind == pg_sys::RTEKind::RTE_SUBQUERY && !(*rte).subquery.is_null() {
                if apart {
                    limit_all((*rte).subquery);
                }
                keep_companion_arguments_apart((*rte).subquery);
            }
        }
        for cte in ctes.iter_ptr() {
            let inner = (*cte).ctequery;
            if !inner.is_null() && (*inner).type_ == pg_sys::NodeTag::T_Query {
                if calls_companion {
                    limit_all(inner.cast());
                }
                keep_companion_arguments_apart(inner.cast());
            }
        }
    }
}

/// Whether the current role may log in (Citus connects to workers as the current role).
fn current_user_can_log_in() -> bool {
    // SAFETY: a syscache lookup of the current user's pg_authid row, released after reading it.
    unsafe {
        let tuple = pg_sys::SearchSysCache1(
            pg_sys::SysCacheIdentifier::AUTHOID as i32,
            pg_sys::Datum::from(pg_sys::GetUserId()),
        );
        if tuple.is_null() {
            return true;
        }
        let can = (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_authid>(tuple)).rolcanlogin;
        pg_sys::ReleaseSysCache(tuple);
        can
    }
}

/// A SELECT that calls a companion as Citus delegates it (`SELECT f(…)`, `SELECT … FROM f(…)`,
/// no WHERE) gets `WHERE clock_timestamp() IS NOT NULL`: Citus delegates no call with a filter.
unsafe fn keep_from_delegation(query: *mut pg_sys::Query) {
    // SAFETY (whole body): nodes of a valid Query tree, modified before planning; the new nodes
    // are allocated in the planner's memory context.
    unsafe {
        if query.is_null() || (*query).commandType != pg_sys::CmdType::CMD_SELECT || (*query).jointree.is_null() {
            return;
        }
        if !(*(*query).jointree).quals.is_null() {
            return;
        }
        let (in_from, in_targets) = companion_calls(query);
        if !in_from && !in_targets {
            return;
        }
        let now = pg_sys::makeFuncExpr(
            pg_sys::Oid::from(pg_sys::F_CLOCK_TIMESTAMP),
            pg_sys::TIMESTAMPTZOID,
            std::ptr::null_mut(),
            pg_sys::InvalidOid,
            pg_sys::InvalidOid,
            pg_sys::CoercionForm::COERCE_EXPLICIT_CALL,
        );
        let test = pg_sys::palloc0(std::mem::size_of::<pg_sys::NullTest>()).cast::<pg_sys::NullTest>();
        (*test).xpr.type_ = pg_sys::NodeTag::T_NullTest;
        (*test).arg = now.cast();
        (*test).nulltesttype = pg_sys::NullTestType::IS_NOT_NULL;
        (*test).argisrow = false;
        (*test).location = -1;
        (*(*query).jointree).quals = test.cast();
    }
}

/// `LIMIT ALL` (a NULL limit) on a SELECT without a limit or offset.
unsafe fn limit_all(query: *mut pg_sys::Query) {
    // SAFETY: a valid Query node.
    unsafe {
        if (*query).commandType == pg_sys::CmdType::CMD_SELECT
            && (*query).limitCount.is_null()
            && (*query).limitOffset.is_null()
        {
            (*query).limitCount =
                pg_sys::makeConst(pg_sys::INT8OID, -1, pg_sys::InvalidOid, 8, pg_sys::Datum::from(0), true, true)
                    .cast();
        }
    }
}

/// Whether a query level calls a companion in its FROM list, and in its target list.
unsafe fn companion_calls(query: *mut pg_sys::Query) -> (bool, bool) {
    // SAFETY (whole body): nodes of a valid Query tree.
    unsafe {
        let in_from = PgList::<pg_sys::RangeTblEntry>::from_pg((*query).rtable).iter_ptr().any(|rte| {
            (*rte).rtekind == pg_sys::RTEKind::RTE_FUNCTION
                && PgList::<pg_sys::RangeTblFunction>::from_pg((*rte).functions)
                    .iter_ptr()
                    .any(|f| is_companion_call((*f).funcexpr))
        });
        let in_targets = PgList::<pg_sys::TargetEntry>::from_pg((*query).targetList)
            .iter_ptr()
            .any(|entry| is_companion_call((*entry).expr.cast()));
        (in_from, in_targets)
    }
}

/// Whether an expression is a call of a function named `*_in_restaurant`.
unsafe fn is_companion_call(node: *mut pg_sys::Node) -> bool {
    // SAFETY (whole body): an expression node of the query; the catalog lookup takes an oid.
    unsafe {
        if node.is_null() || (*node).type_ != pg_sys::NodeTag::T_FuncExpr {
            return false;
        }
        let name = pg_sys::get_func_name((*node.cast::<pg_sys::FuncExpr>()).funcid);
        !name.is_null() && CStr::from_ptr(name).to_bytes().ends_with(COMPANION_SUFFIX.as_bytes())
    }
}

/// The function calls Citus may delegate: the target list of a SELECT and its FROM functions.
unsafe fn refuse_null_restaurant(query: *mut pg_sys::Query, params: pg_sys::ParamListInfo) {
    // SAFETY (whole body): nodes of a valid Query tree.
    unsafe {
        if query.is_null() || (*query).commandType != pg_sys::CmdType::CMD_SELECT {
            return;
        }
        for entry in PgList::<pg_sys::TargetEntry>::from_pg((*query).targetList).iter_ptr() {
            check_call((*entry).expr.cast(), params);
        }
        for rte in PgList::<pg_sys::RangeTblEntry>::from_pg((*query).rtable).iter_ptr() {
            if (*rte).rtekind == pg_sys::RTEKind::RTE_FUNCTION {
                for f in PgList::<pg_sys::RangeTblFunction>::from_pg((*rte).functions).iter_ptr() {
                    check_call((*f).funcexpr, params);
                }
            }
        }
    }
}

unsafe fn check_call(node: *mut pg_sys::Node, params: pg_sys::ParamListInfo) {
    // SAFETY (whole body): `node` is an expression node of the query; the catalog lookups take an
    // oid; parameter slots are read within numParams.
    unsafe {
        if node.is_null() || (*node).type_ != pg_sys::NodeTag::T_FuncExpr {
            return;
        }
        let call = node.cast::<pg_sys::FuncExpr>();
        let args = PgList::<pg_sys::Node>::from_pg((*call).args);
        let Some(first) = args.get_ptr(0) else { return };
        let first = pg_sys::strip_implicit_coercions(first);
        if !is_null_value(first, params) {
            return;
        }
        let name = pg_sys::get_func_name((*call).funcid);
        if name.is_null() {
            return;
        }
        let name = CStr::from_ptr(name).to_string_lossy().into_owned();
        if !name.ends_with(COMPANION_SUFFIX) {
            return;
        }
        pgrx::pg_sys::panic::ErrorReport::new(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            format!("{name}: argument p_restaurant_id must not be null"),
            "pg_seating planner guard",
        )
        .set_hint("Pass a non-null value.")
        .report(PgLogLevel::ERROR);
    }
}

/// Whether an argument is a NULL constant or a bound parameter whose value is NULL.
unsafe fn is_null_value(node: *mut pg_sys::Node, params: pg_sys::ParamListInfo) -> bool {
    // SAFETY (whole body): see check_call.
    unsafe {
        match (*node).type_ {
            pg_sys::NodeTag::T_Const => (*node.cast::<pg_sys::Const>()).constisnull,
            pg_sys::NodeTag::T_Param => {
                let param = node.cast::<pg_sys::Param>();
                if (*param).paramkind != pg_sys::ParamKind::PARAM_EXTERN || params.is_null() {
                    return false;
                }
                let id = (*param).paramid;
                if id < 1 || id > (*params).numParams {
                    return false;
                }
                let value = match (*params).paramFetch {
                    Some(fetch) => {
                        let mut workspace = std::mem::MaybeUninit::<pg_sys::ParamExternData>::zeroed();
                        fetch(params, id, false, workspace.as_mut_ptr())
                    }
                    None => (*params).params.as_mut_ptr().add((id - 1) as usize),
                };
                !value.is_null() && (*value).isnull
            }
            _ => false,
        }
    }
}
