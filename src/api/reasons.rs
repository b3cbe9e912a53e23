//! The `reasons` column of `quote_tables`, built straight into a jsonb value (`pushJsonbValue`,
//! `JsonbValueToJsonb`) when its row is returned, instead of serialising a `serde_json::Value`
//! to text for `jsonb_in` to parse again. Every row repeats the tables left out (about 120 on a
//! busy evening of a 200-table restaurant); text and parsing were most of a quote's time.

use std::ffi::c_char;
use std::rc::Rc;

use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::datum::Datum;
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::IntoDatum;

use crate::allocator::score::Breakdown;

/// One row's `reasons`: built here, or (a companion forwarded to a Citus worker, `db::forward`)
/// the jsonb the worker built.
pub enum QuoteReasons {
    Built(BuiltReasons),
    Forwarded(pgrx::JsonB),
}

/// One row's reasons: the plan's table numbers and score terms, the number of feasible plans,
/// the tables left out for the booking (shared by the quote's rows), and the other bookings the
/// plan moves (making room; empty otherwise).
pub struct BuiltReasons {
    pub numbers: Vec<String>,
    pub breakdown: Breakdown,
    pub feasible: usize,
    /// (table id, reason label) of each table left out.
    pub rejected: Rc<Vec<(String, &'static str)>>,
    pub moves: Vec<MoveReason>,
}

/// A booking the plan moves: its id and the table ids it leaves and takes.
pub struct MoveReason {
    pub booking: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

impl IntoDatum for QuoteReasons {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        match self {
            QuoteReasons::Built(built) => built.into_jsonb(),
            QuoteReasons::Forwarded(jsonb) => jsonb.into_datum(),
        }
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::JSONBOID
    }
}

impl BuiltReasons {
    fn into_jsonb(self) -> Option<pg_sys::Datum> {
        let b = &self.breakdown;
        let mut j = Builder::default();
        j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_OBJECT);
        j.key("tables");
        j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_ARRAY);
        for n in &self.numbers {
            j.scalar(pg_sys::JsonbIteratorToken::WJB_ELEM, string(n));
        }
        j.end(pg_sys::JsonbIteratorToken::WJB_END_ARRAY);
        j.key("breakdown");
        j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_OBJECT);
        for (k, v) in [
            ("overage", b.overage),
            ("fragmentation", b.fragmentation),
            ("zones", b.zones),
            ("tables", b.tables),
            ("adjacencyCost", b.adjacency_cost),
        ] {
            j.key(k);
            j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, integer(i64::from(v)));
        }
        j.key("scarcity");
        j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, float(b.scarcity));
        j.end(pg_sys::JsonbIteratorToken::WJB_END_OBJECT);
        j.key("feasiblePlans");
        j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, integer(self.feasible as i64));
        j.key("rejected");
        j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_ARRAY);
        for (table, reason) in self.rejected.iter() {
            j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_OBJECT);
            j.key("tableId");
            j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, string(table));
            j.key("reason");
            j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, string(reason));
            j.end(pg_sys::JsonbIteratorToken::WJB_END_OBJECT);
        }
        j.end(pg_sys::JsonbIteratorToken::WJB_END_ARRAY);
        j.key("moves");
        j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_ARRAY);
        for m in &self.moves {
            j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_OBJECT);
            j.key("bookingId");
            j.scalar(pg_sys::JsonbIteratorToken::WJB_VALUE, string(&m.booking));
            for (k, ids) in [("fromTableIds", &m.from), ("toTableIds", &m.to)] {
                j.key(k);
                j.begin(pg_sys::JsonbIteratorToken::WJB_BEGIN_ARRAY);
                for id in ids {
                    j.scalar(pg_sys::JsonbIteratorToken::WJB_ELEM, string(id));
                }
                j.end(pg_sys::JsonbIteratorToken::WJB_END_ARRAY);
            }
            j.end(pg_sys::JsonbIteratorToken::WJB_END_OBJECT);
        }
        j.end(pg_sys::JsonbIteratorToken::WJB_END_ARRAY);
        j.end(pg_sys::JsonbIteratorToken::WJB_END_OBJECT);
        Some(j.finish())
    }
}

