"""Running racer processes: start them together, gather what each reports, leave none behind."""

from __future__ import annotations

import queue

import pytest


def run_racers(racers, results, timeout: float = 180) -> dict:
    """Start the processes and return {n: outcome} from the (n, outcome) each puts on `results`."""
    for racer in racers:
        racer.start()
    outcomes = {}
    try:
        for _ in racers:
            n, outcome = results.get(timeout=timeout)
            outcomes[n] = outcome
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {len(racers)} racers reported: {outcomes}")
    finally:
        for racer in racers:
            racer.join(timeout=30)
            if racer.is_alive():
                racer.kill()
    return outcomes
