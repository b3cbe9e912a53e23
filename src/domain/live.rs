//! A table's live state at an instant (SPEC §2: computed from allocations, never written on the
//! hot path), as `table_live_status` reports it.

/// What covers a table at the instant.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cover {
    /// A live (non-shadow) allocation of the table covers the instant.
    pub allocated: bool,
    /// One of those allocations is a maintenance block.
    pub maintenance: bool,
    /// One of those allocations belongs to a checked-in booking.
    pub seated: bool,
    /// A live hold covers the instant.
    pub held: bool,
}

impl Cover {
    /// Another allocation covering the table (a table may carry several, e.g. a booking and a
    /// maintenance block written by hand).
    pub fn add_allocation(&mut self, maintenance: bool, seated: bool) {
        self.allocated = true;
        self.maintenance |= maintenance;
        self.seated |= seated;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    OutOfService,
    Occupied,
    Reserved,
    Available,
}

impl LiveStatus {
    /// The state of a table (`out_of_service` its manual flag) with what covers it: the flag or a
    /// maintenance block first, then a seated party, then any allocation or hold.
    pub fn of(out_of_service: bool, cover: Cover) -> LiveStatus {
        if out_of_service || cover.maintenance {
            LiveStatus::OutOfService
        } else if cover.seated {
            LiveStatus::Occupied
        } else if cover.allocated || cover.held {
            LiveStatus::Reserved
        } else {
            LiveStatus::Available
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LiveStatus::OutOfService => "out_of_service",
            LiveStatus::Occupied => "occupied",
            LiveStatus::Reserved => "reserved",
            LiveStatus::Available => "available",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cover(allocated: bool, maintenance: bool, seated: bool, held: bool) -> Cover {
        Cover { allocated, maintenance, seated, held }
    }

    #[test]
    fn the_flag_and_maintenance_come_first_then_seated_then_any_cover() {
        use LiveStatus::*;
        assert_eq!(LiveStatus::of(true, Cover::default()), OutOfService);
        assert_eq!(LiveStatus::of(true, cover(true, false, true, true)), OutOfService);
        assert_eq!(LiveStatus::of(false, cover(true, true, true, false)), OutOfService);
        assert_eq!(LiveStatus::of(false, cover(true, false, true, true)), Occupied);
        assert_eq!(LiveStatus::of(false, cover(true, false, false, false)), Reserved);
        assert_eq!(LiveStatus::of(false, cover(false, false, false, true)), Reserved);
        assert_eq!(LiveStatus::of(false, Cover::default()), Available);
        let labels: Vec<&str> = [OutOfService, Occupied, Reserved, Available].iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["out_of_service", "occupied", "reserved", "available"]);
    }

    #[test]
    fn allocations_of_one_table_add_up() {
        let mut c = Cover::default();
        c.add_allocation(false, false);
        c.add_allocation(true, false);
        assert_eq!(c, cover(true, true, false, false));
        c.add_allocation(false, true);
        assert_eq!(LiveStatus::of(false, c), LiveStatus::OutOfService);
        let mut d = Cover::default();
        d.add_allocation(false, true);
        d.add_allocation(false, false);
        assert_eq!(LiveStatus::of(false, d), LiveStatus::Occupied);
    }
}
