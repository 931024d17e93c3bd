"""Races against real processes: gunicorn workers and forkserver racers, started together (slow)."""
