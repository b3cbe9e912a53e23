//! The JSON envelope of `update_booking_with_capacity_check` (reference §2.8): what the app reads
//! back for a refused, invalid or applied update. The SPI side reads the service period's usage
//! and writes the row; every answer's shape is decided here.

use serde_json::{json, Value};

use super::capacity::{update_fits, utilization_percent, UpdateRefusal, UNBOUNDED};
use super::state::Status;

/// The statuses of the other bookings the update does not count against the period's limits:
/// cancelled and no-show only, not every `Status::TERMINAL` one. The reference (§2.8) counts
/// `status NOT IN (cancelled, no_show)`, so a completed booking of the period still takes its
/// covers and its party, and the envelope's `bookedCovers`/`bookedParties` are the app's numbers.
/// Spelt `'{cancelled,no_show}'` in `USAGE_WITH_RULES` and `USAGE_WITHOUT_RULES`
/// (`src/db/booking_update.rs`); `state::tests::terminal_status_arrays_in_sql_match` checks them.
#[allow(dead_code)] // Rust reads it only in that test; the rule runs in the SQL.
pub const NOT_COUNTED: [Status; 2] = [Status::Cancelled, Status::NoShow];

/// `{"success": false, "error": "INVALID_PARAMS", "message": …}`.
pub fn invalid(message: &str) -> Value {
    json!({"success": false, "error": "INVALID_PARAMS", "message": message})
}

/// The booking's service period at its new date and time: the rule's limits (unset: the
/// reference's 999,999) and what the *other* bookings of the period already take.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodUsage {
    pub period_id: Option<String>,
    /// The app reads `servicePeriod` as a string: the period's name (null outside every period).
    pub period_name: Option<String>,
    pub max_covers: Option<i64>,
    pub max_parties: Option<i64>,
    pub booked_covers: i64,
    pub booked_parties: i64,
}

impl PeriodUsage {
    fn max_covers(&self) -> i64 {
        self.max_covers.unwrap_or(UNBOUNDED)
    }

    fn max_parties(&self) -> i64 {
        self.max_parties.unwrap_or(UNBOUNDED)
    }

    /// The refusal envelope when a party of `party` does not fit (covers first, then parties).
    pub fn refusal(&self, party: i64) -> Option<Value> {
        let (max_covers, max_parties) = (self.max_covers(), self.max_parties());
        let (booked_covers, booked_parties) = (self.booked_covers, self.booked_parties);
        let service_period = json!(self.period_name);
        match update_fits(party, booked_covers, max_covers, booked_parties, max_parties) {
            Ok(()) => None,
            Err(UpdateRefusal::Covers) => Some(json!({
                "success": false, "error": "CAPACITY_EXCEEDED",
                "message": "No capacity available for this time slot",
                "details": {
                    "requestedCovers": party, "maxCovers": max_covers, "bookedCovers": booked_covers,
                    "availableCovers": (max_covers - booked_covers).max(0), "servicePeriod": service_period,
                    "maxParties": max_parties, "bookedParties": booked_parties
                }
            })),
            Err(UpdateRefusal::Parties) => Some(json!({
                "success": false, "error": "CAPACITY_EXCEEDED",
                "message": "Too many simultaneous parties in this slot",
                "details": {
                    "requestedParties": 1, "maxParties": max_parties, "bookedParties": booked_parties,
                    "servicePeriod": service_period, "availableParties": (max_parties - booked_parties).max(0)
                }
            })),
        }
    }

    /// What the updated row records in `details.capacity_check`.
    pub fn capacity_check(&self, party: i64) -> Value {
        json!({
            "service_period_id": self.period_id, "max_covers": self.max_covers(),
            "booked_covers_before": self.booked_covers, "booked_covers_after": self.booked_covers + party
        })
    }

    /// The success envelope: the row as it is now, the period after the update, and what happened
    /// to the booking's tables (`unchanged`, `moved` or `released`).
    pub fn updated(&self, party: i64, booking: Value, assignments: &str) -> Value {
        let (max_covers, after) = (self.max_covers(), self.booked_covers + party);
        json!({
            "success": true,
            "booking": booking,
            "capacity": {
                "servicePeriod": self.period_name, "maxCovers": max_covers, "bookedCovers": after,
                "availableCovers": (max_covers - after).max(0),
                "utilizationPercent": utilization_percent(after, max_covers)
            },
            "assignments": assignments,
            "message": "Booking updated successfully"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dinner(max_covers: Option<i64>, max_parties: Option<i64>, covers: i64, parties: i64) -> PeriodUsage {
        PeriodUsage {
            period_id: Some("p1".into()),
            period_name: Some("Dinner".into()),
            max_covers,
            max_parties,
            booked_covers: covers,
            booked_parties: parties,
        }
    }

    #[test]
    fn covers_refuse_first_with_what_is_left() {
        let got = dinner(Some(40), Some(1), 38, 5).refusal(4).expect("refused");
        assert_eq!(got["error"], "CAPACITY_EXCEEDED");
        assert_eq!(got["message"], "No capacity available for this time slot");
        assert_eq!(got["details"]["availableCovers"], 2);
        assert_eq!(got["details"]["requestedCovers"], 4);
        assert_eq!(got["details"]["servicePeriod"], "Dinner");
        let full = dinner(Some(40), None, 45, 0).refusal(4).expect("refused");
        assert_eq!(full["details"]["availableCovers"], 0);
    }

    #[test]
    fn parties_refuse_when_covers_fit() {
        let got = dinner(Some(40), Some(5), 10, 5).refusal(2).expect("refused");
        assert_eq!(got["message"], "Too many simultaneous parties in this slot");
        assert_eq!(got["details"]["availableParties"], 0);
        assert_eq!(got["details"]["requestedParties"], 1);
    }

    #[test]
    fn unset_limits_are_the_reference_default() {
        let open = dinner(None, None, 10, 3);
        assert_eq!(open.refusal(4), None);
        assert_eq!(open.capacity_check(4)["max_covers"], UNBOUNDED);
        assert_eq!(open.capacity_check(4)["booked_covers_after"], 14);
        let ok = open.updated(4, json!({"id": 1}), "moved");
        assert_eq!(ok["capacity"]["maxCovers"], UNBOUNDED);
        assert_eq!(ok["capacity"]["bookedCovers"], 14);
        assert_eq!(ok["assignments"], "moved");
        assert_eq!(ok["booking"]["id"], 1);
    }

    #[test]
    fn the_success_envelope_reports_the_period_after() {
        let ok = dinner(Some(40), Some(10), 30, 2).updated(5, Value::Null, "unchanged");
        assert_eq!(ok["success"], true);
        assert_eq!(ok["capacity"]["availableCovers"], 5);
        assert_eq!(ok["capacity"]["utilizationPercent"], 87.5);
        assert_eq!(ok["capacity"]["servicePeriod"], "Dinner");
        assert_eq!(invalid("x")["error"], "INVALID_PARAMS");
    }
}
