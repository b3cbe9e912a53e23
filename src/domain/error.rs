//! The error catalogue (SPEC §4, reference §2.12).
//!
//! Every error pg_seating raises on purpose is one variant of [`SeatingError`]. A variant knows its
//! SQLSTATE, its message, and its DETAIL and HINT when it has them. App servers classify errors by
//! SQLSTATE *and* by words in the message and scrape ids from message and DETAIL, so the texts below
//! are wire contract: change them only together with SPEC.md.
//!
//! This module is pure Rust. The one place that turns a `SeatingError` into a Postgres error is
//! `crate::api::raise`.

use std::fmt;
use uuid::Uuid;

/// The SQLSTATEs the catalogue uses. Kept as an enum so the api layer can map each one to the
/// matching Postgres error code exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlState {
    /// 22000 data_exception
    DataException,
    /// 22004 null_value_not_allowed
    NullValueNotAllowed,
    /// 22023 invalid_parameter_value
    InvalidParameterValue,
    /// 23503 foreign_key_violation
    ForeignKeyViolation,
    /// 23514 check_violation
    CheckViolation,
    /// P0001 raise_exception
    RaiseException,
    /// P0002 no_data_found
    NoDataFound,
    /// P0003 too_many_rows (the reference uses it for idempotency and replay errors)
    TooManyRows,
    /// P0004 assert_failure (the reference uses it for state conflicts)
    AssertFailure,
}

impl SqlState {
    /// The five-character code.
    pub fn code(self) -> &'static str {
        match self {
            SqlState::DataException => "22000",
            SqlState::NullValueNotAllowed => "22004",
            SqlState::InvalidParameterValue => "22023",
            SqlState::ForeignKeyViolation => "23503",
            SqlState::CheckViolation => "23514",
            SqlState::RaiseException => "P0001",
            SqlState::NoDataFound => "P0002",
            SqlState::TooManyRows => "P0003",
            SqlState::AssertFailure => "P0004",
        }
    }
}

/// Who is standing in the way of a requested window (for the HINT of a conflict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    Booking(Uuid),
    Unknown,
}

