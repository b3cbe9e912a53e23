//! Booking windows: which `[start, end)` an assignment covers.
//!
//! Instants are Postgres `timestamptz` values: microseconds since 2000-01-01 00:00 UTC, with
//! `i64::MAX` / `i64::MIN` standing for `infinity` / `-infinity`. The conversion of a booking's
//! local date and times into instants (restaurant time zone, DST, midnight roll-over) happens in
//! SQL, where Postgres's own time-zone database lives; this module decides which candidate wins
//! and whether it is usable.

use uuid::Uuid;

use super::error::SeatingError;

/// Microseconds since 2000-01-01 00:00:00 UTC (a Postgres `timestamptz`).
pub type Instant = i64;

/// A half-open window `[start, end)` with finite bounds and `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Instant,
    pub end: Instant,
}

impl Window {
    /// A usable window, or `None` when empty, inverted or unbounded.
    pub fn new(start: Instant, end: Instant) -> Option<Window> {
        let finite = |t: Instant| t != i64::MAX && t != i64::MIN;
        (finite(start) && finite(end) && start < end).then_some(Window { start, end })
    }

    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// What a booking row offers to derive its window from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookingTimes {
    /// `bookings.start_at` / `bookings.end_at`.
    pub start_at: Option<Instant>,
    pub end_at: Option<Instant>,
    /// `booking_date + start_time` / `+ end_time` in the restaurant's time zone (the end rolled to
    /// the next day when `end_time < start_time`).
    pub local_start: Option<Instant>,
    pub local_end: Option<Instant>,
    /// The start of the day before the booking's date and the end of the day after it, in the
    /// restaurant's time zone: a window must touch this span (SPEC §10).
    pub date_from: Option<Instant>,
    pub date_to: Option<Instant>,
}

/// `pg_seating.max_window`'s default: one day, in microseconds.
pub const DEFAULT_MAX_WINDOW: i64 = 24 * 3_600_000_000;

/// Chooses the window of an assignment (reference §2.1 step 4, SPEC §6):
/// explicit bounds (both or neither) win; else the booking's instants; else its local date and
/// times. Missing → 22000 `missing start/end window`; empty, inverted or infinite → 22000
/// `has invalid time window`; longer than `max_window` (µs) or away from the booking's date →
/// 22023 (SPEC §10).
pub fn resolve(
    function: &'static str,
    booking_id: Uuid,
    explicit_start: Option<Instant>,
    explicit_end: Option<Instant>,
    booking: &BookingTimes,
    max_window: i64,
) -> Result<Window, SeatingError> {
    let (start, end) = match (explicit_start, explicit_end) {
        (Some(s), Some(e)) => (s, e),
        (Some(_), None) | (None, Some(_)) => return Err(SeatingError::PartialCustomWindow { function }),
        (None, None) => match (booking.start_at, booking.end_at, booking.local_start, booking.local_end) {
            (Some(s), Some(e), _, _) => (s, e),
            (_, _, Some(s), Some(e)) => (s, e),
            _ => return Err(SeatingError::MissingWindow { booking_id }),
        },
    };
    let window = Window::new(start, end).ok_or(SeatingError::InvalidWindow { booking_id })?;
    plausible(booking_id, window, booking, max_window)?;
    Ok(window)
}

/// SPEC §10: no window blocks a table for longer than `max_window` (µs), and every window touches
/// its booking's date, the day before or the day after.
pub fn plausible(
    booking_id: Uuid,
    window: Window,
    booking: &BookingTimes,
    max_window: i64,
) -> Result<(), SeatingError> {
    let length = window.end.saturating_sub(window.start);
    if length > max_window {
        const MINUTE: i64 = 60_000_000;
        return Err(SeatingError::WindowTooLong {
            booking_id,
            minutes: length / MINUTE + i64::from(length % MINUTE != 0),
            max_minutes: max_window / MINUTE,
        });
    }
    if let (Some(from), Some(to)) = (booking.date_from, booking.date_to) {
        if !(window.start < to && from < window.end) {
            return Err(SeatingError::WindowOffDate { booking_id });
        }
    }
    Ok(())
}

