"""The waitlist: joining a full market, a place in line, offers, and the admin's queue."""
