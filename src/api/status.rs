//! `booking_status` values as arguments and results of `#[pg_extern]` functions.
//!
//! The enum is created by `sql/schema.sql`, so pgrx maps this wrapper to the existing type by
//! name (resolved in the extension's schema) and converts labels with the enum's own I/O
//! functions.

use std::ffi::{CStr, CString};

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{FromDatum, IntoDatum};

use crate::domain::state::Status;

const TYPE_NAME: &CStr = c"booking_status";

/// A `booking_status` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingStatus(pub Status);

impl_sql_translatable!(BookingStatus, "booking_status");

fn type_oid() -> pg_sys::Oid {
    // SAFETY: a syscache lookup by name on the active search path, which every pg_seating RPC
    // pins to the extension's schema first.
    unsafe { pg_sys::TypenameGetTypid(TYPE_NAME.as_ptr()) }
}

impl FromDatum for BookingStatus {
    unsafe fn from_polymorphic_datum(datum: pg_sys::Datum, is_null: bool, _typoid: pg_sys::Oid) -> Option<Self> {
        if is_null {
            return None;
        }
        // SAFETY: `datum` is a booking_status value; enum_out returns its label as a cstring.
        let label: &CStr = unsafe { pgrx::direct_function_call(pg_sys::enum_out, &[Some(datum)]) }?;
        Status::parse(label.to_str().ok()?).map(BookingStatus)
    }
}

impl IntoDatum for BookingStatus {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        let label = CString::new(self.0.label()).ok()?;
        // SAFETY: enum_in(cstring, type oid) for a label of the enum.
        unsafe {
            pgrx::direct_function_call_as_datum(
                pg_sys::enum_in,
                &[Some(pg_sys::Datum::from(label.as_ptr())), Some(pg_sys::Datum::from(type_oid()))],
            )
        }
    }

    fn type_oid() -> pg_sys::Oid {
        type_oid()
    }
}

// SAFETY (both impls): the same conversions pgrx uses for its own scalar types, through the
// FromDatum / IntoDatum impls above.
unsafe impl<'fcx> pgrx::callconv::ArgAbi<'fcx> for BookingStatus {
    unsafe fn unbox_arg_unchecked(arg: pgrx::callconv::Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        unsafe { arg.unbox_arg_using_from_datum() }
            .unwrap_or_else(|| pgrx::error!("booking_status argument {index} must not be null"))
    }

    unsafe fn unbox_nullable_arg(arg: pgrx::callconv::Arg<'_, 'fcx>) -> pgrx::nullable::Nullable<Self> {
        unsafe { arg.unbox_arg_using_from_datum() }.into()
    }
}

unsafe impl pgrx::callconv::BoxRet for BookingStatus {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut pgrx::callconv::FcInfo<'fcx>) -> pgrx::datum::Datum<'fcx> {
        match self.into_datum() {
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}