/// SPEC §10: a hold expiring at `expires` must not outlive its window.
pub fn hold_within(booking_id: Uuid, window: Window, expires: Instant, ttl_seconds: i64) -> Result<(), SeatingError> {
    if expires > window.end {
        return Err(SeatingError::HoldOutlivesWindow { booking_id, seconds: ttl_seconds });
    }
    Ok(())
}

/// `pg_seating_auto_assign_key(id, start, end)` computed without a round trip: the booking id and
/// the window's epoch seconds (`extract(epoch ...)::bigint` rounds half away from zero).
pub fn auto_assign_key(booking_id: Uuid, window: Window) -> String {
    const UNIX_TO_PG_EPOCH_US: i64 = 946_684_800_000_000;
    let secs = |t: i64| {
        let us = i128::from(t) + i128::from(UNIX_TO_PG_EPOCH_US);
        let (q, r) = (us / 1_000_000, us % 1_000_000);
        if r >= 500_000 {
            q + 1
        } else if r <= -500_000 {
            q - 1
        } else {
            q
        }
    };
    format!("auto-assign:{booking_id}:{}-{}", secs(window.start), secs(window.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;
    const F: &str = "assign_tables_atomic_v2";

    fn b() -> Uuid {
        Uuid::from_u128(7)
    }

    #[test]
    fn explicit_bounds_win_over_the_booking() {
        let times = BookingTimes { start_at: Some(0), end_at: Some(2 * H), ..Default::default() };
        assert_eq!(
            resolve(F, b(), Some(H), Some(3 * H), &times, DEFAULT_MAX_WINDOW),
            Ok(Window { start: H, end: 3 * H })
        );
    }

    #[test]
    fn one_explicit_bound_is_refused() {
        let times = BookingTimes { start_at: Some(0), end_at: Some(H), ..Default::default() };
        assert_eq!(
            resolve(F, b(), Some(0), None, &times, DEFAULT_MAX_WINDOW),
            Err(SeatingError::PartialCustomWindow { function: F })
        );
        assert_eq!(
            resolve(F, b(), None, Some(H), &times, DEFAULT_MAX_WINDOW),
            Err(SeatingError::PartialCustomWindow { function: F })
        );
    }

    #[test]
    fn booking_instants_then_local_times() {
        let both = BookingTimes {
            start_at: Some(0),
            end_at: Some(H),
            local_start: Some(5 * H),
            local_end: Some(6 * H),
            ..Default::default()
        };
        assert_eq!(resolve(F, b(), None, None, &both, DEFAULT_MAX_WINDOW), Ok(Window { start: 0, end: H }));
        let half = BookingTimes {
            start_at: Some(0),
            end_at: None,
            local_start: Some(5 * H),
            local_end: Some(6 * H),
            ..Default::default()
        };
        assert_eq!(resolve(F, b(), None, None, &half, DEFAULT_MAX_WINDOW), Ok(Window { start: 5 * H, end: 6 * H }));
    }

    #[test]
    fn nothing_to_go_on_is_a_missing_window() {
        let none = BookingTimes::default();
        assert_eq!(
            resolve(F, b(), None, None, &none, DEFAULT_MAX_WINDOW),
            Err(SeatingError::MissingWindow { booking_id: b() })
        );
        let partial = BookingTimes { start_at: Some(0), local_end: Some(H), ..Default::default() };
        assert_eq!(
            resolve(F, b(), None, None, &partial, DEFAULT_MAX_WINDOW),
            Err(SeatingError::MissingWindow { booking_id: b() })
        );
    }

    #[test]
    fn empty_inverted_and_infinite_windows_are_invalid() {
        let none = BookingTimes::default();
        for (s, e) in [(H, H), (2 * H, H), (0, i64::MAX), (i64::MIN, 0)] {
            assert_eq!(
                resolve(F, b(), Some(s), Some(e), &none, DEFAULT_MAX_WINDOW),
                Err(SeatingError::InvalidWindow { booking_id: b() }),
                "[{s}, {e})"
            );
        }
        let inverted = BookingTimes { start_at: Some(2 * H), end_at: Some(H), ..Default::default() };
        assert_eq!(
            resolve(F, b(), None, None, &inverted, DEFAULT_MAX_WINDOW),
            Err(SeatingError::InvalidWindow { booking_id: b() })
        );
    }

    #[test]
    fn overlap_is_half_open() {
        let a = Window { start: 0, end: 2 * H };
        assert!(a.overlaps(&Window { start: H, end: 3 * H }));
        assert!(!a.overlaps(&Window { start: 2 * H, end: 3 * H }));
        assert!(!Window { start: 2 * H, end: 3 * H }.overlaps(&a));
    }

    #[test]
    fn auto_assign_key_matches_the_sql_definition() {
        // 2026-12-03 18:00Z and 20:00Z: 1796320800 and 1796328000 Unix seconds.
        let start = (1_796_320_800 - 946_684_800) * 1_000_000;
        let w = Window { start, end: start + 7_200_000_000 };
        let b = Uuid::from_u128(8);
        assert_eq!(auto_assign_key(b, w), format!("auto-assign:{b}:1796320800-1796328000"));
        // Half a second rounds away from zero, like numeric -> bigint.
        let w = Window { start: start + 500_000, end: start + 1_499_999 };
        assert_eq!(auto_assign_key(b, w), format!("auto-assign:{b}:1796320801-1796320801"));
    }

    #[test]
    fn a_window_longer_than_the_limit_is_refused() {
        let none = BookingTimes::default();
        assert_eq!(
            resolve(F, b(), Some(0), Some(24 * H), &none, DEFAULT_MAX_WINDOW),
            Ok(Window { start: 0, end: 24 * H })
        );
        assert_eq!(
            resolve(F, b(), Some(0), Some(24 * H + 1), &none, DEFAULT_MAX_WINDOW),
            Err(SeatingError::WindowTooLong { booking_id: b(), minutes: 1441, max_minutes: 1440 })
        );
        // The reproduction of SPEC §10: year 1 to year 9999 (finite instants).
        let (first, last) = (-63_082_281_600_000_000, 252_455_615_999_000_000);
        assert!(matches!(
            resolve(F, b(), Some(first), Some(last), &none, DEFAULT_MAX_WINDOW),
            Err(SeatingError::WindowTooLong { .. })
        ));
        assert_eq!(
            resolve(F, b(), Some(0), Some(2 * H), &none, H),
            Err(SeatingError::WindowTooLong { booking_id: b(), minutes: 120, max_minutes: 60 })
        );
    }

    #[test]
    fn a_window_must_touch_the_booking_date_or_its_neighbours() {
        // The span of the day before to the day after: [0, 72 h).
        let dated = BookingTimes { date_from: Some(0), date_to: Some(72 * H), ..Default::default() };
        assert!(resolve(F, b(), Some(71 * H), Some(73 * H), &dated, DEFAULT_MAX_WINDOW).is_ok());
        assert!(resolve(F, b(), Some(-H), Some(H), &dated, DEFAULT_MAX_WINDOW).is_ok());
        for (s, e) in [(72 * H, 73 * H), (-2 * H, 0), (-400 * H, -399 * H)] {
            assert_eq!(
                resolve(F, b(), Some(s), Some(e), &dated, DEFAULT_MAX_WINDOW),
                Err(SeatingError::WindowOffDate { booking_id: b() }),
                "{s}..{e}"
            );
        }
    }

    #[test]
    fn a_hold_must_not_outlive_its_window() {
        let w = Window { start: 0, end: 2 * H };
        assert_eq!(hold_within(b(), w, 2 * H, 60), Ok(()));
        assert_eq!(
            hold_within(b(), w, 2 * H + 1, 60),
            Err(SeatingError::HoldOutlivesWindow { booking_id: b(), seconds: 60 })
        );
    }
}