/// Every deliberate error of pg_seating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatingError {
    /// A required argument was NULL (`p_booking_id`, `p_restaurant_id`, ...).
    NullArgument {
        function: &'static str,
        argument: &'static str,
    },
    /// NULL or empty table id array.
    NoTableIds {
        function: &'static str,
    },
    /// The array held only NULL ids.
    NoValidTableIds {
        function: &'static str,
    },
    /// A NULL among real table ids.
    NullTableId {
        function: &'static str,
    },
    /// Cancelled, no-show and completed bookings hold no table state (SPEC §6).
    BookingNotAssignable {
        booking_id: Uuid,
        status: String,
    },
    /// The booking lifecycle does not allow this move (domain/state.rs).
    TransitionNotAllowed {
        from: String,
        to: String,
    },
    /// A status label that is not a `booking_status`.
    UnknownStatus {
        label: String,
    },
    /// A hold placement blocked by another booking's live hold.
    HoldBlocked {
        booking_id: Uuid,
        hold_id: Uuid,
    },
    /// A hold time-to-live that is not a positive number of seconds.
    InvalidHoldTtl {
        seconds: i64,
    },
    /// The allocator found no plan; `detail` says why.
    NoTablePlan {
        booking_id: Uuid,
        detail: String,
    },
    /// An argument outside its range (`p_limit`, `p_max_tables`).
    ArgumentOutOfRange {
        function: &'static str,
        argument: &'static str,
        allowed: &'static str,
    },
    BookingNotFound {
        booking_id: Uuid,
    },
    /// Exactly one of the two custom window bounds was given.
    PartialCustomWindow {
        function: &'static str,
    },
    MissingWindow {
        booking_id: Uuid,
    },
    InvalidWindow {
        booking_id: Uuid,
    },
    /// sync_confirmed_assignment_windows: `p_merge_group_id` is not a merge group of the booking.
    MergeGroupNotOwned {
        merge_group_id: Uuid,
        booking_id: Uuid,
    },
    /// SPEC §10: a window longer than `pg_seating.max_window`.
    WindowTooLong {
        booking_id: Uuid,
        minutes: i64,
        max_minutes: i64,
    },
    /// SPEC §10: a window that does not touch the booking's local date (± 1 day).
    WindowOffDate {
        booking_id: Uuid,
    },
    /// SPEC §10: a hold whose time-to-live runs past the end of its own window.
    HoldOutlivesWindow {
        booking_id: Uuid,
        seconds: i64,
    },
    TableOtherRestaurant {
        table_id: Uuid,
    },
    TableNotZoned {
        table_id: Uuid,
    },
    TableInactive {
        table_id: Uuid,
    },
    TableOutOfService {
        table_id: Uuid,
    },
    MixedZones {
        found: Uuid,
        expected: Uuid,
    },
    MergeRequiresMovable {
        table_id: Uuid,
        mobility: String,
    },
    TablesNotFound {
        booking_id: Uuid,
    },
    ZoneConflict {
        booking_id: Uuid,
    },
    ZoneLocked {
        booking_id: Uuid,
        locked: Uuid,
        requested: Uuid,
    },
    NotAdjacent {
        table_id: Uuid,
    },
    /// Unassigning would leave a checked-in (seated) party without any table.
    SeatedPartyWithoutTable {
        booking_id: Uuid,
    },
    IdempotencyMismatch {
        function: &'static str,
        booking_id: Uuid,
        reason: MismatchReason,
    },
    HoldConflict {
        booking_id: Uuid,
        hold_id: Uuid,
    },
    AllocationOverlap {
        resource_id: Uuid,
        booking_id: Uuid,
        blocker: Blocker,
    },
    CapacityExceeded {
        covers: i64,
        max_covers: i64,
        parties: i64,
        max_parties: i64,
    },
    NoAssignmentsReturned {
        booking_id: Uuid,
    },
    StateConflict {
        current: String,
        expected: String,
    },
    HoldNotFound {
        hold_id: Uuid,
    },
    HoldBelongsToOtherBooking {
        hold_id: Uuid,
        owner: Uuid,
        expected: Uuid,
    },
    HoldExpired {
        hold_id: Uuid,
        expired_at: String,
    },
    HoldNoMembers {
        hold_id: Uuid,
    },
    PolicyVersionChanged {
        hold_id: Uuid,
        expected: String,
        actual: String,
    },
    AdjacencySnapshotChanged {
        hold_id: Uuid,
    },
    HoldMissingWindow {
        hold_id: Uuid,
    },
    HoldInvalidWindow {
        hold_id: Uuid,
    },
}

/// Why a replayed idempotency key did not match its ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchReason {
    TableSet,
    Window,
}

/// One catalogue row: SQLSTATE, message, and DETAIL and HINT when the error has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub state: SqlState,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

fn row(state: SqlState, message: String) -> Parts {
    Parts { state, message, detail: None, hint: None }
}

