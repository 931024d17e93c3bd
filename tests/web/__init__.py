"""What every view shares (site/web/): the url_map snapshot, page cache, paging, date input."""
