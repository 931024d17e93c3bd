"""Resources: the articles and FAQ from content/, their search, feed and sitemap."""
