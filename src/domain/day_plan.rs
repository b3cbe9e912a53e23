//! What `auto_assign_day` reports for each booking of the day (its `outcome` column): decided here,
//! written as text by the SQL boundary.

use super::error::SeatingError;

/// One booking's outcome in a day plan; `as_str` is the SQL-visible `outcome` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayOutcome {
    /// The booking already holds tables, which it keeps (the plan does not touch it).
    Kept,
    /// The booking got tables: the day plan's own seating, or auto-assign for one it left out.
    Assigned,
    /// No table plan fits the booking (auto-assign found none); the detail says why.
    Unassigned,
    /// The restaurant's capacity rules refuse the booking (checked before writing, so the day
    /// goes on); the detail is the capacity error's.
    CapacityExceeded,
    /// The booking cannot be planned or written for another reason (e.g. an invalid window);
    /// the detail is the error's message.
    Skipped,
}

impl DayOutcome {
    /// Every outcome, in declaration order.
    #[cfg(test)]
    pub const ALL: [DayOutcome; 5] = [
        DayOutcome::Kept,
        DayOutcome::Assigned,
        DayOutcome::Unassigned,
        DayOutcome::CapacityExceeded,
        DayOutcome::Skipped,
    ];

    /// The text `auto_assign_day` returns in its `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            DayOutcome::Kept => "kept",
            DayOutcome::Assigned => "assigned",
            DayOutcome::Unassigned => "unassigned",
            DayOutcome::CapacityExceeded => "capacity_exceeded",
            DayOutcome::Skipped => "skipped",
        }
    }

    /// A booking that auto-assign could not seat: `unassigned` with the no-plan detail when no
    /// plan fits, else `skipped` with the error's message.
    pub fn of_auto_assign_error(error: SeatingError) -> (DayOutcome, String) {
        match error {
            SeatingError::NoTablePlan { detail, .. } => (DayOutcome::Unassigned, detail),
            e => (DayOutcome::Skipped, e.message()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn day_outcomes_are_the_sql_visible_strings_and_distinct() {
        // The `outcome` values auto_assign_day returns (docs and SQL callers match on them).
        let expected = ["kept", "assigned", "unassigned", "capacity_exceeded", "skipped"];
        let got: Vec<&str> = DayOutcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(got, expected);
        let distinct: std::collections::HashSet<&str> = got.iter().copied().collect();
        assert_eq!(distinct.len(), DayOutcome::ALL.len());
    }

    #[test]
    fn auto_assign_errors_are_unassigned_only_when_no_plan_fits() {
        let booking_id = Uuid::from_u128(7);
        let no_plan = SeatingError::NoTablePlan { booking_id, detail: "party of 9".into() };
        assert_eq!(DayOutcome::of_auto_assign_error(no_plan), (DayOutcome::Unassigned, "party of 9".to_string()));
        let other = SeatingError::BookingNotFound { booking_id };
        let message = other.message();
        assert_eq!(DayOutcome::of_auto_assign_error(other), (DayOutcome::Skipped, message));
    }
}
