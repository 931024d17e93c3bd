"""Markets: the seat rules core (site/capacity.py) and site/markets/ (pages, search, admin)."""
