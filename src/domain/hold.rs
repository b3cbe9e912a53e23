//! Whether a hold may be confirmed for a booking (reference §2.5, `confirm_hold_assignment_tx`):
//! its owner, whether it is still active and live, its members, the snapshot the caller expects,
//! and the window the confirmation uses.

use uuid::Uuid;

use super::error::SeatingError;
use super::window::{Instant, Window};

/// The hold a confirmation is about, as read (locked) after the booking lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldFacts {
    pub booking_id: Option<Uuid>,
    pub window: (Option<Instant>, Option<Instant>),
    /// Its expiry as the error text shows it (ISO 8601, UTC).
    pub expires_at_text: String,
    pub active: bool,
    /// Not yet expired at the transaction's start.
    pub live: bool,
    pub policy_version: Option<String>,
    pub adjacency_hash: Option<String>,
    pub tables: Vec<Uuid>,
}

/// What the caller expects of the hold.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub function: &'static str,
    pub hold_id: Uuid,
    pub booking_id: Uuid,
    pub policy_version: Option<&'a str>,
    pub adjacency_hash: Option<&'a str>,
    /// A custom window: both ends or neither (then the hold's own).
    pub window: (Option<Instant>, Option<Instant>),
}

impl HoldFacts {
    /// The window the hold is confirmed with, or why it cannot be: checked in the reference's
    /// order (owner, expiry, members, policy version, adjacency snapshot, window).
    pub fn confirmable(&self, expected: &Expected<'_>) -> Result<Window, SeatingError> {
        let hold_id = expected.hold_id;
        if let Some(owner) = self.booking_id {
            if owner != expected.booking_id {
                return Err(SeatingError::HoldBelongsToOtherBooking { hold_id, owner, expected: expected.booking_id });
            }
        }
        if !self.active || !self.live {
            return Err(SeatingError::HoldExpired { hold_id, expired_at: self.expires_at_text.clone() });
        }
        if self.tables.is_empty() {
            return Err(SeatingError::HoldNoMembers { hold_id });
        }
        if let (Some(actual), Some(wanted)) = (&self.policy_version, expected.policy_version) {
            if actual != wanted {
                return Err(SeatingError::PolicyVersionChanged {
                    hold_id,
                    expected: wanted.to_string(),
                    actual: actual.clone(),
                });
            }
        }
        if let (Some(actual), Some(wanted)) = (&self.adjacency_hash, expected.adjacency_hash) {
            if actual != wanted {
                return Err(SeatingError::AdjacencySnapshotChanged { hold_id });
            }
        }
        let (start, end) = match expected.window {
            (Some(s), Some(e)) => (s, e),
            (None, None) => match self.window {
                (Some(s), Some(e)) => (s, e),
                _ => return Err(SeatingError::HoldMissingWindow { hold_id }),
            },
            _ => return Err(SeatingError::PartialCustomWindow { function: expected.function }),
        };
        Window::new(start, end).ok_or(SeatingError::HoldInvalidWindow { hold_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn hold() -> HoldFacts {
        HoldFacts {
            booking_id: Some(u(1)),
            window: (Some(100), Some(200)),
            expires_at_text: "2026-11-27T20:00:00Z".into(),
            active: true,
            live: true,
            policy_version: Some("v1".into()),
            adjacency_hash: Some("h1".into()),
            tables: vec![u(10)],
        }
    }

    fn expected() -> Expected<'static> {
        Expected {
            function: "confirm_hold_assignment_tx",
            hold_id: u(9),
            booking_id: u(1),
            policy_version: Some("v1"),
            adjacency_hash: Some("h1"),
            window: (None, None),
        }
    }

    #[test]
    fn a_live_hold_of_the_booking_confirms_with_its_window() {
        assert_eq!(hold().confirmable(&expected()), Ok(Window::new(100, 200).unwrap()));
        let unowned = HoldFacts { booking_id: None, ..hold() };
        assert_eq!(unowned.confirmable(&expected()), Ok(Window::new(100, 200).unwrap()));
        let custom = Expected { window: (Some(120), Some(180)), ..expected() };
        assert_eq!(hold().confirmable(&custom), Ok(Window::new(120, 180).unwrap()));
        let unchecked = Expected { policy_version: None, adjacency_hash: None, ..expected() };
        let changed = HoldFacts { policy_version: Some("v2".into()), adjacency_hash: Some("h2".into()), ..hold() };
        assert!(changed.confirmable(&unchecked).is_ok());
    }

    #[test]
    fn each_refusal_in_the_reference_order() {
        let other = HoldFacts { booking_id: Some(u(2)), active: false, ..hold() };
        assert_eq!(
            other.confirmable(&expected()),
            Err(SeatingError::HoldBelongsToOtherBooking { hold_id: u(9), owner: u(2), expected: u(1) })
        );
        let expired = HoldFacts { live: false, tables: vec![], ..hold() };
        assert_eq!(
            expired.confirmable(&expected()),
            Err(SeatingError::HoldExpired { hold_id: u(9), expired_at: "2026-11-27T20:00:00Z".into() })
        );
        let inactive = HoldFacts { active: false, ..hold() };
        assert!(matches!(inactive.confirmable(&expected()), Err(SeatingError::HoldExpired { .. })));
        let empty = HoldFacts { tables: vec![], policy_version: Some("v2".into()), ..hold() };
        assert_eq!(empty.confirmable(&expected()), Err(SeatingError::HoldNoMembers { hold_id: u(9) }));
        let policy = HoldFacts { policy_version: Some("v2".into()), adjacency_hash: Some("h2".into()), ..hold() };
        assert_eq!(
            policy.confirmable(&expected()),
            Err(SeatingError::PolicyVersionChanged { hold_id: u(9), expected: "v1".into(), actual: "v2".into() })
        );
        let adjacency = HoldFacts { adjacency_hash: Some("h2".into()), ..hold() };
        assert_eq!(adjacency.confirmable(&expected()), Err(SeatingError::AdjacencySnapshotChanged { hold_id: u(9) }));
    }

    #[test]
    fn the_window_must_be_whole_and_valid() {
        let no_window = HoldFacts { window: (Some(100), None), ..hold() };
        assert_eq!(no_window.confirmable(&expected()), Err(SeatingError::HoldMissingWindow { hold_id: u(9) }));
        let partial = Expected { window: (Some(100), None), ..expected() };
        assert_eq!(
            hold().confirmable(&partial),
            Err(SeatingError::PartialCustomWindow { function: "confirm_hold_assignment_tx" })
        );
        let inverted = Expected { window: (Some(200), Some(100)), ..expected() };
        assert_eq!(hold().confirmable(&inverted), Err(SeatingError::HoldInvalidWindow { hold_id: u(9) }));
    }
}
