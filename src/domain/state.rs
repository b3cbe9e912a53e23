//! The booking state machine: which status changes are allowed, and the lifecycle timestamps
//! each status requires (the `bookings_lifecycle_timestamp_consistency` check).

use super::error::SeatingError;
use super::window::Instant;

/// `booking_status`, in the enum's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Confirmed,
    Pending,
    Cancelled,
    Completed,
    PriorityWaitlist,
    NoShow,
    PendingAllocation,
    CheckedIn,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Confirmed,
        Status::Pending,
        Status::Cancelled,
        Status::Completed,
        Status::PriorityWaitlist,
        Status::NoShow,
        Status::PendingAllocation,
        Status::CheckedIn,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Pending => "pending",
            Status::Cancelled => "cancelled",
            Status::Completed => "completed",
            Status::PriorityWaitlist => "PRIORITY_WAITLIST",
            Status::NoShow => "no_show",
            Status::PendingAllocation => "pending_allocation",
            Status::CheckedIn => "checked_in",
        }
    }

    pub fn parse(label: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.label() == label)
    }

    /// The statuses a booking is finished in (a no-show can still be undone): cancelled, no-show
    /// and completed bookings hold no table state (SPEC §6), so the day planner, the day view and
    /// the consistency checks leave them out. The one list: the SQL that spells it
    /// (`'{cancelled,no_show,completed}'` in `src/db/`, `sql/*.sql`, and `IN (…)` in the model) is
    /// checked against it by `tests::terminal_status_arrays_in_sql_match`.
    pub const TERMINAL: [Status; 3] = [Status::Cancelled, Status::NoShow, Status::Completed];

    /// Whether the booking is finished (`Status::TERMINAL`).
    pub fn is_terminal(self) -> bool {
        Status::TERMINAL.contains(&self)
    }
}

/// Whether `from → to` is a move the lifecycle allows: the booking app's own state machine
/// (APP-CONTRACT.md §4), plus the system move confirmed → pending_allocation when a confirmed
/// booking loses its last table (SPEC §6). Staying in the same status is allowed (a
/// compare-and-set that changes only timestamps or writes history). Cancelled and completed are
/// final; a no-show can be undone (back to confirmed, which re-seats its tables when free).
pub fn transition_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    if from == to {
        return true;
    }
    match from {
        Pending => matches!(to, PendingAllocation | Confirmed | Cancelled),
        PendingAllocation => matches!(to, Confirmed | Cancelled),
        Confirmed => matches!(to, CheckedIn | Cancelled | NoShow | PendingAllocation),
        PriorityWaitlist => matches!(to, CheckedIn | Cancelled | NoShow),
        CheckedIn => matches!(to, Completed | NoShow),
        NoShow => matches!(to, Confirmed),
        Cancelled | Completed => false,
    }
}

/// The check-in / check-out instants a booking gets on entering `to`, from what the caller gave
/// and what the row holds: statuses before the visit clear both; `checked_in` keeps or sets the
/// check-in (now by default) and clears the check-out; `completed` keeps or sets both (check-out
/// not before check-in); `cancelled` keeps what it is given or has.
pub fn lifecycle_timestamps(
    to: Status,
    given_in: Option<Instant>,
    given_out: Option<Instant>,
    current_in: Option<Instant>,
    current_out: Option<Instant>,
    now: Instant,
) -> (Option<Instant>, Option<Instant>) {
    use Status::*;
    match to {
        Pending | PendingAllocation | Confirmed | PriorityWaitlist | NoShow => (None, None),
        CheckedIn => (Some(given_in.or(current_in).unwrap_or(now)), None),
        Completed => {
            let checked_in = given_in.or(current_in).unwrap_or(now);
            let checked_out = given_out.or(current_out).unwrap_or(now).max(checked_in);
            (Some(checked_in), Some(checked_out))
        }
        Cancelled => (given_in.or(current_in), given_out.or(current_out)),
    }
}

