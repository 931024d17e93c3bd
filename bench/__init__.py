"""Load benchmarks: the site against a minimal Flask app under the same gunicorn settings."""