// SAFETY: the datum is the jsonb built above, returned as the function's result.
unsafe impl BoxRet for QuoteReasons {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        match self.into_datum() {
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}

unsafe impl SqlTranslatable for QuoteReasons {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(QuoteReasons);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Err(ArgumentError::NotValidAsArgument("QuoteReasons"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = Ok(ReturnsRef::One(SqlMappingRef::literal("jsonb")));
}

/// A jsonb value under construction: the parse state `pushJsonbValue` keeps (in the current
/// memory context) and the value it returned last (the whole document after the outer end).
struct Builder {
    state: *mut pg_sys::JsonbParseState,
    last: *mut pg_sys::JsonbValue,
}

impl Default for Builder {
    fn default() -> Self {
        Builder { state: std::ptr::null_mut(), last: std::ptr::null_mut() }
    }
}

impl Builder {
    fn begin(&mut self, token: pg_sys::JsonbIteratorToken::Type) {
        // SAFETY: a begin token takes no value; the state is the one this builder started.
        self.last = unsafe { pg_sys::pushJsonbValue(&mut self.state, token, std::ptr::null_mut()) };
    }

    fn end(&mut self, token: pg_sys::JsonbIteratorToken::Type) {
        self.begin(token)
    }

    fn key(&mut self, k: &str) {
        self.scalar(pg_sys::JsonbIteratorToken::WJB_KEY, string(k));
    }

    fn scalar(&mut self, token: pg_sys::JsonbIteratorToken::Type, mut v: pg_sys::JsonbValue) {
        // SAFETY: pushJsonbValue copies the JsonbValue struct; what it points to (palloc'd
        // strings and numerics) lives in the current memory context until the row is returned.
        self.last = unsafe { pg_sys::pushJsonbValue(&mut self.state, token, &mut v) };
    }

    fn finish(self) -> pg_sys::Datum {
        // SAFETY: `last` is the complete container returned by the outermost end token.
        pg_sys::Datum::from(unsafe { pg_sys::JsonbValueToJsonb(self.last) })
    }
}

fn string(s: &str) -> pg_sys::JsonbValue {
    // SAFETY: pnstrdup copies the bytes into the current memory context.
    let copy = unsafe { pg_sys::pnstrdup(s.as_ptr() as *const c_char, s.len()) };
    pg_sys::JsonbValue {
        type_: pg_sys::jbvType::jbvString,
        val: pg_sys::JsonbValue__bindgen_ty_1 {
            string: pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_1 { len: s.len() as i32, val: copy },
        },
    }
}

fn numeric(n: pg_sys::Numeric) -> pg_sys::JsonbValue {
    pg_sys::JsonbValue { type_: pg_sys::jbvType::jbvNumeric, val: pg_sys::JsonbValue__bindgen_ty_1 { numeric: n } }
}

fn integer(i: i64) -> pg_sys::JsonbValue {
    // SAFETY: int64_to_numeric pallocs a numeric in the current memory context.
    numeric(unsafe { pg_sys::int64_to_numeric(i) })
}

/// A float as `serde_json` writes it (0.0 stays "0.0"), the text the column has always shown;
/// null when it is not finite, as `serde_json` has it.
fn float(f: f64) -> pg_sys::JsonbValue {
    if !f.is_finite() {
        return pg_sys::JsonbValue {
            type_: pg_sys::jbvType::jbvNull,
            val: pg_sys::JsonbValue__bindgen_ty_1 { boolean: false },
        };
    }
    let text = std::ffi::CString::new(serde_json::to_string(&f).unwrap_or_else(|_| "0".into()))
        .expect("a number's text has no NUL");
    // SAFETY: numeric_in reads the C string and returns a palloc'd numeric.
    let datum = unsafe {
        pgrx::fcinfo::direct_function_call_as_datum(
            pg_sys::numeric_in,
            &[
                Some(pg_sys::Datum::from(text.as_ptr())),
                Some(pg_sys::Datum::from(pg_sys::InvalidOid)),
                Some(pg_sys::Datum::from(-1i32)),
            ],
        )
    };
    numeric(datum.expect("numeric_in returns a value").cast_mut_ptr())
}
