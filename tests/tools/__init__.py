"""Tools (site/tools/): the cost-per-funded-loan calculator and its page."""
