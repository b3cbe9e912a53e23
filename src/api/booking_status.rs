//! Booking statuses as arguments and results of `#[pg_extern]` functions.
//!
//! The `booking_status` enum belongs to the data model, which the database owns (SPEC §9): the
//! extension's functions exist before `pg_seating_install()` creates it, and stay when it is gone,
//! so their signatures carry statuses as `text`. A label that is not a status is refused with
//! 22023 `Unknown booking status "<label>"` before the function does anything.

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{FromDatum, IntoDatum};

use crate::domain::error::SeatingError;
use crate::domain::state::Status;

/// A booking status, as `text` in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingStatus(pub Status);

impl_sql_translatable!(BookingStatus, "text");

impl FromDatum for BookingStatus {
    unsafe fn from_polymorphic_datum(datum: pg_sys::Datum, is_null: bool, typoid: pg_sys::Oid) -> Option<Self> {
        // SAFETY: `datum` is a text value (the SQL type of this wrapper).
        let label = unsafe { String::from_polymorphic_datum(datum, is_null, typoid) }?;
        match Status::parse(&label) {
            Some(status) => Some(BookingStatus(status)),
            None => super::raise(&SeatingError::UnknownStatus { label }, "booking_status"),
        }
    }
}

impl IntoDatum for BookingStatus {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        self.0.label().into_datum()
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::TEXTOID
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
