//! Capacity rules of the post-assignment check (reference §2.7): the kill switch and the verdict.

use super::error::SeatingError;

/// The reference's default when a rule leaves a limit unset.
pub const UNBOUNDED: i64 = 999_999;

/// `app.capacity.post_assignment.enabled` set to off, false, 0 or no (any case, surrounding
/// blanks ignored) switches the check off; anything else, or unset, keeps it on.
pub fn kill_switch_off(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("off" | "false" | "0" | "no")
    )
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
            CapacityVerdict::Exceeded(SeatingError::CapacityExceeded { covers: 41, max_covers: 40, parties: 3, max_parties: 10 })
        );
        let u = Usage { covers: 5, parties: 11, max_covers: None, max_parties: Some(10) };
        assert!(matches!(u.verdict(), CapacityVerdict::Exceeded(SeatingError::CapacityExceeded { max_covers: UNBOUNDED, .. })));
    }

    #[test]
    fn unset_limits_are_unbounded() {
        let u = Usage { covers: 999_999, parties: 999_999, max_covers: None, max_parties: None };
        assert_eq!(u.verdict(), CapacityVerdict::Within);
    }
}
