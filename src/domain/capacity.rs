//! Capacity rules of the post-assignment check (reference §2.7): the kill switch and the verdict.

use super::error::SeatingError;

/// The reference's default when a rule leaves a limit unset.
pub const UNBOUNDED: i64 = 999_999;

/// `app.capacity.post_assignment.enabled` set to off, false, 0 or no (any case, surrounding
/// blanks ignored) switches the check off; anything else, or unset, keeps it on.
pub fn kill_switch_off(value: Option<&str>) -> bool {
    matches!(value.map(|v| v.trim().to_ascii_lowercase()).as_deref(), Some("off" | "false" | "0" | "no"))
}

/// Totals of the booking's service period (this booking included) and the rule's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub covers: i64,
    pub parties: i64,
    pub max_covers: Option<i64>,
    pub max_parties: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapacityVerdict {
    Within,
    Exceeded(SeatingError),
}

impl Usage {
    pub fn verdict(&self) -> CapacityVerdict {
        let max_covers = self.max_covers.unwrap_or(UNBOUNDED);
        let max_parties = self.max_parties.unwrap_or(UNBOUNDED);
        if self.covers > max_covers || self.parties > max_parties {
            CapacityVerdict::Exceeded(SeatingError::CapacityExceeded {
                covers: self.covers,
                max_covers,
                parties: self.parties,
                max_parties,
            })
        } else {
            CapacityVerdict::Within
        }
    }
}

/// Why a booking update does not fit its service period (reference §2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateRefusal {
    /// booked covers + party > max covers: `No capacity available for this time slot`.
    Covers,
    /// booked parties + 1 > max parties: `Too many simultaneous parties in this slot`.
    Parties,
}

/// The capacity test of `update_booking_with_capacity_check`: the *other* bookings of the period
/// plus this one must fit (covers first, then parties).
pub fn update_fits(
    party_size: i64,
    booked_covers: i64,
    max_covers: i64,
    booked_parties: i64,
    max_parties: i64,
) -> Result<(), UpdateRefusal> {
    if booked_covers + party_size > max_covers {
        Err(UpdateRefusal::Covers)
    } else if booked_parties + 1 > max_parties {
        Err(UpdateRefusal::Parties)
    } else {
        Ok(())
    }
}

/// Share of the covers in use after the update, one decimal, 0 when the maximum is 0.
pub fn utilization_percent(booked_after: i64, max_covers: i64) -> f64 {
    if max_covers <= 0 {
        0.0
    } else {
        (booked_after as f64 * 1000.0 / max_covers as f64).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_switch_values() {
        for v in ["off", "OFF", " Off ", "false", "FALSE", "0", "no", "No"] {
            assert!(kill_switch_off(Some(v)), "{v:?}");
        }
        for v in [None, Some(""), Some("on"), Some("true"), Some("1"), Some("yes"), Some("offline")] {
            assert!(!kill_switch_off(v), "{v:?}");
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let u = Usage { covers: 40, parties: 10, max_covers: Some(40), max_parties: Some(10) };
        assert_eq!(u.verdict(), CapacityVerdict::Within);
        let u = Usage { covers: 41, parties: 3, max_covers: Some(40), max_parties: Some(10) };
        assert_eq!(
            u.verdict(),
            CapacityVerdict::Exceeded(SeatingError::CapacityExceeded {
                covers: 41,
                max_covers: 40,
                parties: 3,
                max_parties: 10
            })
        );
        let u = Usage { covers: 5, parties: 11, max_covers: None, max_parties: Some(10) };
        assert!(matches!(
            u.verdict(),
            CapacityVerdict::Exceeded(SeatingError::CapacityExceeded { max_covers: UNBOUNDED, .. })
        ));
    }

    #[test]
    fn update_fit_checks_covers_then_parties() {
        assert_eq!(update_fits(4, 36, 40, 9, 10), Ok(()));
        assert_eq!(update_fits(5, 36, 40, 0, 10), Err(UpdateRefusal::Covers));
        assert_eq!(update_fits(2, 0, 40, 10, 10), Err(UpdateRefusal::Parties));
        assert_eq!(update_fits(50, 0, 40, 10, 10), Err(UpdateRefusal::Covers), "covers reported first");
    }

    #[test]
    fn utilization_has_one_decimal() {
        assert_eq!(utilization_percent(1, 3), 33.3);
        assert_eq!(utilization_percent(40, 40), 100.0);
        assert_eq!(utilization_percent(5, 0), 0.0);
    }

    #[test]
    fn unset_limits_are_unbounded() {
        let u = Usage { covers: 999_999, parties: 999_999, max_covers: None, max_parties: None };
        assert_eq!(u.verdict(), CapacityVerdict::Within);
    }
}
