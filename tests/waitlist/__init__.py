"""The waitlist (site/waitlist/): the places service, offers and their mail, pages, queue admin."""
