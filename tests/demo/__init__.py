"""Demo data (site/demo/): the fifty largest metros for make run, and seed-demo --scale."""
