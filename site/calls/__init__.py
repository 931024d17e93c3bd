"""Calls: the booking widget and form, managing a booked call, hosts and their hours,
host calendar feeds, invites and the mail a call sends, and the admin's calls screens."""
