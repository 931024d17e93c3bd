"""Resources (site/resources/): articles and FAQ from content/, their pages, search and feed."""