impl Parts {
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

const HOLD_HINT: &str = "Retry after hold expiration or confirm existing hold.";

impl SeatingError {
    /// The error's catalogue row: one arm per variant.
    pub fn parts(&self) -> Parts {
        use SeatingError::*;
        use SqlState::*;
        match self {
            NullArgument { function, argument } => {
                row(NullValueNotAllowed, format!("{function}: argument {argument} must not be null"))
                    .hint("Pass a non-null value.")
            }
            NoTableIds { function } => row(CheckViolation, format!("{function} requires at least one table id")),
            NoValidTableIds { function } => {
                row(CheckViolation, format!("{function} requires at least one valid table id"))
            }
            NullTableId { function } => row(NullValueNotAllowed, format!("{function}: table ids must not be null"))
                .hint("Remove the null entries from p_table_ids."),
            BookingNotAssignable { booking_id, status } => {
                row(CheckViolation, format!("Booking {booking_id} is {status} and cannot be assigned tables"))
                    .hint("Cancelled, no-show and completed bookings are final and hold no tables.")
            }
            TransitionNotAllowed { from, to } => {
                row(InvalidParameterValue, format!("Booking status transition from {from} to {to} is not allowed"))
                    .hint(
                        "Allowed: pending/pending_allocation/PRIORITY_WAITLIST -> confirmed, cancelled or no_show; \
                 confirmed -> checked_in, cancelled or no_show; checked_in -> completed or cancelled; \
                 cancelled, no_show and completed are final.",
                    )
            }
            UnknownStatus { label } => row(InvalidParameterValue, format!("Unknown booking status \"{label}\"")),
            HoldBlocked { booking_id, hold_id } => {
                row(RaiseException, format!("Hold conflict prevents hold for booking {booking_id}"))
                    .detail(format!("Hold {hold_id} overlaps requested window"))
                    .hint(HOLD_HINT)
            }
            InvalidHoldTtl { seconds } => row(
                InvalidParameterValue,
                format!("Hold time-to-live must be a positive number of seconds (got {seconds})"),
            ),
            NoTablePlan { booking_id, detail } => {
                row(RaiseException, format!("No table plan fits booking {booking_id}")).detail(detail.clone()).hint(
                    "Free or add tables, or widen pg_seating.max_overage / pg_seating.max_tables / \
                     pg_seating.require_adjacency.",
                )
            }
            ArgumentOutOfRange { function, argument, allowed } => {
                row(InvalidParameterValue, format!("{function}: {argument} must be {allowed}"))
            }
            BookingNotFound { booking_id } => row(NoDataFound, format!("Booking {booking_id} not found")),
            PartialCustomWindow { function } => row(
                InvalidParameterValue,
                format!("{function} requires both start and end when providing custom window"),
            ),
            MissingWindow { booking_id } => {
                row(DataException, format!("Booking {booking_id} missing start/end window"))
            }
            InvalidWindow { booking_id } => row(DataException, format!("Booking {booking_id} has invalid time window")),
            MergeGroupNotOwned { merge_group_id, booking_id } => row(
                ForeignKeyViolation,
                format!("Merge group {merge_group_id} is not a merge group of booking {booking_id}"),
            )
            .hint("Pass the merge_group_id of one of the booking's own assignments, or NULL."),
            WindowTooLong { booking_id, minutes, max_minutes } => row(
                InvalidParameterValue,
                format!(
                    "Booking {booking_id} window of {minutes} minutes is longer than pg_seating.max_window \
                     ({max_minutes} minutes)"
                ),
            )
            .hint("A table is assigned for one sitting; a superuser may raise pg_seating.max_window."),
            WindowOffDate { booking_id } => row(
                InvalidParameterValue,
                format!("Booking {booking_id} window does not touch its booking date (± 1 day)"),
            )
            .hint("Pass a window on the booking's own date, or move the booking to that date first."),
            HoldOutlivesWindow { booking_id, seconds } => row(
                InvalidParameterValue,
                format!("Hold for booking {booking_id} would expire after its window ends (ttl {seconds} seconds)"),
            )
            .hint("Pass a shorter p_ttl_seconds; a window that has ended cannot be held."),
            TableOtherRestaurant { table_id } => {
                row(ForeignKeyViolation, format!("Table {table_id} belongs to a different restaurant"))
            }
            TableNotZoned { table_id } => row(CheckViolation, format!("Table {table_id} is not assigned to a zone")),
            TableInactive { table_id } => row(CheckViolation, format!("Table {table_id} is inactive")),
            TableOutOfService { table_id } => row(CheckViolation, format!("Table {table_id} is out of service")),
            MixedZones { found, expected } => row(
                CheckViolation,
                format!("All tables must belong to the same zone (found {found}, expected {expected})"),
            ),
            MergeRequiresMovable { table_id, mobility } => {
                row(CheckViolation, format!("Merged assignments require movable tables ({table_id} is {mobility})"))
            }
            TablesNotFound { booking_id } => {
                row(NoDataFound, format!("Unable to load all requested tables for booking {booking_id}"))
                    .detail("Every table id must name an existing table of the booking's restaurant")
            }
            ZoneConflict { booking_id } => {
                row(CheckViolation, format!("Booking {booking_id} already has assignments in a different zone"))
            }
            ZoneLocked { booking_id, locked, requested } => row(
                CheckViolation,
                format!("Booking {booking_id} locked to zone {locked}, cannot assign zone {requested}"),
            ),
            NotAdjacent { table_id } => {
                row(CheckViolation, format!("Table {table_id} is not adjacent to the selected set"))
            }
            SeatedPartyWithoutTable { booking_id } => {
                row(CheckViolation, format!("Booking {booking_id} is checked in and must keep at least one table"))
                    .hint(
                        "Move the party: assign its new table with assign_tables_atomic_v2 (which adds it), then \
                         release this one; or complete the booking first.",
                    )
            }
            IdempotencyMismatch { function, booking_id, reason } => {
                row(TooManyRows, format!("{function} idempotency mismatch for booking {booking_id}"))
                    .detail(match reason {
                        MismatchReason::TableSet => "Idempotency key reuse detected with a different table set",
                        MismatchReason::Window => "Idempotency key reuse detected with a different window",
                    })
                    .hint("Use a new idempotency key for a different request, or repeat the original request.")
            }
            HoldConflict { booking_id, hold_id } => {
                row(RaiseException, format!("Hold conflict prevents assignment for booking {booking_id}"))
                    .detail(format!("Hold {hold_id} overlaps requested window"))
                    .hint(HOLD_HINT)
            }
            AllocationOverlap { resource_id, booking_id, blocker } => {
                row(RaiseException, "allocations_no_overlap".into())
                    .detail(format!("Resource {resource_id} overlaps requested window for booking {booking_id}"))
                    .hint(match blocker {
                        Blocker::Booking(b) => format!("The table is held by booking {b} for an overlapping window."),
                        Blocker::Unknown => {
                            "Another assignment committed first; choose other tables or another window.".to_string()
                        }
                    })
            }
            CapacityExceeded { covers, max_covers, parties, max_parties } => {
                row(RaiseException, "capacity_exceeded_post_assignment".into())
                    .detail(format!(
                "Capacity exceeded after assignment: covers {covers}/{max_covers}, parties {parties}/{max_parties}"
            ))
                    .hint("Release tables or adjust capacity overrides before retrying.")
            }
            NoAssignmentsReturned { booking_id } => {
                row(TooManyRows, format!("assign_tables_atomic_v2 returned no assignments for booking {booking_id}"))
            }
            StateConflict { current, expected } => row(AssertFailure, "booking_state_conflict".into())
                .detail(format!("Current status {current} does not match expected {expected}")),
            HoldNotFound { hold_id } => row(NoDataFound, format!("Hold {hold_id} not found")),
            HoldBelongsToOtherBooking { hold_id, owner, expected } => {
                row(RaiseException, format!("Hold {hold_id} belongs to booking {owner} (expected {expected})"))
            }
            HoldExpired { hold_id, expired_at } => {
                row(RaiseException, format!("Hold {hold_id} expired at {expired_at}"))
            }
            HoldNoMembers { hold_id } => row(RaiseException, format!("Hold {hold_id} has no table members")),
            PolicyVersionChanged { hold_id, expected, actual } => row(
                TooManyRows,
                format!("Policy version changed (hold {hold_id}, expected {expected}, actual {actual})"),
            ),
            AdjacencySnapshotChanged { hold_id } => {
                row(TooManyRows, format!("Adjacency snapshot changed for hold {hold_id}"))
            }
            HoldMissingWindow { hold_id } => row(DataException, format!("Hold {hold_id} missing scheduling window")),
            HoldInvalidWindow { hold_id } => row(DataException, format!("Hold {hold_id} has invalid window")),
        }
    }

