"""Registration: training events, registrations, seats and the waitlist, check-in, staff accounts."""
