"""Tools: the cost-per-funded-loan calculator."""
