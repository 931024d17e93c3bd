"""Calls: site/calls/ (slots, booking pages, invites, hosts, admin) and the booking rules core."""
