"""The URLs the site answers, their endpoints and methods, as a committed snapshot: moving code
between modules must not change a single route (url_map.txt beside this file)."""

from __future__ import annotations

from pathlib import Path

SNAPSHOT = Path(__file__).with_name("url_map.txt")


def routes(app) -> list[str]:
    """Every rule as "rule<TAB>endpoint<TAB>methods", sorted."""
    rows = (
        (rule.rule, rule.endpoint, ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
    )
    return ["\t".join(row) for row in sorted(rows)]


def test_the_url_map_matches_its_snapshot(app):
    assert routes(app) == SNAPSHOT.read_text().splitlines()