/// Refuses a move the lifecycle does not allow (22023).
pub fn check_transition(from: Status, to: Status) -> Result<(), SeatingError> {
    if transition_allowed(from, to) {
        Ok(())
    } else {
        Err(SeatingError::TransitionNotAllowed { from: from.label().into(), to: to.label().into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn labels_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.label()), Some(s));
        }
        assert_eq!(Status::parse("Confirmed"), None);
        assert_eq!(Status::parse(""), None);
    }

    #[test]
    fn cancelled_and_completed_are_final_and_a_no_show_can_be_undone() {
        for from in [Cancelled, Completed] {
            assert!(from.is_terminal());
            for to in Status::ALL {
                assert_eq!(transition_allowed(from, to), from == to, "{from:?} -> {to:?}");
            }
        }
        assert!(NoShow.is_terminal(), "a no-show holds no tables");
        assert!(transition_allowed(NoShow, Confirmed), "undo no-show");
        assert!(!transition_allowed(NoShow, CheckedIn));
        assert!(!CheckedIn.is_terminal());
    }

    #[test]
    fn the_visit_goes_forward() {
        assert!(transition_allowed(Pending, Confirmed));
        assert!(transition_allowed(Confirmed, CheckedIn));
        assert!(transition_allowed(CheckedIn, Completed));
        assert!(!transition_allowed(Pending, CheckedIn), "check-in needs a confirmed booking");
        assert!(transition_allowed(PriorityWaitlist, CheckedIn), "a waitlisted party may be checked in");
        assert!(!transition_allowed(Confirmed, Completed), "completion needs a check-in");
        assert!(!transition_allowed(CheckedIn, Pending));
        assert!(transition_allowed(CheckedIn, NoShow), "the app may mark a checked-in booking a no-show");
        assert!(!transition_allowed(CheckedIn, Cancelled));
        assert!(transition_allowed(Confirmed, Cancelled));
        assert!(transition_allowed(Confirmed, PendingAllocation), "the system move when the last table goes");
        assert!(!transition_allowed(PriorityWaitlist, Confirmed), "not in the app's table");
    }

    #[test]
    fn the_whole_transition_matrix() {
        // APP-CONTRACT.md §4 plus confirmed -> pending_allocation. Rows: from; columns: to, in enum
        // order (confirmed, pending, cancelled, completed, PRIORITY_WAITLIST, no_show, pending_allocation, checked_in).
        let expected: [(Status, [bool; 8]); 8] = [
            (Confirmed, [true, false, true, false, false, true, true, true]),
            (Pending, [true, true, true, false, false, false, true, false]),
            (Cancelled, [false, false, true, false, false, false, false, false]),
            (Completed, [false, false, false, true, false, false, false, false]),
            (PriorityWaitlist, [false, false, true, false, true, true, false, true]),
            (NoShow, [true, false, false, false, false, true, false, false]),
            (PendingAllocation, [true, false, true, false, false, false, true, false]),
            (CheckedIn, [false, false, false, true, false, true, false, true]),
        ];
        for (from, row) in expected {
            for (to, allowed) in Status::ALL.into_iter().zip(row) {
                assert_eq!(transition_allowed(from, to), allowed, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn refusal_names_both_statuses() {
        assert_eq!(
            check_transition(Cancelled, Confirmed),
            Err(SeatingError::TransitionNotAllowed { from: "cancelled".into(), to: "confirmed".into() })
        );
        assert_eq!(check_transition(Pending, Confirmed), Ok(()));
    }

    /// The status lists `text` spells, as SQL array literals (`'{cancelled,no_show}'`) or `IN` lists
    /// (`IN ('cancelled', 'no_show')`): every such list whose elements are all booking statuses.
    fn status_lists(text: &str) -> Vec<Vec<Status>> {
        let parse = |body: &str, quoted: bool| -> Option<Vec<Status>> {
            body.split(',')
                .map(|l| {
                    let l = l.trim();
                    let l = if quoted { l.strip_prefix('\'')?.strip_suffix('\'')? } else { l };
                    Status::parse(l)
                })
                .collect()
        };
        let mut lists = Vec::new();
        for (open, close, quoted) in [("'{", "}'", false), ("IN (", ")", true)] {
            for (at, _) in text.match_indices(open) {
                let rest = &text[at + open.len()..];
                let body_len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ',' | ' ' | '\'')))
                    .unwrap_or(rest.len());
                if rest[body_len..].starts_with(close) {
                    lists.extend(parse(&rest[..body_len], quoted));
                }
            }
        }
        lists
    }

    #[test]
    fn terminal_status_arrays_in_sql_match() {
        use crate::domain::booking_update::NOT_COUNTED;
        assert_eq!(
            status_lists("s <> ALL ('{cancelled,no_show}') AND (t IN ('completed', 'no_show') OR d = '{}')"),
            [vec![Cancelled, NoShow], vec![Completed, NoShow]],
            "the scan finds both spellings"
        );
        // Every list in SQL naming a finished status is Status::TERMINAL, in its order, but
        // update_booking_with_capacity_check's count, which leaves out only NOT_COUNTED.
        let sources: [(&str, &str, &[Status]); 4] = [
            ("src/db/allocate.rs", include_str!("../db/allocate.rs"), &Status::TERMINAL),
            ("src/db/booking_update.rs", include_str!("../db/booking_update.rs"), &NOT_COUNTED),
            ("sql/api.sql", include_str!("../../sql/api.sql"), &Status::TERMINAL),
            ("sql/operations.sql", include_str!("../../sql/operations.sql"), &Status::TERMINAL),
        ];
        for (file, text, expected) in sources {
            let lists: Vec<_> = status_lists(text).into_iter().filter(|l| l.iter().any(|s| s.is_terminal())).collect();
            assert!(!lists.is_empty(), "{file}: no list of finished statuses found");
            for list in lists {
                assert_eq!(list, expected, "{file}");
            }
        }
        assert_eq!(Status::TERMINAL.map(Status::label), ["cancelled", "no_show", "completed"]);
        assert_eq!(NOT_COUNTED.map(Status::label), ["cancelled", "no_show"]);
        assert!(NOT_COUNTED.iter().all(|s| s.is_terminal()));

        // Nowhere else (the SPI layer, the extension's SQL, the data model) spells another list.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for dir in ["src/db", "src/api", "sql", "sql/model"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().to_string();
                if !(rel.ends_with(".rs") || rel.ends_with(".sql")) || rel == "src/db/booking_update.rs" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for list in status_lists(&text).into_iter().filter(|l| l.iter().any(|s| s.is_terminal())) {
                    assert_eq!(list, Status::TERMINAL, "{rel}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 5, "{checked}");
    }

    #[test]
    fn timestamps_follow_the_lifecycle_check() {
        let now = 100;
        assert_eq!(lifecycle_timestamps(Confirmed, Some(1), Some(2), Some(3), Some(4), now), (None, None));
        assert_eq!(lifecycle_timestamps(CheckedIn, None, Some(9), None, None, now), (Some(now), None));
        assert_eq!(lifecycle_timestamps(CheckedIn, None, None, Some(50), None, now), (Some(50), None));
        assert_eq!(lifecycle_timestamps(Completed, None, None, Some(50), None, now), (Some(50), Some(now)));
        // A given check-out before the check-in is lifted to the check-in.
        assert_eq!(lifecycle_timestamps(Completed, Some(70), Some(60), None, None, now), (Some(70), Some(70)));
        assert_eq!(lifecycle_timestamps(Cancelled, None, None, Some(5), None, now), (Some(5), None));
        assert_eq!(lifecycle_timestamps(NoShow, Some(5), None, None, None, now), (None, None));
    }
}
