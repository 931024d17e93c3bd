"""Markets: the public market pages, market search, the seat widget, and the admin's
markets screens (seat caps, prices, seats and holds)."""