    pub fn sqlstate(&self) -> SqlState {
        self.parts().state
    }

    pub fn message(&self) -> String {
        self.parts().message
    }

    pub fn detail(&self) -> Option<String> {
        self.parts().detail
    }

    pub fn hint(&self) -> Option<String> {
        self.parts().hint
    }
}

impl fmt::Display for SeatingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.sqlstate().code())
    }
}

impl std::error::Error for SeatingError {}

/// The resource a raw constraint violation is about, read from its DETAIL, e.g.
/// `Key (restaurant_id, resource_type, resource_id, "window")=(<r>, table, <t>, [..)) conflicts
/// with existing key (...)`: the second uuid of the key is the table (the first is the
/// restaurant) for both `allocations_no_overlap` and `bta_no_overlap`.
pub fn resource_from_constraint_detail(detail: &str) -> Option<Uuid> {
    let key = detail.split(" conflicts with ").next().unwrap_or(detail);
    let bytes = key.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 36 <= bytes.len() {
        let candidate = (key.is_char_boundary(i) && key.is_char_boundary(i + 36))
            .then(|| &key[i..i + 36])
            .filter(|c| c.as_bytes()[8] == b'-')
            .and_then(|c| Uuid::try_parse(c).ok());
        match candidate {
            Some(u) => {
                found.push(u);
                i += 36;
            }
            None => i += 1,
        }
    }
    found.get(1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SeatingError::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn resource_is_the_second_uuid_of_the_conflicting_key() {
        let d = "Key (restaurant_id, resource_type, resource_id, \"window\")=(a1000000-0000-0000-0000-000000000001, table, \
                 a3000000-0000-0000-0000-000000000002, [\"2026-12-01 18:00:00+00\",\"2026-12-01 20:00:00+00\")) conflicts with \
                 existing key (restaurant_id, resource_type, resource_id, \"window\")=(a1000000-0000-0000-0000-000000000001, \
                 table, a3000000-0000-0000-0000-000000000009, [..)).";
        assert_eq!(resource_from_constraint_detail(d), Some(Uuid::from_u128(0xa3000000_0000_0000_0000_000000000002)));
        assert_eq!(resource_from_constraint_detail("no ids here"), None);
        assert_eq!(resource_from_constraint_detail(""), None);
        assert_eq!(resource_from_constraint_detail("é€ multibyte text, no ids — at all, really long enough"), None);
    }

    #[test]
    fn codes_are_five_characters() {
        for s in [
            SqlState::DataException,
            SqlState::NullValueNotAllowed,
            SqlState::InvalidParameterValue,
            SqlState::ForeignKeyViolation,
            SqlState::CheckViolation,
            SqlState::RaiseException,
            SqlState::NoDataFound,
            SqlState::TooManyRows,
            SqlState::AssertFailure,
        ] {
            assert_eq!(s.code().len(), 5, "{s:?}");
        }
    }

    /// One catalogue row to check: the error, its SQLSTATE and message, and (when given) its
    /// DETAIL exactly and a fragment of its HINT.
    struct Case {
        error: SeatingError,
        state: &'static str,
        message: String,
        detail: Option<String>,
        hint: Option<&'static str>,
    }

    fn case(error: SeatingError, state: &'static str, message: impl Into<String>) -> Case {
        Case { error, state, message: message.into(), detail: None, hint: None }
    }

    impl Case {
        fn detail(mut self, detail: impl Into<String>) -> Case {
            self.detail = Some(detail.into());
            self
        }

        fn hint(mut self, fragment: &'static str) -> Case {
            self.hint = Some(fragment);
            self
        }
    }

    /// The reference's texts (reference §2, SPEC §5), one row per error.
    fn cases() -> Vec<Case> {
        let (b, t, h) = (id(1), id(2), id(11));
        let v2 = "assign_tables_atomic_v2";
        vec![
            case(NoTableIds { function: v2 }, "23514", "assign_tables_atomic_v2 requires at least one table id"),
            case(BookingNotFound { booking_id: b }, "P0002", "Booking 00000000-0000-0000-0000-000000000001 not found"),
            case(
                PartialCustomWindow { function: v2 },
                "22023",
                "assign_tables_atomic_v2 requires both start and end when providing custom window",
            ),
            case(MissingWindow { booking_id: b }, "22000", format!("Booking {b} missing start/end window")),
            case(
                WindowTooLong { booking_id: b, minutes: 1500, max_minutes: 1440 },
                "22023",
                format!("Booking {b} window of 1500 minutes is longer than pg_seating.max_window (1440 minutes)"),
            )
            .hint("pg_seating.max_window"),
            case(
                MergeGroupNotOwned { merge_group_id: t, booking_id: b },
                "23503",
                format!("Merge group {t} is not a merge group of booking {b}"),
            )
            .hint("merge_group_id"),
            case(
                WindowOffDate { booking_id: b },
                "22023",
                format!("Booking {b} window does not touch its booking date (± 1 day)"),
            )
            .hint("booking's own date"),
            case(
                HoldOutlivesWindow { booking_id: b, seconds: 180 },
                "22023",
                format!("Hold for booking {b} would expire after its window ends (ttl 180 seconds)"),
            )
            .hint("p_ttl_seconds"),
            case(InvalidWindow { booking_id: b }, "22000", format!("Booking {b} has invalid time window")),
            case(TableOtherRestaurant { table_id: t }, "23503", format!("Table {t} belongs to a different restaurant")),
            case(TableInactive { table_id: t }, "23514", format!("Table {t} is inactive")),
            case(TableOutOfService { table_id: t }, "23514", format!("Table {t} is out of service")),
            case(
                MixedZones { found: id(3), expected: id(4) },
                "23514",
                format!("All tables must belong to the same zone (found {}, expected {})", id(3), id(4)),
            ),
            case(
                MergeRequiresMovable { table_id: t, mobility: "fixed".into() },
                "23514",
                format!("Merged assignments require movable tables ({t} is fixed)"),
            ),
            case(
                TablesNotFound { booking_id: b },
                "P0002",
                format!("Unable to load all requested tables for booking {b}"),
            ),
            case(
                ZoneConflict { booking_id: b },
                "23514",
                format!("Booking {b} already has assignments in a different zone"),
            ),
            case(
                ZoneLocked { booking_id: b, locked: id(3), requested: id(4) },
                "23514",
                format!("Booking {b} locked to zone {}, cannot assign zone {}", id(3), id(4)),
            ),
            case(NotAdjacent { table_id: t }, "23514", format!("Table {t} is not adjacent to the selected set")),
            case(
                HoldConflict { booking_id: b, hold_id: h },
                "P0001",
                format!("Hold conflict prevents assignment for booking {b}"),
            )
            .detail(format!("Hold {h} overlaps requested window"))
            .hint("Retry after hold expiration or confirm existing hold."),
            case(
                AllocationOverlap { resource_id: t, booking_id: b, blocker: Blocker::Booking(id(13)) },
                "P0001",
                "allocations_no_overlap",
            )
            .detail(format!("Resource {t} overlaps requested window for booking {b}"))
            .hint("00000000-0000-0000-0000-00000000000d"),
            case(
                AllocationOverlap { resource_id: t, booking_id: b, blocker: Blocker::Unknown },
                "P0001",
                "allocations_no_overlap",
            )
            .hint("Another assignment committed first"),
            case(
                IdempotencyMismatch { function: v2, booking_id: b, reason: MismatchReason::TableSet },
                "P0003",
                format!("assign_tables_atomic_v2 idempotency mismatch for booking {b}"),
            )
            .detail("Idempotency key reuse detected with a different table set"),
            case(
                CapacityExceeded { covers: 41, max_covers: 40, parties: 3, max_parties: 10 },
                "P0001",
                "capacity_exceeded_post_assignment",
            )
            .detail("Capacity exceeded after assignment: covers 41/40, parties 3/10")
            .hint("Release tables or adjust capacity overrides before retrying."),
            case(
                StateConflict { current: "cancelled".into(), expected: "pending".into() },
                "P0004",
                "booking_state_conflict",
            )
            .detail("Current status cancelled does not match expected pending"),
            case(
                NoAssignmentsReturned { booking_id: b },
                "P0003",
                format!("assign_tables_atomic_v2 returned no assignments for booking {b}"),
            ),
            case(HoldNotFound { hold_id: h }, "P0002", format!("Hold {h} not found")),
            case(
                HoldExpired { hold_id: h, expired_at: "2026-11-23 10:00:00+00".into() },
                "P0001",
                format!("Hold {h} expired at 2026-11-23 10:00:00+00"),
            ),
            case(
                HoldBelongsToOtherBooking { hold_id: h, owner: id(1), expected: id(2) },
                "P0001",
                format!("Hold {h} belongs to booking {} (expected {})", id(1), id(2)),
            ),
            case(HoldInvalidWindow { hold_id: h }, "22000", format!("Hold {h} has invalid window")),
            case(
                SeatedPartyWithoutTable { booking_id: b },
                "23514",
                format!("Booking {b} is checked in and must keep at least one table"),
            )
            .hint("assign_tables_atomic_v2"),
            case(
                NullArgument { function: v2, argument: "p_booking_id" },
                "22004",
                "assign_tables_atomic_v2: argument p_booking_id must not be null",
            ),
            case(NullTableId { function: v2 }, "22004", "assign_tables_atomic_v2: table ids must not be null"),
            case(
                TransitionNotAllowed { from: "cancelled".into(), to: "confirmed".into() },
                "22023",
                "Booking status transition from cancelled to confirmed is not allowed",
            )
            .hint("final"),
            case(
                HoldBlocked { booking_id: b, hold_id: h },
                "P0001",
                format!("Hold conflict prevents hold for booking {b}"),
            )
            .detail(format!("Hold {h} overlaps requested window")),
            case(
                InvalidHoldTtl { seconds: 0 },
                "22023",
                "Hold time-to-live must be a positive number of seconds (got 0)",
            ),
            case(UnknownStatus { label: "x".into() }, "22023", "Unknown booking status \"x\""),
            case(
                NoTablePlan { booking_id: id(3), detail: "party of 9".into() },
                "P0001",
                format!("No table plan fits booking {}", id(3)),
            )
            .detail("party of 9"),
            case(
                ArgumentOutOfRange { function: "quote_tables", argument: "p_limit", allowed: "at least 1" },
                "22023",
                "quote_tables: p_limit must be at least 1",
            ),
            case(
                BookingNotAssignable { booking_id: b, status: "cancelled".into() },
                "23514",
                format!("Booking {b} is cancelled and cannot be assigned tables"),
            )
            .hint(""),
        ]
    }

    #[test]
    fn every_catalogue_row_has_its_reference_text() {
        for c in cases() {
            let what = format!("{:?}", c.error);
            assert_eq!(c.error.sqlstate().code(), c.state, "{what}");
            assert_eq!(c.error.message(), c.message, "{what}");
            if let Some(detail) = &c.detail {
                assert_eq!(c.error.detail().as_ref(), Some(detail), "{what}");
            }
            if let Some(fragment) = c.hint {
                let hint = c.error.hint().unwrap_or_else(|| panic!("{what} has a hint"));
                assert!(hint.contains(fragment), "{what}: {hint}");
            }
            // The wire form ends with the SQLSTATE in parentheses.
            assert!(c.error.to_string().ends_with(&format!("({})", c.state)), "{what}");
        }
    }
}
