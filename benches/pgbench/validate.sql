-- validate_booking_capacity_after_assignment on its own (the dinner period of 64 bookings).
SELECT validate_booking_capacity_after_assignment(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
