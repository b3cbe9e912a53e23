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

    #[test]
    fn reference_texts_for_assignment_validation() {
        let b = id(1);
        let t = id(2);
        let e = SeatingError::NoTableIds { function: "assign_tables_atomic_v2" };
        assert_eq!(e.sqlstate().code(), "23514");
        assert_eq!(e.message(), "assign_tables_atomic_v2 requires at least one table id");

        let e = SeatingError::BookingNotFound { booking_id: b };
        assert_eq!(e.sqlstate().code(), "P0002");
        assert_eq!(e.message(), "Booking 00000000-0000-0000-0000-000000000001 not found");

        let e = SeatingError::PartialCustomWindow { function: "assign_tables_atomic_v2" };
        assert_eq!(e.sqlstate().code(), "22023");
        assert_eq!(e.message(), "assign_tables_atomic_v2 requires both start and end when providing custom window");

        let e = SeatingError::MissingWindow { booking_id: b };
        assert_eq!(
            (e.sqlstate().code(), e.message().as_str()),
            ("22000", "Booking 00000000-0000-0000-0000-000000000001 missing start/end window")
        );
        let e = SeatingError::InvalidWindow { booking_id: b };
        assert_eq!(
            (e.sqlstate().code(), e.message().as_str()),
            ("22000", "Booking 00000000-0000-0000-0000-000000000001 has invalid time window")
        );

        let e = SeatingError::TableOtherRestaurant { table_id: t };
        assert_eq!(e.sqlstate().code(), "23503");
        assert_eq!(e.message(), format!("Table {t} belongs to a different restaurant"));

        assert_eq!(SeatingError::TableInactive { table_id: t }.message(), format!("Table {t} is inactive"));
        assert_eq!(SeatingError::TableOutOfService { table_id: t }.message(), format!("Table {t} is out of service"));
        let e = SeatingError::MixedZones { found: id(3), expected: id(4) };
        assert_eq!(e.sqlstate().code(), "23514");
        assert_eq!(
            e.message(),
            format!("All tables must belong to the same zone (found {}, expected {})", id(3), id(4))
        );
        let e = SeatingError::MergeRequiresMovable { table_id: t, mobility: "fixed".into() };
        assert_eq!(e.message(), format!("Merged assignments require movable tables ({t} is fixed)"));
        let e = SeatingError::TablesNotFound { booking_id: b };
        assert_eq!(e.sqlstate().code(), "P0002");
        assert_eq!(e.message(), format!("Unable to load all requested tables for booking {b}"));
        assert_eq!(
            SeatingError::ZoneConflict { booking_id: b }.message(),
            format!("Booking {b} already has assignments in a different zone")
        );
        assert_eq!(
            SeatingError::ZoneLocked { booking_id: b, locked: id(3), requested: id(4) }.message(),
            format!("Booking {b} locked to zone {}, cannot assign zone {}", id(3), id(4))
        );
        assert_eq!(
            SeatingError::NotAdjacent { table_id: t }.message(),
            format!("Table {t} is not adjacent to the selected set")
        );
    }

    #[test]
    fn conflicts_carry_detail_and_hint() {
        let b = id(10);
        let h = id(11);
        let e = SeatingError::HoldConflict { booking_id: b, hold_id: h };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), format!("Hold conflict prevents assignment for booking {b}"));
        assert_eq!(e.detail().unwrap(), format!("Hold {h} overlaps requested window"));
        assert_eq!(e.hint().unwrap(), "Retry after hold expiration or confirm existing hold.");

        let t = id(12);
        let other = id(13);
        let e = SeatingError::AllocationOverlap { resource_id: t, booking_id: b, blocker: Blocker::Booking(other) };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), "allocations_no_overlap");
        assert_eq!(e.detail().unwrap(), format!("Resource {t} overlaps requested window for booking {b}"));
        assert!(e.hint().unwrap().contains(&other.to_string()));

        let e = SeatingError::IdempotencyMismatch {
            function: "assign_tables_atomic_v2",
            booking_id: b,
            reason: MismatchReason::TableSet,
        };
        assert_eq!(e.sqlstate().code(), "P0003");
        assert_eq!(e.message(), format!("assign_tables_atomic_v2 idempotency mismatch for booking {b}"));
        assert_eq!(e.detail().unwrap(), "Idempotency key reuse detected with a different table set");
    }

    #[test]
    fn lifecycle_texts() {
        let e = SeatingError::CapacityExceeded { covers: 41, max_covers: 40, parties: 3, max_parties: 10 };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), "capacity_exceeded_post_assignment");
        assert_eq!(e.detail().unwrap(), "Capacity exceeded after assignment: covers 41/40, parties 3/10");
        assert_eq!(e.hint().unwrap(), "Release tables or adjust capacity overrides before retrying.");

        let e = SeatingError::StateConflict { current: "cancelled".into(), expected: "pending".into() };
        assert_eq!(e.sqlstate().code(), "P0004");
        assert_eq!(e.message(), "booking_state_conflict");
        assert_eq!(e.detail().unwrap(), "Current status cancelled does not match expected pending");

        let b = id(20);
        let e = SeatingError::NoAssignmentsReturned { booking_id: b };
        assert_eq!(e.sqlstate().code(), "P0003");
        assert_eq!(e.message(), format!("assign_tables_atomic_v2 returned no assignments for booking {b}"));

        let h = id(21);
        assert_eq!(SeatingError::HoldNotFound { hold_id: h }.sqlstate().code(), "P0002");
        let e = SeatingError::HoldExpired { hold_id: h, expired_at: "2026-11-23 10:00:00+00".into() };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), format!("Hold {h} expired at 2026-11-23 10:00:00+00"));
        let e = SeatingError::HoldBelongsToOtherBooking { hold_id: h, owner: id(1), expected: id(2) };
        assert_eq!(e.message(), format!("Hold {h} belongs to booking {} (expected {})", id(1), id(2)));
        assert_eq!(SeatingError::HoldInvalidWindow { hold_id: h }.sqlstate().code(), "22000");
        let e = SeatingError::SeatedPartyWithoutTable { booking_id: b };
        assert_eq!(e.sqlstate().code(), "23514");
        assert_eq!(e.message(), format!("Booking {b} is checked in and must keep at least one table"));
        assert!(e.hint().unwrap().contains("assign_tables_atomic_v2"));
    }

    #[test]
    fn null_argument_names_function_and_argument() {
        let e = SeatingError::NullArgument { function: "assign_tables_atomic_v2", argument: "p_booking_id" };
        assert_eq!(e.sqlstate().code(), "22004");
        assert_eq!(e.message(), "assign_tables_atomic_v2: argument p_booking_id must not be null");
        assert!(e.to_string().ends_with("(22004)"));
        let e = SeatingError::NullTableId { function: "assign_tables_atomic_v2" };
        assert_eq!(e.sqlstate().code(), "22004");
        assert_eq!(e.message(), "assign_tables_atomic_v2: table ids must not be null");
    }

    #[test]
    fn lifecycle_and_hold_placement_texts() {
        let e = SeatingError::TransitionNotAllowed { from: "cancelled".into(), to: "confirmed".into() };
        assert_eq!(e.sqlstate().code(), "22023");
        assert_eq!(e.message(), "Booking status transition from cancelled to confirmed is not allowed");
        assert!(e.hint().unwrap().contains("final"));
        let e = SeatingError::HoldBlocked { booking_id: id(1), hold_id: id(2) };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), format!("Hold conflict prevents hold for booking {}", id(1)));
        assert_eq!(e.detail().unwrap(), format!("Hold {} overlaps requested window", id(2)));
        let e = SeatingError::InvalidHoldTtl { seconds: 0 };
        assert_eq!(e.sqlstate().code(), "22023");
        assert_eq!(e.message(), "Hold time-to-live must be a positive number of seconds (got 0)");
        assert_eq!(SeatingError::UnknownStatus { label: "x".into() }.message(), "Unknown booking status \"x\"");
    }

    #[test]
    fn allocator_texts() {
        let e = SeatingError::NoTablePlan { booking_id: id(3), detail: "party of 9".into() };
        assert_eq!(e.sqlstate().code(), "P0001");
        assert_eq!(e.message(), format!("No table plan fits booking {}", id(3)));
        assert_eq!(e.detail().unwrap(), "party of 9");
        let e =
            SeatingError::ArgumentOutOfRange { function: "quote_tables", argument: "p_limit", allowed: "at least 1" };
        assert_eq!((e.sqlstate().code(), e.message().as_str()), ("22023", "quote_tables: p_limit must be at least 1"));
    }

    #[test]
    fn terminal_bookings_are_not_assignable() {
        let b = id(5);
        let e = SeatingError::BookingNotAssignable { booking_id: b, status: "cancelled".into() };
        assert_eq!(e.sqlstate().code(), "23514");
        assert_eq!(e.message(), format!("Booking {b} is cancelled and cannot be assigned tables"));
        assert!(e.hint().is_some());
    }
}
