"""Demo data: the fifty largest US metros with seats, prices and hosts, and the large
data set behind `seed-demo --scale`."""
